/**
 * A Durable Object's SQLite schema as one ordered list of migrations. The version reached is kept
 * in the `meta` table (`schema`), so an object created by any earlier release upgrades step by step
 * on its next start, and a new object runs the same list from the top: there is no second copy of
 * the schema to drift from the first.
 */
export interface Migration {
  version: number;
  /** What the step changes, in words (shown when a step fails). */
  does: string;
  up(sql: SqlStorage): void;
}

const META = 'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)';

/** The version an object's storage is at (0: created before versions were kept, or empty). */
export function schemaVersion(sql: SqlStorage): number {
  sql.exec(META);
  const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'schema'").toArray()[0];
  return row ? Number(JSON.parse(row.value)) : 0;
}

/** Runs every migration above the stored version, each in its own transaction with its version bump. */
export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[]): number {
  let version = schemaVersion(storage.sql);
  for (const step of migrations) {
    if (step.version <= version) continue;
    try {
      storage.transactionSync(() => {
        step.up(storage.sql);
        storage.sql.exec(
          "INSERT INTO meta (key, value) VALUES ('schema', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          JSON.stringify(step.version),
        );
      });
    } catch (error) {
      throw new Error(`schema migration to version ${step.version} (${step.does}) failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    version = step.version;
  }
  return version;
}
