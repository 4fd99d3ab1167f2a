// inbound-<store>: the partner postback API's POST /api/postback with distinct valid
// postbacks, against the same requests answered by a bare node:http server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { adminPost, line, load, startBaseline, startHub, WARM_UP_SECONDS, type LoadResult } from './lib.js';

export interface BenchSettings {
  seconds: number;
  connections: number;
  pipelining: number;
}

const USERS = 2000;

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

export function sqliteTarget(): Target {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-bench-'));
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
    cleanup: () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })),
  };
}

export async function postgresTarget(baseUrl: string): Promise<Target> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-bench-'));
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
      fs.rmSync(dir, { recursive: true, force: true });
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

export async function inboundScenario(kind: 'sqlite' | 'postgres', settings: BenchSettings, postgresUrl: string): Promise<string[]> {
  const target = kind === 'sqlite' ? sqliteTarget() : await postgresTarget(postgresUrl);
  const hub = await startHub({ ...target.env, ...(kind === 'postgres' ? { PG_POOL_SIZE: '32' } : {}) });
  let hubResult: LoadResult;
  const users: string[] = [];
  try {
    await adminPost(hub.url, '/apps', { pid: 'cashgiraffe' });
    await adminPost(hub.url, '/offers', { id: 'my_game' });
    for (let i = 0; i < USERS; i += 100) {
      const batch = await Promise.all(Array.from({ length: 100 }, () => adminPost(hub.url, '/users', {})));
      users.push(...batch.map((u: { id: string }) => u.id));
    }
    const { secret } = await adminPost(hub.url, '/api-secrets', { name: 'bench' });

    const headers = { 'content-type': 'application/json', authorization: `Bearer ${secret}` };
    // Request i: user i mod USERS, level i div USERS + 1 — never the same postback twice.
    const nextRequest = (i: number) => ({
      path: '/api/postback',
      headers,
      body: JSON.stringify({ pid: 'cashgiraffe', uid: users[i % USERS], gid: 'my_game', level_number: Math.floor(i / USERS) + 1 }),
    });
    const base = { url: hub.url, connections: settings.connections, pipelining: settings.pipelining, method: 'POST' as const, nextRequest };
    const warmup = await load({ ...base, seconds: WARM_UP_SECONDS, firstIndex: 0 });
    hubResult = await load({ ...base, seconds: settings.seconds, firstIndex: 10_000_000 });
    await hub.stop();

    const { accepted, duplicates, badBalances } = await target.inspect();
    const acked = [...warmup.acked, ...hubResult.acked];
    const missing = acked.filter((i) => !accepted.has(`${users[i % USERS]}:my_game:${Math.floor(i / USERS) + 1}`)).length;
    const baseline = await runBaseline(settings, nextRequest);
    return [
      line(`inbound-${kind}`, hubResult, baseline),
      `  checked: ${acked.length} acknowledged, ${missing} missing, ${accepted.size} stored, ${duplicates} duplicates, ` +
        `${badBalances} balances off their ledger, ${hubResult.non2xx} non-2xx, ${hubResult.errors} errors`,
    ];
  } finally {
    await hub.stop();
    await target.cleanup();
  }
}

export async function runBaseline(
  settings: BenchSettings,
  nextRequest: (i: number) => { path: string; body?: string; headers: Record<string, string> },
  method: 'GET' | 'POST' = 'POST',
) {
  const baseline = await startBaseline();
  try {
    const base = { url: baseline.url, connections: settings.connections, pipelining: settings.pipelining, method, nextRequest };
    await load({ ...base, seconds: WARM_UP_SECONDS });
    return await load({ ...base, seconds: settings.seconds });
  } finally {
    await baseline.stop();
  }
}
