import { z } from 'zod';
import { forgetMentions } from '../collector/log';
import type { Config } from '../config/config';
import * as queues from '../delivery/queues';
import type { ErasureSubject } from '../delivery/store/erasure';
import type { Env } from '../env';
import { readJsonBodyAs } from '../http/jsonBody';
import { checkCustomerId } from '../identity/customerId';
import { eraseFromSegments, forgetCachedSegments } from '../segments/eraseUser';

/**
 * POST /debugger/api/users/erase (docs/debugger.md "Erasure"): forgets one user in every
 * connection's queues and log, the anonymous hold and its identity links, the segment store and
 * the recent rejections, and queues MoEngage's Delete User per connection (sent with retries from
 * each queue's alarm). GET /debugger/api/users/erasures shows those requests and their answers.
 */

const id = z.string().trim().min(1, 'must not be blank').max(512, 'at most 512 characters');
const EraseRequest = z
  .object({ userId: id.optional(), anonymousId: id.optional() })
  .strict()
  .refine((r) => (r.userId === undefined) !== (r.anonymousId === undefined), { message: 'give exactly one of "userId" or "anonymousId"' });

/** Two ids of 512 characters fit many times over; anything bigger is refused before it is parsed. */
const ERASE_MAX_BYTES = 8 * 1024;

export async function eraseUser(request: Request, env: Env, config: Config) {
  const body = await readJsonBodyAs(request, ERASE_MAX_BYTES, EraseRequest, {
    error: 'invalid_erase',
    detail: 'send {"userId":"…"} or {"anonymousId":"…"} (one of them, a non-blank string)',
  });
  const subject: ErasureSubject = body.userId !== undefined ? { userId: body.userId } : { anonymousId: body.anonymousId as string };
  const connections = await queues.erase(env, config.connections, subject, (c) => deleteUsersFor(config, c, subject));
  const subjectId = 'userId' in subject ? subject.userId : subject.anonymousId;
  const [segments, rejections] = await Promise.all([eraseFromSegments(env, subjectId), forgetMentions(env, [subjectId]), forgetSegmentsCache(config, subjectId, request.url)]);
  const sum = (key: 'events' | 'held' | 'links' | 'deleteRequests') => connections.reduce((n, c) => n + c[key], 0);
  return {
    erased: subject,
    totals: { events: sum('events'), held: sum('held'), links: sum('links'), deleteRequests: sum('deleteRequests'), segmentMemberships: segments.memberships, rejections: rejections.rejections },
    connections,
    segments,
    rejections,
  };
}

/** The edge copy of the user's segments answer, when the read API is on (a malformed segments setting has nothing cached). */
async function forgetSegmentsCache(config: Config, userId: string, base: string): Promise<void> {
  let secret: string | undefined;
  try {
    secret = config.segments.identitySecret;
  } catch {
    return;
  }
  await forgetCachedSegments(secret, userId, base);
}

/**
 * The MoEngage customer_ids a connection deletes for the subject: a userId is the customer_id; an
 * anonymousId is one only where ANONYMOUS=customer sent it as such (under `hold` and `drop` MoEngage
 * never saw it). Ids MoEngage does not allow were never sent, so nothing is deleted for them.
 */
function deleteUsersFor(config: Config, connection: string, subject: ErasureSubject): string[] {
  const c = config.connections.find((x) => x.id === connection);
  if ('userId' in subject) {
    const checked = checkCustomerId(subject.userId);
    return checked.ok ? [checked.id] : [];
  }
  if (c?.anonymous !== 'customer') return [];
  const checked = checkCustomerId(subject.anonymousId, 'anonymousId');
  return checked.ok ? [checked.id] : [];
}

/** The Delete User requests, as sent (the key never: it is not stored) and as MoEngage answered. */
export async function erasures(env: Env, config: Config, query: Record<string, string | string[] | undefined>) {
  const limit = Math.min(500, Math.max(1, Number(query.limit ?? 50) || 50));
  const perConnection = await queues.deleteRequests(env, config.connections.map((c) => c.id), limit);
  return {
    connections: perConnection.map(({ connection, requests }) => ({
      connection,
      requests: requests.map((r) => ({
        ...r,
        attempts: r.attempts.map(({ url, body, ...answer }) => ({
          ...answer,
          request: { method: 'POST', url, headers: { authorization: 'Basic [redacted]', 'content-type': 'application/json' }, body },
        })),
      })),
    })),
  };
}
