import { z } from 'zod';
import type { Issue } from '../../shared/message';
import type { SegmentsConfig } from '../config/segments';
import { HttpError } from '../http/HttpError';

/**
 * The `segment_sync` request MoEngage's Outbound Segment Sync sends (seed 003), with the list and
 * identifier keys named as configured. Unknown keys anywhere (the integration's key-value pairs,
 * `moengage_distinct_id`) are accepted and ignored.
 */
export const SEGMENT_SYNC_LIMITS = {
  /**
   * 10,000 users (MoEngage's largest page) are ~0.8 MB with short ids and ~1.5 MB with two
   * key-value pairs per user; 5 MiB leaves room for long ids and more pairs, and a parsed body of
   * that size stays far below a Worker's 128 MB of memory.
   */
  maxBodyBytes: 5 * 1024 * 1024,
  /** add + remove entries in one page: twice MoEngage's documented maximum of 10,000. */
  maxUsersPerPage: 20_000,
  /** Longer identifiers are skipped (and reported), never truncated into someone else's id. */
  maxIdentifierLength: 512,
} as const;

export type SkipReason = 'missing_identifier' | 'empty_identifier' | 'invalid_identifier' | 'identifier_too_long' | 'in_add_and_remove';

export interface SkippedUser {
  list: 'add' | 'remove';
  index: number;
  reason: SkipReason;
}

/** One page of one execution, ready to apply. User ids are unique within `add` and within `remove`. */
export interface SegmentSyncPage {
  syncId: string;
  syncName: string;
  executionId: string;
  integrationId: string | null;
  page: number;
  totalPages: number;
  add: string[];
  remove: string[];
  skipped: SkippedUser[];
}

type Keys = Pick<SegmentsConfig, 'userKey' | 'addKey' | 'removeKey'>;

const moengageId = z.union([z.string().trim().min(1).max(256), z.number().finite()]).transform(String);
const pageNumber = z.number().int().min(0).max(1_000_000);
const userList = z.array(z.unknown()).nullish();

const SegmentSyncBody = z.looseObject({
  type: z.literal('segment_sync'),
  pagination: z.looseObject({ total_pages: pageNumber, page_count: pageNumber }),
  data: z.looseObject({
    moengage_sync_id: moengageId,
    moengage_sync_name: z.union([z.string().max(1000), z.number()]).transform(String),
    moengage_execution_id: moengageId,
    moengage_integration_id: moengageId.nullish(),
  }),
});

/** Validates a parsed body; throws HttpError 400/413 naming every problem. */
export function parseSegmentSync(body: unknown, keys: Keys): SegmentSyncPage {
  const parsed = SegmentSyncBody.safeParse(body);
  const issues: Issue[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  // The lists' names are settings, so they are checked here rather than in the static schema.
  const data = (body && typeof body === 'object' ? (body as { data?: unknown }).data : undefined) as Record<string, unknown> | undefined;
  for (const key of [keys.addKey, keys.removeKey]) {
    const list = data && typeof data === 'object' ? userList.safeParse(data[key]) : undefined;
    if (list && !list.success) issues.push({ path: `data.${key}`, message: `must be an array of users (the list is named by SEGMENT_SYNC_${key === keys.addKey ? 'ADD' : 'REMOVE'}_KEY)` });
  }
  if (!parsed.success || issues.length) {
    throw new HttpError(400, 'invalid_segment_sync', `the body is not a segment_sync request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  const { pagination, data: ids } = parsed.data;
  const addEntries = (ids[keys.addKey] as unknown[] | null | undefined) ?? [];
  const removeEntries = (ids[keys.removeKey] as unknown[] | null | undefined) ?? [];
  const total = addEntries.length + removeEntries.length;
  if (total > SEGMENT_SYNC_LIMITS.maxUsersPerPage) {
    throw new HttpError(413, 'too_many_users', `${total} users in one page; at most ${SEGMENT_SYNC_LIMITS.maxUsersPerPage} (MoEngage's throttle allows 100–10,000 per request)`);
  }

  const skipped: SkippedUser[] = [];
  let withKey = 0;
  const idsOf = (entries: unknown[], list: 'add' | 'remove', path: string): Map<string, number> => {
    const ids = new Map<string, number>();
    entries.forEach((entry, index) => {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
        issues.push({ path: `data.${path}.${index}`, message: 'each user must be an object' });
        return;
      }
      const outcome = identifierOf(entry as Record<string, unknown>, keys.userKey);
      if (outcome.present) withKey++;
      if ('reason' in outcome) skipped.push({ list, index, reason: outcome.reason });
      else if (!ids.has(outcome.id)) ids.set(outcome.id, index);
    });
    return ids;
  };
  const add = idsOf(addEntries, 'add', keys.addKey);
  const remove = idsOf(removeEntries, 'remove', keys.removeKey);
  if (issues.length) {
    throw new HttpError(400, 'invalid_segment_sync', `${issues.length} user entr${issues.length === 1 ? 'y is' : 'ies are'} not objects`, issues.slice(0, 50));
  }
  if (total > 0 && withKey === 0) {
    // Every user lacks the key: the integration's User Identifier was renamed and the setting was not.
    const seen = [...new Set([...addEntries, ...removeEntries].slice(0, 20).flatMap((e) => Object.keys(e as object)))];
    throw new HttpError(
      400,
      'unknown_user_key',
      `no user carries "${keys.userKey}"; set SEGMENT_SYNC_USER_KEY to the identifier key configured in MoEngage (keys seen: ${seen.join(', ') || 'none'})`,
      [{ path: `data.${keys.addKey}.0.${keys.userKey}`, message: 'missing' }],
    );
  }
  // A user in both lists of one page is contradictory: neither list wins by guess; both are reported.
  for (const [id, index] of add) {
    const removeIndex = remove.get(id);
    if (removeIndex === undefined) continue;
    add.delete(id);
    remove.delete(id);
    skipped.push({ list: 'add', index, reason: 'in_add_and_remove' }, { list: 'remove', index: removeIndex, reason: 'in_add_and_remove' });
  }

  return {
    syncId: ids.moengage_sync_id,
    syncName: ids.moengage_sync_name || ids.moengage_sync_id,
    executionId: ids.moengage_execution_id,
    integrationId: ids.moengage_integration_id ?? null,
    page: pagination.page_count,
    totalPages: pagination.total_pages,
    add: [...add.keys()],
    remove: [...remove.keys()],
    skipped,
  };
}

type IdentifierOutcome = { present: boolean; id: string } | { present: boolean; reason: SkipReason };

function identifierOf(user: Record<string, unknown>, key: string): IdentifierOutcome {
  if (!(key in user)) return { present: false, reason: 'missing_identifier' };
  const value = user[key];
  let id: string;
  if (typeof value === 'string') id = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) id = String(value);
  else return { present: true, reason: value == null ? 'empty_identifier' : 'invalid_identifier' };
  if (!id) return { present: true, reason: 'empty_identifier' };
  if (id.length > SEGMENT_SYNC_LIMITS.maxIdentifierLength) return { present: true, reason: 'identifier_too_long' };
  return { present: true, id };
}
