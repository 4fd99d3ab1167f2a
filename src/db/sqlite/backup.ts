import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StartupError } from '../../lib/errors.js';

/**
 * A consistent copy of a live SQLite database, through SQLite's online backup API: the hub may
 * keep serving and writing meanwhile (the copy is of one moment; the API starts over if a write
 * lands mid-copy). The copy is created owner-only, like the database, and never overwrites a file.
 */
export async function backupSqlite(file: string, to: string): Promise<number> {
  if (!fs.existsSync(file)) throw new StartupError(`there is no SQLite database at ${file} to back up (check DATABASE_URL and DATA_DIR)`);
  const target = path.resolve(to);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(target, 'wx', 0o600));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartupError(code === 'EEXIST' ? `${target} already exists: back up to a new file` : `cannot write ${target} (${code})`);
  }
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await source.backup(target);
  } catch (error) {
    fs.rmSync(target, { force: true });
    throw error;
  } finally {
    source.close();
  }
  return fs.statSync(target).size;
}
