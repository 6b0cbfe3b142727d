/**
 * The queue's own small state, one JSON value per key in `meta`. Each key has one type, listed
 * here, so a reader cannot misread what a writer stored.
 */

/** A 401/403/404 stopped the connection (delivery/fingerprint.ts tells when its settings changed). */
export interface PauseInfo {
  reason: string;
  detail: string;
  since: number;
  /** Hash of the connection settings the pause happened with; never the key itself, never shown. */
  fingerprint: string;
}

/** MoEngage failing (5xx, timeouts): nothing is sent before `until`, then one request probes. */
export interface OutageGate {
  failures: number;
  until: number;
}

/** How often a bound was reached, for /healthz. */
export interface Counter {
  total: number;
  lastAt: number;
  detail?: string;
}

export interface MetaValues {
  schema: number;
  pause: PauseInfo;
  outage: OutageGate;
  /** The rate limiter's state (delivery/limiter.ts restores it, whatever its shape). */
  limiter: unknown;
  /** Batches answered 503 backlog_full. */
  refused: Counter;
  /** Events dead-lettered for their age. */
  expired: Counter;
  /** When the age and row bounds last ran. */
  housekeeping: number;
}

export class QueueMeta {
  /**
   * The pause and the connection's name as last read or written: every enqueue asks for both, and
   * only this object writes them (never inside a transaction that could roll back).
   */
  private pause: { value: PauseInfo | undefined } | null = null;
  private named: string | undefined;

  constructor(private readonly sql: SqlStorage) {}

  get<K extends keyof MetaValues>(key: K): MetaValues[K] | undefined {
    if (key === 'pause' && this.pause) return this.pause.value as MetaValues[K] | undefined;
    const row = this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0];
    const value = row ? (JSON.parse(row.value) as MetaValues[K]) : undefined;
    if (key === 'pause') this.pause = { value: value as PauseInfo | undefined };
    return value;
  }

  set<K extends keyof MetaValues>(key: K, value: MetaValues[K]): void {
    this.sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, JSON.stringify(value));
    if (key === 'pause') this.pause = { value: value as PauseInfo };
  }

  /** Counts `n` more of a bound being reached. */
  bump(key: 'refused' | 'expired', now: number, detail?: string, n = 1): void {
    const c = this.get(key) ?? { total: 0, lastAt: now };
    this.set(key, { total: c.total + n, lastAt: now, ...(detail ? { detail } : {}) });
  }

  delete(key: keyof MetaValues): void {
    this.sql.exec('DELETE FROM meta WHERE key = ?', key);
    if (key === 'pause') this.pause = { value: undefined };
  }

  /** The connection this queue serves (its Durable Object name), kept as plain text since the first release. */
  connection(): string | undefined {
    this.named ??= this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'connection'").toArray()[0]?.value;
    return this.named;
  }

  /** The first name given is kept (a queue serves one connection). */
  rememberConnection(id: string): void {
    if (this.named !== undefined) return;
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('connection', ?)", id);
    this.connection();
  }

  /** The queue shard's name (`<id>#<i>`), remembered by shards other than 0 (delivery/shardRouting.ts). */
  queue(): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'queue'").toArray()[0]?.value;
  }

  rememberQueue(name: string): void {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('queue', ?)", name);
  }
}
