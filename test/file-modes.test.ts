// The data directory and the SQLite files hold users' records and the sources' secrets: they
// are owner-only, whoever else can log in to the machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHubProcess, type HubProcess } from './helpers/process.js';

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('file modes', () => {
  let root: string;
  let running: HubProcess | undefined;
  afterEach(async () => {
    running?.child.kill('SIGKILL');
    await running?.exited;
    running = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('creates the data directory 0700 and the database, its -wal and -shm 0600', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-modes-'));
    const dataDir = path.join(root, 'data');
    running = await startHubProcess({ DATA_DIR: dataDir });
    expect(mode(dataDir)).toBe('700');
    const files = ['postback-hub.db', 'postback-hub.db-wal', 'postback-hub.db-shm', 'admin-token', 'secret-key'];
    expect(Object.fromEntries(files.map((f) => [f, mode(path.join(dataDir, f))]))).toEqual(Object.fromEntries(files.map((f) => [f, '600'])));
  });

  it('creates a database elsewhere in a 0700 directory, and tightens one left readable by others', { timeout: 60_000 }, async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-modes-'));
    const dir = path.join(root, 'db');
    const file = path.join(dir, 'hub.db');
    const env = { DATA_DIR: path.join(root, 'data'), DATABASE_URL: `sqlite:${file}` };
    running = await startHubProcess(env);
    expect(mode(dir)).toBe('700');
    // Killed, it leaves its -wal and -shm behind; then someone (or an earlier version) opened them up.
    running.child.kill('SIGKILL');
    await running.exited;
    const files = [file, `${file}-wal`, `${file}-shm`];
    for (const f of files) fs.chmodSync(f, 0o644);

    running = await startHubProcess(env);
    expect(files.map(mode)).toEqual(['600', '600', '600']);
  });
});
