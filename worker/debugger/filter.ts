import { z } from 'zod';
import { EVENT_STATUSES, type EventFilter } from '../delivery/eventFilter';
import type { ListPosition } from '../delivery/logOrder';
import { HttpError } from '../http/HttpError';
import { decodePosition } from './cursor';

export { EVENT_STATUSES, type EventFilter } from '../delivery/eventFilter';

/* The debugger's query parameters → the filter and position a queue reads by (delivery/eventFilter.ts, logOrder.ts). */

/** epoch ms, ISO 8601, or a duration back from now: `15m`, `2h`, `7d`. */
const Since = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const relative = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text);
    if (relative) return Date.now() - Number(relative[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    const at = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(at)) {
      ctx.addIssue({ code: 'custom', message: 'give epoch milliseconds, an ISO 8601 time, or a duration like 15m, 2h, 7d' });
      return z.NEVER;
    }
    return at;
  });

const Text = z.string().trim().min(1).max(512);

const Statuses = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(EVENT_STATUSES)).min(1).max(EVENT_STATUSES.length));

const FilterQuery = z.object({
  status: Statuses.optional(),
  event: Text.optional(),
  userId: Text.optional(),
  reason: Text.optional(),
  since: Since.optional(),
  connection: Text.optional(),
});

const ListQuery = FilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(4096).optional(),
});

type Query = Record<string, string | string[] | undefined>;

function parse<T extends z.ZodType>(schema: T, query: Query): z.infer<T> {
  // itty-router gives repeated parameters as arrays; the last one wins.
  const flat = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v]).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(flat);
  if (!parsed.success) {
    throw new HttpError(
      400,
      'invalid_query',
      'check the query parameters: status (comma list of ' + EVENT_STATUSES.join(', ') + '), event, userId, reason, since, connection, limit (1–500), cursor',
      parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(query)', message: i.message })),
    );
  }
  return parsed.data;
}

function toFilter(q: z.infer<typeof FilterQuery>): EventFilter {
  const filter: EventFilter = {};
  if (q.status) filter.statuses = [...new Set(q.status)];
  if (q.event !== undefined) filter.event = q.event;
  if (q.userId !== undefined) filter.userId = q.userId;
  if (q.reason !== undefined) filter.reason = q.reason;
  if (q.since !== undefined) filter.since = q.since;
  if (q.connection !== undefined) filter.connection = q.connection;
  return filter;
}

export function readFilter(query: Query): EventFilter {
  return toFilter(parse(FilterQuery, query));
}

export function readListQuery(query: Query): { filter: EventFilter; limit: number; after: ListPosition | null } {
  const q = parse(ListQuery, query);
  return { filter: toFilter(q), limit: q.limit, after: q.cursor ? decodePosition(q.cursor) : null };
}
