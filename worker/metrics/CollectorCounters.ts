import { DurableObject } from 'cloudflare:workers';

export type CollectorCount = {
  metric: string;
  a: string;
  b: string;
  value: number;
};

const SCHEMA = `CREATE TABLE IF NOT EXISTS collector_counters (metric TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (metric, a, b)) WITHOUT ROWID;`;

/**
 * Counters of the collector as a whole, not of a connection: the tag served, requests refused
 * (metrics/collectorCount.ts adds to them, coalesced per isolate). One instance, `collector`;
 * written at most once in flight per isolate, so it is never on an answer's path.
 */
export class CollectorCounters extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  async add(counts: CollectorCount[]): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const c of counts) {
        this.ctx.storage.sql.exec(
          'INSERT INTO collector_counters (metric, a, b, value) VALUES (?, ?, ?, ?) ON CONFLICT (metric, a, b) DO UPDATE SET value = value + excluded.value',
          c.metric,
          c.a,
          c.b,
          c.value,
        );
      }
    });
  }

  async read(): Promise<CollectorCount[]> {
    return this.ctx.storage.sql.exec<CollectorCount>('SELECT metric, a, b, value FROM collector_counters').toArray();
  }
}
