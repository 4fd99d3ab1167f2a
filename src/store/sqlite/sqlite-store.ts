import { Kysely, SqliteDialect } from 'kysely';
import { migrateToLatest } from '../migrate.js';
import type { Database } from '../schema.js';
import { SqlStore } from '../sql-store.js';
import { openSqlite, prepareDatabaseFile } from './connection.js';
import { mapSqliteError } from './errors.js';
import { GroupCommitWriter, type CommitObserver } from './group-commit.js';

export interface SqliteStoreOptions {
  onCommit?: CommitObserver;
}

/**
 * The embedded store: migrations run on a short-lived connection, then every write goes
 * through the group-committing writer thread and every read through a read-only connection
 * on the calling thread (WAL lets them run side by side).
 */
export async function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Promise<SqlStore> {
  prepareDatabaseFile(file);
  const migrationDb = new Kysely<unknown>({ dialect: new SqliteDialect({ database: openSqlite(file, 'writer') }) });
  try {
    await migrateToLatest(migrationDb, 'sqlite');
  } finally {
    await migrationDb.destroy();
  }

  const writes = new GroupCommitWriter(file);
  writes.observer = options.onCommit ?? null;
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(file, 'reader') }) });
  const store = new SqlStore({
    dialect: 'sqlite',
    db,
    writes,
    mapError: mapSqliteError,
    closeReads: () => db.destroy(),
  });
  // Start the writer thread now, so the first postback does not pay for it.
  await writes.start();
  return store;
}
