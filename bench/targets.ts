// The store a benchmarked hub runs on: a fresh SQLite file, or a fresh schema of a local
// PostgreSQL database; each can be inspected after the hub's clean stop, and removed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

export interface Target {
  env: Record<string, string>;
  /** The accepted external ids and the balances that disagree with their ledger. */
  inspect(): Promise<{ accepted: Set<string>; duplicates: number; badBalances: number }>;
  /** The first column of every row a query returns, as text. */
  column(sql: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

const CHECK_SQL = {
  accepted: "SELECT external_id FROM events WHERE source = 'reward-levels' AND outcome = 'accepted'",
  duplicates: "SELECT count(*) AS n FROM events WHERE outcome = 'duplicate'",
  badBalances: 'SELECT count(*) AS n FROM users u WHERE u.coins <> (SELECT coalesce(sum(l.delta), 0) FROM ledger_entries l WHERE l.user_id = u.id)',
};

/** Every target's directory not yet cleaned up, so that an interrupted run can remove them. */
const dirs = new Set<string>();

/** A new temporary directory, removed by `removeTargetDirs` if the run is interrupted. */
export function newDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-bench-'));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** For an interrupted run: removes every target's directory (PostgreSQL's schemas stay). */
export function removeTargetDirs(): void {
  for (const dir of dirs) removeDir(dir);
}

export function sqliteTarget(): Target {
  const dir = newDir();
  const file = path.join(dir, 'hub.db');
  return {
    env: { DATA_DIR: dir, DATABASE_URL: `sqlite:${file}` },
    inspect() {
      const db = new Database(file, { readonly: true });
      try {
        const accepted = new Set((db.prepare(CHECK_SQL.accepted).all() as Array<{ external_id: string }>).map((r) => r.external_id));
        const duplicates = (db.prepare(CHECK_SQL.duplicates).get() as { n: number }).n;
        const badBalances = (db.prepare(CHECK_SQL.badBalances).get() as { n: number }).n;
        return Promise.resolve({ accepted, duplicates, badBalances });
      } finally {
        db.close();
      }
    },
    column(sql) {
      const db = new Database(file, { readonly: true });
      try {
        return Promise.resolve(db.prepare(sql).raw().all().map((row) => String((row as unknown[])[0])));
      } finally {
        db.close();
      }
    },
    cleanup: () => Promise.resolve(removeDir(dir)),
  };
}

export async function postgresTarget(baseUrl: string): Promise<Target> {
  const dir = newDir();
  const schema = `bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: { DATA_DIR: dir, DATABASE_URL: url.toString() },
    async inspect() {
      await admin.query(`SET search_path = "${schema}"`);
      const accepted = new Set((await admin.query<{ external_id: string }>(CHECK_SQL.accepted)).rows.map((r) => r.external_id));
      const duplicates = Number((await admin.query<{ n: string }>(CHECK_SQL.duplicates)).rows[0]!.n);
      const badBalances = Number((await admin.query<{ n: string }>(CHECK_SQL.badBalances)).rows[0]!.n);
      return { accepted, duplicates, badBalances };
    },
    async column(sql) {
      await admin.query(`SET search_path = "${schema}"`);
      return (await admin.query({ text: sql, rowMode: 'array' })).rows.map((row: unknown[]) => String(row[0]));
    },
    async cleanup() {
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
      removeDir(dir);
    },
  };
}

export async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch {
    // Not `end()` here: after a failed connect pg's `end()` can wait forever (node-postgres #2777).
    return false;
  }
  await client.end();
  return true;
}

export function newTarget(kind: 'sqlite' | 'postgres', postgresUrl: string): Promise<Target> {
  return kind === 'sqlite' ? Promise.resolve(sqliteTarget()) : postgresTarget(postgresUrl);
}
