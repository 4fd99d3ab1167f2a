import fs from 'node:fs';
import { Kysely, SqliteDialect } from 'kysely';
import { StartupError } from '../../lib/errors.js';
import { sqliteInJsonList } from '../executor.js';
import { migrateToLatest } from '../migrate.js';
import type { Tables } from '../schema.js';
import { Database } from '../database.js';
import type { CommitObserver, Registry, builtins } from '../procedure.js';
import { openSqlite, prepareDatabaseFile } from './connection.js';
import { mapSqliteError } from './errors.js';
import { SqliteWriteChannel } from './channel.js';
import { lockDatabaseFile } from './lock.js';

export interface SqliteOptions {
  /** The URL of the module whose `procedures` export is the registry (the writer thread loads it). */
  proceduresModule: string;
  onCommit?: CommitObserver;
  /** Hold the file for this process alone (a serving hub); one-off commands share it. */
  exclusive?: boolean;
}

/**
 * The embedded store: migrations run on a short-lived connection, then every write goes
 * through the group-committing writer thread and every read through a read-only connection
 * on the calling thread (WAL lets them run side by side).
 */
export async function openSqliteDatabase<R extends Registry>(file: string, options: SqliteOptions): Promise<Database<R>> {
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

  const listeners = new Map<string, Set<() => void>>();
  const tell = (channel: string) => {
    for (const listener of listeners.get(channel) ?? []) listener();
  };
  const channel = new SqliteWriteChannel<R & typeof builtins>(file, options.proceduresModule, tell);
  channel.observer = options.onCommit ?? null;
  const kysely = new Kysely<Tables>({ dialect: new SqliteDialect({ database: openSqlite(file, 'reader') }) });
  const database = new Database<R>({
    // One process holds the file (see lock.ts).
    capabilities: { inJsonList: sqliteInJsonList, sharedByProcesses: false, settled: () => '1 = 1' },
    kysely,
    channel,
    mapError: mapSqliteError,
    placeholders: (sql) => sql,
    // One process holds the file (see lock.ts): its own listeners are all there are.
    listen(name, listener) {
      let set = listeners.get(name);
      if (set === undefined) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    notify(name) {
      tell(name);
      return Promise.resolve();
    },
    closeReads: async () => {
      await kysely.destroy();
      lock?.release();
    },
  });
  // Start the writer thread now, so the first postback does not pay for it.
  await channel.start();
  return database;
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
