import { DurableObject } from 'cloudflare:workers';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS members (
  user_id TEXT NOT NULL,
  sync_id TEXT NOT NULL,
  PRIMARY KEY (user_id, sync_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS segments (sync_id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applied_page_contents (
  sync_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  page INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  PRIMARY KEY (sync_id, execution_id, page, content_hash)
) WITHOUT ROWID;
`;

/**
 * Before pages were keyed by content, `applied_pages` held (sync, execution, page). Its rows move
 * over with an empty hash, which matches any content of that page: pages applied before the upgrade
 * keep the old rule until they age out (APPLIED_PAGE_TTL_MS).
 */
const MIGRATE_APPLIED_PAGES = `
INSERT OR IGNORE INTO applied_page_contents (sync_id, execution_id, page, content_hash, applied_at)
  SELECT sync_id, execution_id, page, '', applied_at FROM applied_pages;
DROP TABLE applied_pages;
`;

/** Ids per statement: one JSON parameter keeps the statement short and far below the 2 MB value limit. */
const CHUNK = 1000;
/** MoEngage retries within seconds; page records older than this cannot be retried any more. */
const APPLIED_PAGE_TTL_MS = 30 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 3600 * 1000;

/** One page of one execution, restricted to the users of this shard. */
export interface ShardPage {
  syncId: string;
  syncName: string;
  executionId: string;
  page: number;
  /** Digest of the whole page's users (pageContent.ts): a page number reused with other users is a new page. */
  contentHash: string;
  /** The execution is a "Resync All Users": drop the segment's members here on its first page. */
  resync: boolean;
  add: string[];
  remove: string[];
}

export interface ShardResult {
  /** This shard had already applied this page (a MoEngage retry): nothing changed. */
  duplicate: boolean;
  /** Members actually added (already-members are not counted) and actually removed. */
  added: number;
  removed: number;
  /** Members dropped because a resync execution started here. */
  dropped: number;
}

export interface VisitorSegment {
  id: string;
  name: string;
}

/**
 * One shard of segment membership (see shard.ts): the users whose id hashes here, with every synced
 * segment they are in. Applying a page is one synchronous transaction, so retries and concurrent
 * pages of the same execution cannot interleave inside a shard.
 */
export class SegmentStore extends DurableObject<unknown> {
  private readonly sql: SqlStorage;
  private lastPruneAt = 0;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    const legacy = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'applied_pages'").one().n;
    if (legacy) ctx.storage.transactionSync(() => this.sql.exec(MIGRATE_APPLIED_PAGES));
  }

  apply(page: ShardPage): ShardResult {
    const now = Date.now();
    const result = this.ctx.storage.transactionSync((): ShardResult => {
      const seen = this.sql
        .exec<{ page: number; content_hash: string }>('SELECT page, content_hash FROM applied_page_contents WHERE sync_id = ? AND execution_id = ?', page.syncId, page.executionId)
        .toArray();
      const applied = seen.some((row) => row.page === page.page && (row.content_hash === page.contentHash || row.content_hash === ''));
      if (applied) return { duplicate: true, added: 0, removed: 0, dropped: 0 };

      let dropped = 0;
      if (page.resync && seen.length === 0) {
        this.sql.exec('DELETE FROM members WHERE sync_id = ?', page.syncId);
        dropped = this.changes();
      }
      this.sql.exec(
        'INSERT INTO segments (sync_id, name) VALUES (?, ?) ON CONFLICT (sync_id) DO UPDATE SET name = excluded.name WHERE name != excluded.name',
        page.syncId,
        page.syncName,
      );
      const added = this.inChunks('INSERT OR IGNORE INTO members (user_id, sync_id) SELECT value, ? FROM json_each(?)', page.syncId, page.add);
      const removed = this.inChunks('DELETE FROM members WHERE sync_id = ? AND user_id IN (SELECT value FROM json_each(?))', page.syncId, page.remove);
      this.sql.exec(
        'INSERT INTO applied_page_contents (sync_id, execution_id, page, content_hash, applied_at) VALUES (?, ?, ?, ?, ?)',
        page.syncId,
        page.executionId,
        page.page,
        page.contentHash,
        now,
      );
      return { duplicate: false, added, removed, dropped };
    });
    if (now - this.lastPruneAt > PRUNE_EVERY_MS) {
      this.lastPruneAt = now;
      this.sql.exec('DELETE FROM applied_page_contents WHERE applied_at < ?', now - APPLIED_PAGE_TTL_MS);
    }
    return result;
  }

  /** The segments one user is in (the read API and the debugger's user lookup). */
  segmentsOf(userId: string): VisitorSegment[] {
    return this.sql
      .exec<{ id: string; name: string }>(
        `SELECT m.sync_id AS id, coalesce(s.name, m.sync_id) AS name
         FROM members m LEFT JOIN segments s ON s.sync_id = m.sync_id
         WHERE m.user_id = ? ORDER BY name, id`,
        userId,
      )
      .toArray()
      .map((row) => ({ id: row.id, name: row.name }));
  }

  /** Forgets a segment (archived in MoEngage, which then sends nothing more): members and pages. */
  forget(syncId: string): { dropped: number } {
    return this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM members WHERE sync_id = ?', syncId);
      const dropped = this.changes();
      this.sql.exec('DELETE FROM segments WHERE sync_id = ?', syncId);
      this.sql.exec('DELETE FROM applied_page_contents WHERE sync_id = ?', syncId);
      return { dropped };
    });
  }

  /** Erasure: forgets every membership of one user (the segments themselves stay); returns how many. */
  eraseUser(userId: string): { memberships: number } {
    this.sql.exec('DELETE FROM members WHERE user_id = ?', userId);
    return { memberships: this.changes() };
  }

  /** Rows changed by the last statement (cursor.rowsWritten would also count index writes). */
  private changes(): number {
    return this.sql.exec<{ n: number }>('SELECT changes() AS n').one().n;
  }

  /** Runs `statement` (parameters: the sync id, then a JSON array of user ids) over `userIds` in chunks; returns the rows it changed. */
  private inChunks(statement: string, syncId: string, userIds: string[]): number {
    let changed = 0;
    for (let i = 0; i < userIds.length; i += CHUNK) {
      this.sql.exec(statement, syncId, JSON.stringify(userIds.slice(i, i + CHUNK)));
      changed += this.changes();
    }
    return changed;
  }

}
