/**
 * Releases before the collector had its own log kept whole-request rejections in the first
 * connection's queue (`rejection_counts`, `rejections`). They are handed over once, to the
 * collector's log, and the tables dropped.
 */
export interface LegacyRejections {
  counts: { error: string; status: number; count: number; firstAt: number; lastAt: number }[];
  /** The recent entries as stored (JSON text of collector/rejectionLog.ts's Rejection), oldest first. */
  recent: string[];
}

export function takeLegacyRejections(storage: DurableObjectStorage): LegacyRejections | null {
  const sql = storage.sql;
  const tables = sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('rejection_counts', 'rejections')")
    .toArray()
    .map((r) => r.name);
  if (!tables.length) return null;
  let taken: LegacyRejections = { counts: [], recent: [] };
  storage.transactionSync(() => {
    if (tables.includes('rejection_counts')) {
      taken.counts = sql
        .exec<{ error: string; status: number; count: number; first_at: number; last_at: number }>('SELECT * FROM rejection_counts')
        .toArray()
        .map((c) => ({ error: c.error, status: c.status, count: c.count, firstAt: c.first_at, lastAt: c.last_at }));
      sql.exec('DROP TABLE rejection_counts');
    }
    if (tables.includes('rejections')) {
      taken = { ...taken, recent: sql.exec<{ entry: string }>('SELECT entry FROM rejections ORDER BY id').toArray().map((r) => r.entry) };
      sql.exec('DROP TABLE rejections');
    }
  });
  return taken;
}
