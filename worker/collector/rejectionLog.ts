import type { Migration } from '../sql/migrate';

/**
 * Whole requests the collector refused (bad JSON, too large, unknown write key, rate limited, …):
 * no message of theirs reached the event log, so they are counted here, per reason, with the most
 * recent few kept for the debugger. Nothing of the body is kept — only what the collector said and
 * the request's non-secret headers. Stored in the CollectorLog, which belongs to no connection.
 */
export interface Rejection {
  at: number;
  status: number;
  error: string;
  detail: string;
  method: string;
  path: string;
  contentType: string | null;
  contentLength: number | null;
  origin: string | null;
  userAgent: string | null;
}

export interface RejectionCount {
  error: string;
  status: number;
  count: number;
  firstAt: number;
  lastAt: number;
}

export interface RejectionLog {
  counts: RejectionCount[];
  recent: Rejection[];
}

/** Recent rejections kept (the counts are kept forever). */
export const KEEP_RECENT = 200;

/** The CollectorLog's tables (sql/migrate.ts). */
export const COLLECTOR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    does: 'the rejection log',
    up(sql) {
      sql.exec(`
CREATE TABLE IF NOT EXISTS rejection_counts (error TEXT PRIMARY KEY, status INTEGER NOT NULL, count INTEGER NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rejections (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);`);
    },
  },
];

const clip = (s: string | null, n: number) => (s == null ? null : s.length > n ? `${s.slice(0, n)}…` : s);

export function recordRejection(sql: SqlStorage, r: Rejection): void {
  const entry: Rejection = {
    ...r,
    detail: clip(r.detail, 500) ?? '',
    path: clip(r.path, 200) ?? '',
    contentType: clip(r.contentType, 100),
    origin: clip(r.origin, 200),
    userAgent: clip(r.userAgent, 300),
  };
  sql.exec(
    `INSERT INTO rejection_counts (error, status, count, first_at, last_at) VALUES (?, ?, 1, ?, ?)
     ON CONFLICT (error) DO UPDATE SET count = count + 1, status = excluded.status, last_at = excluded.last_at`,
    clip(r.error, 64),
    r.status,
    r.at,
    r.at,
  );
  const id = sql.exec<{ id: number }>('INSERT INTO rejections (entry) VALUES (?) RETURNING id', JSON.stringify(entry)).one().id;
  sql.exec('DELETE FROM rejections WHERE id <= ?', id - KEEP_RECENT);
}

export function listRejections(sql: SqlStorage, limit: number): RejectionLog {
  const counts = sql
    .exec<{ error: string; status: number; count: number; first_at: number; last_at: number }>('SELECT * FROM rejection_counts ORDER BY last_at DESC')
    .toArray()
    .map((c) => ({ error: c.error, status: c.status, count: c.count, firstAt: c.first_at, lastAt: c.last_at }));
  const recent = sql
    .exec<{ entry: string }>('SELECT entry FROM rejections ORDER BY id DESC LIMIT ?', Math.max(1, Math.min(KEEP_RECENT, limit)))
    .toArray()
    .map((row) => JSON.parse(row.entry) as Rejection);
  return { counts, recent };
}

/**
 * Merges a rejection log kept elsewhere by an earlier release into this one: counts add up (first
 * and last times widen), recent entries join in time order within the KEEP_RECENT bound.
 */
export function adoptRejections(sql: SqlStorage, legacy: { counts: RejectionCount[]; recent: string[] }): void {
  for (const c of legacy.counts) {
    sql.exec(
      `INSERT INTO rejection_counts (error, status, count, first_at, last_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (error) DO UPDATE SET count = count + excluded.count, first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
      c.error,
      c.status,
      c.count,
      c.firstAt,
      c.lastAt,
    );
  }
  const current = sql.exec<{ entry: string }>('SELECT entry FROM rejections ORDER BY id').toArray().map((r) => JSON.parse(r.entry) as Rejection);
  const adopted = legacy.recent.map((text) => JSON.parse(text) as unknown).filter((e): e is Rejection => !!e && typeof e === 'object' && typeof (e as Rejection).at === 'number');
  const merged = [...adopted, ...current].sort((a, b) => a.at - b.at).slice(-KEEP_RECENT);
  sql.exec('DELETE FROM rejections');
  for (const entry of merged) sql.exec('INSERT INTO rejections (entry) VALUES (?)', JSON.stringify(entry));
}

/**
 * Erasure: forgets the recent rejections whose kept text (path, detail, origin) mentions one of
 * `ids` (the counts per reason stay: they hold no one's data). Returns how many went.
 */
export function forgetMentions(sql: SqlStorage, ids: readonly string[]): number {
  let gone = 0;
  for (const id of ids) {
    // Matched on the entry's JSON text, as the id is written there (escaped).
    gone += sql.exec('DELETE FROM rejections WHERE instr(entry, ?) > 0 RETURNING 1', JSON.stringify(id).slice(1, -1)).toArray().length;
  }
  return gone;
}
