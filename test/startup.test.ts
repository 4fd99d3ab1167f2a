// Start-up failures an operator meets (a store that is not there, a taken port, a data
// directory that cannot be written, two processes that disagree) are one line each, exit 1,
// and leave nothing behind: no admin token printed or kept, no secret key generated.
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli, startHubProcess, type HubProcess } from './helpers/process.js';
import { HUB_START_MS } from './helpers/timing.js';
import { STORE_KINDS, TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from './helpers/stores.js';

const ADMIN = 'startup-admin-token-0123456789';

// Each test starts several processes; on a loaded machine one start can take many seconds.
vi.setConfig({ testTimeout: 3 * HUB_START_MS });
const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

const dirs: string[] = [];
const processes: HubProcess[] = [];
const databases: TestDatabase[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-startup-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const hub of processes.splice(0)) {
    hub.child.kill('SIGKILL');
    await hub.exited;
  }
  for (const db of databases.splice(0)) await db.cleanup();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The whole output is one line, with no stack trace, and the process exited 1. */
function expectOneLine(result: { code: number | null; output: string }, pattern: RegExp): void {
  expect(result.code, result.output).toBe(1);
  expect(result.output.trim().split('\n'), result.output).toHaveLength(1);
  expect(result.output).toMatch(pattern);
  expect(result.output).not.toMatch(/\n\s+at /);
}

/** Nothing kept in the data directory: no admin token, no secret key. */
function expectNothingKept(dataDir: string): void {
  const kept = fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [];
  expect(kept).not.toContain('admin-token');
  expect(kept).not.toContain('secret-key');
}

function databaseUrl(db: TestDatabase): string {
  return db.config.kind === 'sqlite' ? `sqlite:${db.config.file}` : db.config.url;
}

describe('start-up failures in words', () => {
  it('a PostgreSQL server that is not there: names host:port and the cause', async () => {
    const dataDir = tmp();
    const result = await runCli(['serve'], { DATA_DIR: dataDir, PORT: '0', DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/test' });
    expectOneLine(result, /^cannot start: PostgreSQL at 127\.0\.0\.1:1 is unreachable: connection refused/);
    expect(result.output).not.toContain('hunter2');
    expectNothingKept(dataDir);
  });

  it.runIf(STORE_KINDS.includes('postgres'))('a database that does not exist: says how to create it', async () => {
    const dataDir = tmp();
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = '/postback_hub_no_such_database';
    const result = await runCli(['serve'], { DATA_DIR: dataDir, PORT: '0', DATABASE_URL: url.toString() });
    expectOneLine(result, /has no database "postback_hub_no_such_database": create it \(createdb -h 127\.0\.0\.1 -p 5432 "postback_hub_no_such_database"\)/);
    expectNothingKept(dataDir);
  });

  it('a port in use: names it', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const dataDir = tmp();
      const result = await runCli(['serve'], { DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port) });
      expectOneLine(result, new RegExp(`^cannot start: port ${port} on 127\\.0\\.0\\.1 is already in use`));
      expectNothingKept(dataDir);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('a data directory that cannot be written: names it', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a-file'), '');
    const dataDir = path.join(dir, 'a-file', 'data');
    const result = await runCli(['serve'], { DATA_DIR: dataDir, PORT: '0' });
    expectOneLine(result, new RegExp(`^cannot start: DATA_DIR ${dataDir} is not a writable directory \\(ENOTDIR`));
  });

  it('a SQLite file that cannot be opened: names the path and why', async () => {
    const dir = tmp();
    const directory = path.join(dir, 'is-a-directory.db');
    fs.mkdirSync(directory, { mode: 0o755 });
    expectOneLine(
      await runCli(['serve'], { DATA_DIR: path.join(dir, 'data'), PORT: '0', DATABASE_URL: `sqlite:${directory}` }),
      new RegExp(`^cannot start: cannot open the SQLite database ${directory}: it is a directory`),
    );
    // Left as it was: the hub tightens its own database files, not a directory named by mistake.
    expect((fs.statSync(directory).mode & 0o777).toString(8)).toBe('755');
    const garbage = path.join(dir, 'garbage.db');
    fs.writeFileSync(garbage, 'this is not a database, it is a text file that is long enough to be read as a header');
    expectOneLine(
      await runCli(['serve'], { DATA_DIR: path.join(dir, 'data'), PORT: '0', DATABASE_URL: `sqlite:${garbage}` }),
      new RegExp(`^cannot start: cannot open the SQLite database ${garbage}: it is not a SQLite database`),
    );
    expectNothingKept(path.join(dir, 'data'));
  });
});

describe('one SQLite file, one process', () => {
  it('a second hub on the same file refuses to start, and starts once the first has stopped', async () => {
    const dataDir = tmp();
    const first = await startHubProcess({ DATA_DIR: dataDir, ADMIN_TOKEN: ADMIN });
    processes.push(first);
    for (const mode of ['serve', 'worker', 'api']) {
      expectOneLine(await runCli([mode], { DATA_DIR: dataDir, ADMIN_TOKEN: ADMIN, PORT: '0' }), /^cannot start: another postback-hub process is already running on .*postback-hub\.db/);
    }
    // The first still serves.
    expect((await fetch(`${first.url}/admin/api/users`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
    // The lock goes with the process, however it ends.
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startHubProcess({ DATA_DIR: dataDir, ADMIN_TOKEN: ADMIN });
    processes.push(second);
    expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
  });
});

describe.each(STORE_KINDS)('the SECRET_KEY check on %s', (kind) => {
  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase(kind);
    databases.push(db);
    return db;
  }

  it.runIf(kind === 'postgres')('a worker with another SECRET_KEY than the API refuses to start, naming SECRET_KEY', async () => {
    const db = await database();
    const url = databaseUrl(db);
    const api = await startHubProcess({ DATA_DIR: db.dataDir, DATABASE_URL: url, ADMIN_TOKEN: ADMIN, SECRET_KEY: KEY_A }, ['api']);
    processes.push(api);
    const other = await runCli(['worker'], { DATA_DIR: tmp(), DATABASE_URL: url, ADMIN_TOKEN: ADMIN, SECRET_KEY: KEY_B });
    expectOneLine(other, /^configuration error: SECRET_KEY: this database's secrets are sealed with another key/);
    expect(other.output).not.toContain(KEY_A);
    expect(other.output).not.toContain(KEY_B);
    // A worker that generates its own key (no SECRET_KEY, its own data directory) is refused
    // too, and keeps nothing of what it generated.
    const ownDir = tmp();
    expectOneLine(await runCli(['worker'], { DATA_DIR: ownDir, DATABASE_URL: url, ADMIN_TOKEN: ADMIN }), /SECRET_KEY: this database's secrets are sealed with another key/);
    expectNothingKept(ownDir);
    // The same key: it runs.
    const worker = await startHubProcess({ DATA_DIR: tmp(), DATABASE_URL: url, ADMIN_TOKEN: ADMIN, SECRET_KEY: KEY_A }, ['worker']);
    processes.push(worker);
  });

  it('a hub restarted with another SECRET_KEY refuses to start; with its own it starts', async () => {
    const db = await database();
    const env = { DATA_DIR: db.dataDir, DATABASE_URL: databaseUrl(db), ADMIN_TOKEN: ADMIN };
    const first = await startHubProcess({ ...env, SECRET_KEY: KEY_A });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expectOneLine(await runCli(['serve'], { ...env, PORT: '0', SECRET_KEY: KEY_B }), /^configuration error: SECRET_KEY: this database's secrets are sealed with another key/);
    const again = await startHubProcess({ ...env, SECRET_KEY: KEY_A });
    processes.push(again);
  });

  it('a database from before key fingerprints: a key that cannot open its secrets is refused', async () => {
    const db = await database();
    const env = { DATA_DIR: db.dataDir, DATABASE_URL: databaseUrl(db), ADMIN_TOKEN: ADMIN };
    const first = await startHubProcess({ ...env, SECRET_KEY: KEY_A });
    const created = await fetch(`${first.url}/admin/api/sources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'gg3', preset: 'gg3', overrides: { auth: [{ kind: 'secret-query', param: 'pk' }] } }),
    });
    expect(created.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await forgetFingerprint(db);
    expectOneLine(await runCli(['serve'], { ...env, PORT: '0', SECRET_KEY: KEY_B }), /^configuration error: SECRET_KEY: cannot open the secrets already in this database/);
    // The right key opens them, and the database takes its fingerprint again.
    const again = await startHubProcess({ ...env, SECRET_KEY: KEY_A });
    processes.push(again);
    again.child.kill('SIGTERM');
    await again.exited;
    processes.pop();
    expectOneLine(await runCli(['serve'], { ...env, PORT: '0', SECRET_KEY: KEY_B }), /SECRET_KEY: this database's secrets are sealed with another key/);
  });
});

/** As a database written before fingerprints were kept. */
async function forgetFingerprint(db: TestDatabase): Promise<void> {
  const statement = "DELETE FROM settings WHERE key = 'secret_key_fingerprint'";
  if (db.config.kind === 'sqlite') {
    const sqlite = new Database(db.config.file);
    expect(sqlite.prepare(statement).run().changes).toBe(1);
    sqlite.close();
    return;
  }
  const client = new pg.Client({ connectionString: db.config.url });
  await client.connect();
  try {
    expect((await client.query(statement)).rowCount).toBe(1);
  } finally {
    await client.end();
  }
}
