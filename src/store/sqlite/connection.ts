import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * WAL lets the main thread read while the writer thread commits; synchronous=FULL makes every
 * commit reach the disk before it returns, which is what lets a 200 promise durability.
 */
export function openSqlite(file: string, role: 'writer' | 'reader'): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
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
