import fs from 'node:fs';
import { Kysely, SqliteDialect } from 'kysely';
import { StartupError } from '../../lib/errors.js';
import { migrateToLatest } from '../migrate.js';
import type { Database } from '../schema.js';
import { SqlStore } from '../../store/sql-store.js';
import { openSqlite, prepareDatabaseFile } from './connection.js';
import { mapSqliteError } from './errors.js';
import { GroupCommitWriter, type CommitObserver } from './group-commit.js';
import { lockDatabaseFile } from './lock.js';

export interface SqliteStoreOptions {
  onCommit?: CommitObserver;
  /** Hold the file for this process alone (a serving hub); one-off commands share it. */
  exclusive?: boolean;
}

/**
 * The embedded store: migrations run on a short-lived connection, then every write goes
 * through the group-committing writer thread and every read through a read-only connection
 * on the calling thread (WAL lets them run side by side).
 */
export async function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Promise<SqlStore> {
  let lock: { release(): void } | null = null;
  let migrationDb: Kysely<unknown> | undefined;
  try {
    prepareDatabaseFile(file);
    migrationDb = new Kysely<unknown>({ dialect: new SqliteDialect({ database: openSqlite(file, 'writer') }) });
    if (options.exclusive === true) lock = lockDatabaseFile(file);
  } catch (error) {
    await migrationDb?.destroy();
    throw openFailure(file, error);
  }
  try {
    await migrateToLatest(migrationDb, 'sqlite');
  } catch (error) {
    lock?.release();
    throw openFailure(file, error);
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
    closeReads: async () => {
      await db.destroy();
      lock?.release();
    },
  });
  // Start the writer thread now, so the first postback does not pay for it.
  await writes.start();
  return store;
}

/** Why the file cannot be used, in one line naming it. */
function openFailure(file: string, error: unknown): Error {
  if (error instanceof StartupError) return error;
  const { code, message } = error as { code?: string; message?: string };
  let reason = message ?? String(error);
  if (code === 'SQLITE_NOTADB') reason = 'it is not a SQLite database';
  else if (code === 'SQLITE_CANTOPEN' && isDirectory(file)) reason = 'it is a directory';
  else if (code === 'SQLITE_CANTOPEN') reason = 'unable to open the file (does its directory exist, and may this user write there?)';
  else if (code !== undefined && !code.startsWith('SQLITE')) reason = `${code}: ${reason}`;
  return new StartupError(`cannot open the SQLite database ${file}: ${reason}`, { cause: error });
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}
