import { DurableObject } from 'cloudflare:workers';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS syncs (
  sync_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  integration_id TEXT,
  members INTEGER NOT NULL DEFAULT 0,
  last_execution_id TEXT,
  last_page_at INTEGER,
  resync_armed_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS executions (
  sync_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  resync TEXT,
  total_pages INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (sync_id, execution_id)
);
CREATE INDEX IF NOT EXISTS executions_by_time ON executions (updated_at);
CREATE TABLE IF NOT EXISTS pages (
  sync_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  page INTEGER NOT NULL,
  requests INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  added INTEGER NOT NULL DEFAULT 0,
  removed INTEGER NOT NULL DEFAULT 0,
  dropped INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  error TEXT,
  PRIMARY KEY (sync_id, execution_id, page)
);
CREATE TABLE IF NOT EXISTS page_contents (
  sync_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  page INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  PRIMARY KEY (sync_id, execution_id, page, content_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS errors (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  status INTEGER NOT NULL,
  error TEXT NOT NULL,
  detail TEXT NOT NULL,
  sync_id TEXT,
  execution_id TEXT,
  page INTEGER
);
`;

/** History kept for the debugger; older executions and errors are pruned. */
const KEEP_EXECUTIONS = 500;
const KEEP_ERRORS = 500;
/**
 * An armed resync is consumed by the next new execution; it expires so that one armed but never
 * followed by "Resync All Users" cannot turn a later periodic difference into a wipe.
 */
export const RESYNC_ARM_TTL_MS = 60 * 60 * 1000;

/** Why an execution replaces the segment's members (null: it is a difference). docs/segments.md "Resync". */
export type ResyncReason = 'first_execution' | 'marker' | 'armed' | null;

export interface PageHead {
  syncId: string;
  syncName: string;
  integrationId: string | null;
  executionId: string;
  page: number;
  /** Digest of the page's users (pageContent.ts). */
  contentHash: string;
  totalPages: number;
  /** The request carried the configured resync key-value pair. */
  marker: boolean;
}

export interface PageOutcome {
  added: number;
  removed: number;
  dropped: number;
  skipped: number;
  /** Every shard had applied this page before (a retry). */
  duplicate: boolean;
  /** Set when at least one shard failed: MoEngage gets a 5xx and retries the page. */
  error?: string;
}

export interface SyncError {
  status: number;
  error: string;
  detail: string;
  syncId?: string | null;
  executionId?: string | null;
  page?: number | null;
}

export interface SegmentView {
  syncId: string;
  name: string;
  integrationId: string | null;
  /** Running total of members (sum of applied changes). */
  members: number;
  lastExecutionId: string | null;
  lastPageAt: number | null;
  createdAt: number;
  /** The next new execution of this sync (until `resyncArmedUntil`) will be treated as a resync. */
  resyncArmed: boolean;
  resyncArmedUntil: number | null;
}

export interface ExecutionView {
  syncId: string;
  executionId: string;
  name: string;
  resync: ResyncReason;
  totalPages: number;
  pagesApplied: number;
  pagesFailed: number;
  requests: number;
  retries: number;
  added: number;
  removed: number;
  dropped: number;
  skipped: number;
  status: 'receiving' | 'complete' | 'failing';
  startedAt: number;
  updatedAt: number;
  pages?: PageView[];
}

export interface PageView {
  page: number;
  status: 'receiving' | 'applied' | 'failed';
  requests: number;
  /** Different sets of users received under this page number (1 normally; more when MoEngage reused it). */
  contents: number;
  added: number;
  removed: number;
  dropped: number;
  skipped: number;
  firstAt: number;
  lastAt: number;
  error: string | null;
}

export interface ErrorView extends Required<SyncError> {
  at: number;
}

export interface JournalView {
  segments: SegmentView[];
  executions: ExecutionView[];
  errors: ErrorView[];
}

/**
 * The one journal of Outbound Segment Sync: per-segment metadata (name, last execution, member
 * count), every execution and page received with what it changed, and the errors answered. It
 * decides once per execution whether it is a resync, so all pages and shards agree.
 */
export class SegmentSyncJournal extends DurableObject<unknown> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  /** Records a page request and says whether its execution is a resync. */
  begin(head: PageHead): { resync: ResyncReason } {
    const now = Date.now();
    return this.ctx.storage.transactionSync(() => {
      const sync = this.sql.exec<{ resync_armed_at: number | null }>('SELECT resync_armed_at FROM syncs WHERE sync_id = ?', head.syncId).toArray()[0];
      const armed = sync?.resync_armed_at != null && now - sync.resync_armed_at < RESYNC_ARM_TTL_MS;
      this.sql.exec(
        `INSERT INTO syncs (sync_id, name, integration_id, last_execution_id, last_page_at, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (sync_id) DO UPDATE SET name = excluded.name, integration_id = coalesce(excluded.integration_id, integration_id),
           last_execution_id = excluded.last_execution_id, last_page_at = excluded.last_page_at`,
        head.syncId,
        head.syncName,
        head.integrationId,
        head.executionId,
        now,
        now,
      );
      const execution = this.sql
        .exec<{ resync: string | null }>('SELECT resync FROM executions WHERE sync_id = ? AND execution_id = ?', head.syncId, head.executionId)
        .toArray()[0];
      let resync: ResyncReason;
      if (execution) {
        resync = execution.resync as ResyncReason;
        this.sql.exec('UPDATE executions SET updated_at = ?, total_pages = max(total_pages, ?) WHERE sync_id = ? AND execution_id = ?', now, head.totalPages, head.syncId, head.executionId);
      } else {
        // The seed: the first sync of a segment sends all its users; later periodic syncs send differences.
        resync = head.marker ? 'marker' : armed ? 'armed' : sync ? null : 'first_execution';
        if (sync?.resync_armed_at != null) this.sql.exec('UPDATE syncs SET resync_armed_at = NULL WHERE sync_id = ?', head.syncId);
        this.sql.exec(
          'INSERT INTO executions (sync_id, execution_id, resync, total_pages, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          head.syncId,
          head.executionId,
          resync,
          head.totalPages,
          now,
          now,
        );
        this.prune();
      }
      this.sql.exec(
        `INSERT INTO pages (sync_id, execution_id, page, requests, status, first_at, last_at) VALUES (?, ?, ?, 1, 'receiving', ?, ?)
         ON CONFLICT DO UPDATE SET requests = requests + 1, last_at = excluded.last_at,
           status = CASE status WHEN 'applied' THEN 'applied' ELSE 'receiving' END`,
        head.syncId,
        head.executionId,
        head.page,
        now,
        now,
      );
      this.sql.exec(
        'INSERT OR IGNORE INTO page_contents (sync_id, execution_id, page, content_hash) VALUES (?, ?, ?, ?)',
        head.syncId,
        head.executionId,
        head.page,
        head.contentHash,
      );
      return { resync };
    });
  }

  /** Records what a page changed (also partial changes when some shards failed). */
  finish(head: PageHead, outcome: PageOutcome): void {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      const status = outcome.error ? 'failed' : 'applied';
      this.sql.exec(
        `UPDATE pages SET status = CASE WHEN status = 'applied' THEN 'applied' ELSE ? END, last_at = ?,
           added = added + ?, removed = removed + ?, dropped = dropped + ?, skipped = CASE WHEN ? THEN skipped ELSE ? END, error = ?
         WHERE sync_id = ? AND execution_id = ? AND page = ?`,
        status,
        now,
        outcome.added,
        outcome.removed,
        outcome.dropped,
        outcome.duplicate ? 1 : 0,
        outcome.skipped,
        outcome.error ?? null,
        head.syncId,
        head.executionId,
        head.page,
      );
      this.sql.exec(
        'UPDATE syncs SET members = members + ? WHERE sync_id = ?',
        outcome.added - outcome.removed - outcome.dropped,
        head.syncId,
      );
      if (outcome.error) {
        this.insertError({ status: 503, error: 'store_unavailable', detail: outcome.error, syncId: head.syncId, executionId: head.executionId, page: head.page }, now);
      }
    });
  }

  recordError(error: SyncError): void {
    this.insertError(error, Date.now());
  }

  /** Marks the next new execution of a known sync as a resync ("Resync All Users" pressed in MoEngage). */
  arm(syncId: string): { armedUntil: number } | null {
    const now = Date.now();
    this.sql.exec('UPDATE syncs SET resync_armed_at = ? WHERE sync_id = ?', now, syncId);
    return this.changes() > 0 ? { armedUntil: now + RESYNC_ARM_TTL_MS } : null;
  }

  forget(syncId: string): boolean {
    return this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM syncs WHERE sync_id = ?', syncId);
      const known = this.changes() > 0;
      this.sql.exec('DELETE FROM executions WHERE sync_id = ?', syncId);
      this.sql.exec('DELETE FROM pages WHERE sync_id = ?', syncId);
      this.sql.exec('DELETE FROM page_contents WHERE sync_id = ?', syncId);
      return known;
    });
  }

  overview(limit: number): JournalView {
    const now = Date.now();
    const segments = this.sql
      .exec<{ sync_id: string; name: string; integration_id: string | null; members: number; last_execution_id: string | null; last_page_at: number | null; resync_armed_at: number | null; created_at: number }>(
        'SELECT * FROM syncs ORDER BY last_page_at DESC',
      )
      .toArray()
      .map((r) => ({
        syncId: r.sync_id,
        name: r.name,
        integrationId: r.integration_id,
        members: r.members,
        lastExecutionId: r.last_execution_id,
        lastPageAt: r.last_page_at,
        createdAt: r.created_at,
        ...armedView(r.resync_armed_at, now),
      }));
    const errors = this.sql
      .exec<{ at: number; status: number; error: string; detail: string; sync_id: string | null; execution_id: string | null; page: number | null }>(
        'SELECT * FROM errors ORDER BY id DESC LIMIT ?',
        limit,
      )
      .toArray()
      .map((r) => ({ at: r.at, status: r.status, error: r.error, detail: r.detail, syncId: r.sync_id, executionId: r.execution_id, page: r.page }));
    return { segments, executions: this.executions(limit), errors };
  }

  /** One execution with its pages (null when unknown). */
  execution(syncId: string, executionId: string): ExecutionView | null {
    const [view] = this.executions(1, { syncId, executionId });
    if (!view) return null;
    view.pages = this.sql
      .exec<{ page: number; status: PageView['status']; requests: number; contents: number; added: number; removed: number; dropped: number; skipped: number; first_at: number; last_at: number; error: string | null }>(
        `SELECT p.*, (SELECT count(*) FROM page_contents c WHERE c.sync_id = p.sync_id AND c.execution_id = p.execution_id AND c.page = p.page) AS contents
         FROM pages p WHERE p.sync_id = ? AND p.execution_id = ? ORDER BY p.page`,
        syncId,
        executionId,
      )
      .toArray()
      .map((r) => ({
        page: r.page,
        status: r.status,
        requests: r.requests,
        contents: Math.max(1, r.contents),
        added: r.added,
        removed: r.removed,
        dropped: r.dropped,
        skipped: r.skipped,
        firstAt: r.first_at,
        lastAt: r.last_at,
        error: r.error,
      }));
    return view;
  }

  private executions(limit: number, only?: { syncId: string; executionId: string }): ExecutionView[] {
    const rows = this.sql
      .exec<{
        sync_id: string;
        execution_id: string;
        name: string | null;
        resync: ResyncReason;
        total_pages: number;
        started_at: number;
        updated_at: number;
        applied: number;
        failed: number;
        requests: number;
        pages: number;
        contents: number;
        added: number;
        removed: number;
        dropped: number;
        skipped: number;
      }>(
        `SELECT e.sync_id, e.execution_id, s.name, e.resync, e.total_pages, e.started_at, e.updated_at,
           count(CASE WHEN p.status = 'applied' THEN 1 END) AS applied,
           count(CASE WHEN p.status = 'failed' THEN 1 END) AS failed,
           coalesce(sum(p.requests), 0) AS requests, count(p.page) AS pages,
           (SELECT count(*) FROM page_contents c WHERE c.sync_id = e.sync_id AND c.execution_id = e.execution_id) AS contents,
           coalesce(sum(p.added), 0) AS added, coalesce(sum(p.removed), 0) AS removed,
           coalesce(sum(p.dropped), 0) AS dropped, coalesce(sum(p.skipped), 0) AS skipped
         FROM executions e
         LEFT JOIN syncs s ON s.sync_id = e.sync_id
         LEFT JOIN pages p ON p.sync_id = e.sync_id AND p.execution_id = e.execution_id
         WHERE (?1 IS NULL OR (e.sync_id = ?1 AND e.execution_id = ?2))
         GROUP BY e.sync_id, e.execution_id
         ORDER BY e.updated_at DESC
         LIMIT ?3`,
        only?.syncId ?? null,
        only?.executionId ?? null,
        limit,
      )
      .toArray();
    return rows.map((r) => ({
      syncId: r.sync_id,
      executionId: r.execution_id,
      name: r.name ?? r.sync_id,
      resync: r.resync,
      totalPages: r.total_pages,
      pagesApplied: r.applied,
      pagesFailed: r.failed,
      requests: r.requests,
      // A page number reused with other users is another page, not a retry.
      retries: r.requests - Math.max(r.pages, r.contents),
      added: r.added,
      removed: r.removed,
      dropped: r.dropped,
      skipped: r.skipped,
      status: r.failed > 0 ? 'failing' : r.total_pages > 0 && r.applied >= r.total_pages ? 'complete' : 'receiving',
      startedAt: r.started_at,
      updatedAt: r.updated_at,
    }));
  }

  private insertError(e: SyncError, at: number): void {
    this.sql.exec(
      'INSERT INTO errors (at, status, error, detail, sync_id, execution_id, page) VALUES (?, ?, ?, ?, ?, ?, ?)',
      at,
      e.status,
      e.error,
      e.detail.slice(0, 2000),
      e.syncId ?? null,
      e.executionId ?? null,
      e.page ?? null,
    );
    this.sql.exec('DELETE FROM errors WHERE id <= (SELECT max(id) FROM errors) - ?', KEEP_ERRORS);
  }

  private prune(): void {
    const cutoff = this.sql
      .exec<{ at: number | null }>('SELECT updated_at AS at FROM executions ORDER BY updated_at DESC LIMIT 1 OFFSET ?', KEEP_EXECUTIONS)
      .toArray()[0]?.at;
    if (cutoff == null) return;
    this.sql.exec(
      'DELETE FROM pages WHERE (sync_id, execution_id) IN (SELECT sync_id, execution_id FROM executions WHERE updated_at <= ?)',
      cutoff,
    );
    this.sql.exec(
      'DELETE FROM page_contents WHERE (sync_id, execution_id) IN (SELECT sync_id, execution_id FROM executions WHERE updated_at <= ?)',
      cutoff,
    );
    this.sql.exec('DELETE FROM executions WHERE updated_at <= ?', cutoff);
  }

  private changes(): number {
    return this.sql.exec<{ n: number }>('SELECT changes() AS n').one().n;
  }
}

function armedView(armedAt: number | null, now: number): Pick<SegmentView, 'resyncArmed' | 'resyncArmedUntil'> {
  const until = armedAt == null ? null : armedAt + RESYNC_ARM_TTL_MS;
  return until != null && until > now ? { resyncArmed: true, resyncArmedUntil: until } : { resyncArmed: false, resyncArmedUntil: null };
}
