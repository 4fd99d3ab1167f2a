import fs from 'node:fs';
import Database from 'better-sqlite3';
import { StartupError } from '../../lib/errors.js';

/**
 * One hub process per SQLite file: its writer thread must be the file's only writer and its
 * worker the only one claiming deliveries. The lock is SQLite's own on a companion file, held
 * in exclusive locking mode by an open connection, so the kernel releases it when the process
 * ends, however it ends (a SIGKILL leaves no stale lock to clean up).
 */
export function lockDatabaseFile(file: string): { release(): void } {
  const lockFile = `${file}.lock`;
  fs.closeSync(fs.openSync(lockFile, 'a', 0o600));
  const db = new Database(lockFile, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // A write takes the exclusive lock; in this locking mode it is never given back.
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new StartupError(
        `another postback-hub process is already running on ${file} (it holds ${lockFile}): stop it first; several processes need PostgreSQL`,
      );
    }
    throw error;
  }
  return { release: () => db.close() };
}
