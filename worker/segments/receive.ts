import type { Config } from '../config/config';
import type { Env } from '../env';
import { HttpError } from '../http/HttpError';
import { parseJson } from '../ingest/parseJson';
import { readBody } from '../ingest/readBody';
import { authenticateSegmentSync } from './authenticateSync';
import { parseSegmentSync, SEGMENT_SYNC_LIMITS, type SegmentSyncPage, type SkippedUser } from './payload';
import { pageContentHash } from './pageContent';
import { hasResyncMarker } from './resyncMarker';
import type { ShardResult } from './SegmentStore';
import type { PageHead, ResyncReason } from './SegmentSyncJournal';
import { partition, SHARD_COUNT, shardName } from './shard';

/** Skipped users listed in the answer (all are counted; the debugger keeps the count per page). */
const MAX_SKIPPED_LISTED = 100;

export interface SegmentSyncAnswer {
  ok: true;
  sync_id: string;
  execution_id: string;
  page: number;
  total_pages: number;
  /** Why this execution replaces the segment's members, or null for a difference. */
  resync: ResyncReason;
  /** Every shard had applied this page already (a MoEngage retry): nothing changed. */
  duplicate: boolean;
  added: number;
  removed: number;
  dropped: number;
  skipped: number;
  skipped_users: SkippedUser[];
}

export function journalOf(env: Env) {
  return env.SEGMENT_SYNC_JOURNAL.getByName('journal');
}

/**
 * `POST /v1/moengage/segment-sync`: authenticate → limit size → parse → validate → journal (resync?)
 * → apply to every shard concerned in parallel → journal → 200 JSON. A shard failure answers 503 so
 * MoEngage retries the page; shards that applied it already skip the retry (idempotent per page and
 * content: the same page number with other users is applied, pageContent.ts).
 */
export async function receiveSegmentSync(request: Request, env: Env, config: Config): Promise<SegmentSyncAnswer> {
  const settings = config.segments;
  if (!settings.sync) {
    throw new HttpError(503, 'segment_sync_disabled', 'set SEGMENT_SYNC_USERNAME and SEGMENT_SYNC_PASSWORD to receive MoEngage segment syncs');
  }
  const journal = journalOf(env);
  let page: SegmentSyncPage;
  let head: PageHead;
  try {
    await authenticateSegmentSync(request, settings.sync);
    const body = parseJson(await readBody(request, { maxBytes: SEGMENT_SYNC_LIMITS.maxBodyBytes, maxDecompressedBytes: SEGMENT_SYNC_LIMITS.maxBodyBytes }));
    page = parseSegmentSync(body, settings);
    head = {
      syncId: page.syncId,
      syncName: page.syncName,
      integrationId: page.integrationId,
      executionId: page.executionId,
      page: page.page,
      contentHash: await pageContentHash(page.add, page.remove),
      totalPages: page.totalPages,
      marker: hasResyncMarker(request, body, settings.resyncMarker),
    };
  } catch (error) {
    // Refused requests are visible in the debugger (never the credentials or the body).
    if (error instanceof HttpError) await journal.recordError({ status: error.status, error: error.error, detail: error.detail }).catch(() => {});
    throw error;
  }

  const { resync } = await journal.begin(head);
  // A first execution is a full sync of a segment no shard holds yet: there is nothing to drop.
  const drop = resync !== null && resync !== 'first_execution';
  const adds = partition(page.add);
  const removes = partition(page.remove);
  const calls: Promise<ShardResult>[] = [];
  for (let shard = 0; shard < SHARD_COUNT; shard++) {
    const add = adds[shard]!;
    const remove = removes[shard]!;
    // A resync must reach every shard, even one without users in this page, to drop its members.
    if (!drop && !add.length && !remove.length) continue;
    calls.push(
      env.SEGMENT_STORE.getByName(shardName(shard)).apply({
        syncId: page.syncId,
        syncName: page.syncName,
        executionId: page.executionId,
        page: page.page,
        contentHash: head.contentHash,
        resync: drop,
        add,
        remove,
      }),
    );
  }
  const settled = await Promise.allSettled(calls);
  const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.length - done.length;
  const sum = (field: 'added' | 'removed' | 'dropped') => done.reduce((n, r) => n + r[field], 0);
  const outcome = {
    added: sum('added'),
    removed: sum('removed'),
    dropped: sum('dropped'),
    skipped: page.skipped.length,
    duplicate: done.length > 0 && failed === 0 && done.every((r) => r.duplicate),
    ...(failed ? { error: `${failed} of ${settled.length} store shards failed: ${reasonOf(settled)}` } : {}),
  };
  await journal.finish(head, outcome);
  if (failed) {
    throw new HttpError(503, 'store_unavailable', `${outcome.error}; retry the page (shards that applied it skip the retry)`, undefined, { 'retry-after': '3' });
  }
  return {
    ok: true,
    sync_id: page.syncId,
    execution_id: page.executionId,
    page: page.page,
    total_pages: page.totalPages,
    resync,
    duplicate: outcome.duplicate,
    added: outcome.added,
    removed: outcome.removed,
    dropped: outcome.dropped,
    skipped: outcome.skipped,
    skipped_users: page.skipped.slice(0, MAX_SKIPPED_LISTED),
  };
}

function reasonOf(settled: PromiseSettledResult<unknown>[]): string {
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const reason = rejected?.reason;
  return reason instanceof Error ? reason.message.slice(0, 300) : 'unknown error';
}
