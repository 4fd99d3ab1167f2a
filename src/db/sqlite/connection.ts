import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * The database holds every user's record and the sources' (encrypted) secrets: owner-only,
 * like the data directory. Runs once, before any connection is open: closing a descriptor of
 * the file would drop this process's SQLite locks on it, so the file is only opened here when
 * it does not exist yet.
 */
export function prepareDatabaseFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // Created 0600 before SQLite creates it 0644: SQLite gives the -wal and -shm files the
    // database file's mode.
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // One created by an earlier version (or left by a crash, for -wal and -shm) is tightened.
  for (const existing of [file, `${file}-wal`, `${file}-shm`]) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(existing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    // Only files: a directory named as the database is refused when SQLite opens it, unchanged.
    if (stat.isFile() && (stat.mode & 0o077) !== 0) fs.chmodSync(existing, stat.mode & 0o600);
  }
}

/**
 * WAL lets the main thread read while the writer thread commits; synchronous=FULL makes every
 * commit reach the disk before it returns, which is what lets a 200 promise durability.
 */
export function openSqlite(file: string, role: 'writer' | 'reader'): Database.Database {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  // Savepoints inside a group commit need a statement journal; keep it off the file system.
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  if (role === 'writer') {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  } else {
    // Reads only: a write on this connection would block the event loop waiting for the lock.
    db.pragma('query_only = ON');
  }
  return db;
}
