// The inbound peers' store: the schema a Node engineer would write for level postbacks (users
// with a balance, postbacks unique per user, game and level, a ledger of credits, the API
// secret's hash), in a fresh SQLite file or a fresh schema of the local PostgreSQL database.
// The bench creates and seeds it before the peer starts, and reads it after the peer stopped.
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { newDir, removeDir } from '../targets.js';

export interface PeerStore {
  /** What the peer app is started with to find its store. */
  env: Record<string, string>;
  seed(users: readonly string[], secretHash: string): Promise<void>;
  /** Every stored postback as `uid:gid:level`, keys stored more than once, balances that disagree with their ledger. */
  inspect(): Promise<{ stored: Set<string>; duplicates: number; badBalances: number }>;
  cleanup(): Promise<void>;
}

const schema = (id: string, serial: string, time: string) => [
  `CREATE TABLE users (id ${id} PRIMARY KEY, coins BIGINT NOT NULL DEFAULT 0)`,
  'CREATE TABLE api_secrets (hash TEXT NOT NULL)',
  `CREATE TABLE postbacks (id ${serial} PRIMARY KEY, uid ${id} NOT NULL REFERENCES users (id), gid TEXT NOT NULL,
     level INTEGER NOT NULL, pid TEXT NOT NULL, created_at ${time} NOT NULL, UNIQUE (uid, gid, level))`,
  `CREATE TABLE ledger (id ${serial} PRIMARY KEY, uid ${id} NOT NULL REFERENCES users (id),
     postback_id BIGINT NOT NULL REFERENCES postbacks (id), delta INTEGER NOT NULL, created_at ${time} NOT NULL)`,
];

const INSPECT = {
  stored: "SELECT uid || ':' || gid || ':' || level AS key FROM postbacks",
  duplicates: 'SELECT count(*) AS n FROM (SELECT 1 FROM postbacks GROUP BY uid, gid, level HAVING count(*) > 1) d',
  badBalances:
    'SELECT count(*) AS n FROM users u LEFT JOIN (SELECT uid, sum(delta) AS total FROM ledger GROUP BY uid) l ON l.uid = u.id WHERE u.coins <> coalesce(l.total, 0)',
};

export function sqlitePeerStore(): PeerStore {
  const dir = newDir();
  const file = path.join(dir, 'peer.db');
  return {
    env: { DATABASE_FILE: file },
    seed(users, secretHash) {
      const db = new Database(file);
      try {
        db.pragma('journal_mode = WAL');
        for (const statement of schema('TEXT', 'INTEGER', 'INTEGER')) db.exec(statement);
        const insert = db.prepare('INSERT INTO users (id) VALUES (?)');
        db.transaction(() => users.forEach((id) => insert.run(id)))();
        db.prepare('INSERT INTO api_secrets (hash) VALUES (?)').run(secretHash);
      } finally {
        db.close();
      }
      return Promise.resolve();
    },
    inspect() {
      const db = new Database(file, { readonly: true });
      try {
        const stored = new Set((db.prepare(INSPECT.stored).all() as Array<{ key: string }>).map((r) => r.key));
        const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
        return Promise.resolve({ stored, duplicates: count(INSPECT.duplicates), badBalances: count(INSPECT.badBalances) });
      } finally {
        db.close();
      }
    },
    cleanup: () => Promise.resolve(removeDir(dir)),
  };
}

export async function postgresPeerStore(baseUrl: string): Promise<PeerStore> {
  const name = `peer_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${name}"`);
    await admin.query(`SET search_path = "${name}"`);
  } catch (error) {
    await admin.end();
    throw error;
  }
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  const count = async (sql: string) => Number((await admin.query<{ n: string }>(sql)).rows[0]!.n);
  return {
    env: { DATABASE_URL: url.toString() },
    async seed(users, secretHash) {
      for (const statement of schema('UUID', 'BIGSERIAL', 'TIMESTAMPTZ')) await admin.query(statement);
      await admin.query('INSERT INTO users (id) SELECT unnest($1::uuid[])', [users]);
      await admin.query('INSERT INTO api_secrets (hash) VALUES ($1)', [secretHash]);
    },
    async inspect() {
      const stored = new Set((await admin.query<{ key: string }>(INSPECT.stored)).rows.map((r) => r.key));
      return { stored, duplicates: await count(INSPECT.duplicates), badBalances: await count(INSPECT.badBalances) };
    },
    async cleanup() {
      await admin.query(`DROP SCHEMA "${name}" CASCADE`);
      await admin.end();
    },
  };
}
