import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HUB_START_MS, runCli, startHubProcess } from './helpers/process.js';

describe('postback-hub command', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start on a bad value, naming the variable', async () => {
    const { code, output } = await runCli(['serve'], { PORT: 'http', DATA_DIR: tmp() });
    expect(code).toBe(1);
    expect(output).toContain('configuration error: PORT: expected a whole number');
  }, HUB_START_MS);

  it('generates the admin token on first start, prints it once, and keeps it', async () => {
    const dataDir = tmp();
    const first = await startHubProcess({ DATA_DIR: dataDir });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const token = fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    expect(token).toMatch(/^pbh_admin_/);
    expect(first.output()).toContain(token);
    expect((fs.statSync(path.join(dataDir, 'admin-token')).mode & 0o777).toString(8)).toBe('600');

    const second = await startHubProcess({ DATA_DIR: dataDir });
    const response = await fetch(`${second.url}/admin/api/users`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    second.child.kill('SIGTERM');
    await second.exited;
    expect(second.output()).not.toContain(token);
  }, 2 * HUB_START_MS + 30_000);

  it('refuses to start on an unusable admin-token file instead of overwriting it', async () => {
    const dataDir = tmp();
    fs.writeFileSync(path.join(dataDir, 'admin-token'), 'short\n');
    const { code, output } = await runCli(['serve'], { DATA_DIR: dataDir, PORT: '0' });
    expect(code).toBe(1);
    expect(output).toContain('configuration error: ADMIN_TOKEN:');
    expect(fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8')).toBe('short\n');
  }, HUB_START_MS);

  it('creates the first owner from the command line, who signs in with the password printed once; says so at start until then', async () => {
    const dataDir = tmp();
    const before = await startHubProcess({ DATA_DIR: dataDir });
    before.child.kill('SIGTERM');
    expect(await before.exited).toBe(0);
    expect(before.output()).toContain('create-owner --email you@example.com');
    expect(before.output()).toMatch(/Dashboard: {4}http:\/\/127\.0\.0\.1:\d+\/admin\nAPI document: http:\/\/127\.0\.0\.1:\d+\/docs/);

    expect(await runCli(['create-owner'], { DATA_DIR: dataDir })).toMatchObject({ code: 1, output: expect.stringContaining('create-owner needs the owner\'s email') });
    const created = await runCli(['create-owner', '--email', 'Boss@Example.com'], { DATA_DIR: dataDir });
    expect(created.code).toBe(0);
    const password = /password: (\S+)/.exec(created.output)?.[1] ?? '';
    expect(password).toHaveLength(20);
    expect(await runCli(['create-owner', '--email', 'boss@example.com'], { DATA_DIR: dataDir })).toMatchObject({ code: 1, output: 'refused: An operator with email boss@example.com already exists\n' });

    const hub = await startHubProcess({ DATA_DIR: dataDir });
    try {
      expect(hub.output()).not.toContain('create-owner');
      const signIn = await fetch(`${hub.url}/admin/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'boss@example.com', password }) });
      expect(signIn.status).toBe(200);
      expect(await signIn.json()).toMatchObject({ name: 'boss@example.com', role: 'owner' });
    } finally {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
  }, 3 * HUB_START_MS + 30_000);

  it('backs up the live SQLite database while the hub serves, never over an existing file', async () => {
    const dataDir = tmp();
    const hub = await startHubProcess({ DATA_DIR: dataDir, ADMIN_TOKEN: 'cli-test-admin-token-0123456789' });
    try {
      const created = await fetch(`${hub.url}/admin/api/users`, { method: 'POST', headers: { authorization: 'Bearer cli-test-admin-token-0123456789', 'content-type': 'application/json' }, body: '{"id":"kept-user"}' });
      expect(created.status).toBe(201);
      const copy = path.join(dataDir, 'backups', 'hub.db');
      const done = await runCli(['backup', '--to', copy], { DATA_DIR: dataDir });
      expect(done).toMatchObject({ code: 0, output: expect.stringContaining(`to ${copy}`) });
      expect((fs.statSync(copy).mode & 0o777).toString(8)).toBe('600');
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(copy, { readonly: true });
      expect(db.prepare('SELECT id FROM users').all()).toEqual([{ id: 'kept-user' }]);
      db.close();
      expect(await runCli(['backup', '--to', copy], { DATA_DIR: dataDir })).toMatchObject({ code: 1, output: `cannot start: ${copy} already exists: back up to a new file\n` });
      expect((await runCli(['backup'], { DATA_DIR: dataDir })).output).toContain('backup needs the file to write');
    } finally {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
  }, 2 * HUB_START_MS + 30_000);

  it('migrates, creates a partner secret, and prints help', async () => {
    const dataDir = tmp();
    const env = { DATA_DIR: dataDir };
    expect(await runCli(['migrate'], env)).toMatchObject({ code: 0, output: expect.stringContaining('migrations applied (sqlite)') });
    expect(fs.existsSync(path.join(dataDir, 'postback-hub.db'))).toBe(true);
    const created = await runCli(['create-secret', '--name', 'studio'], env);
    expect(created.code).toBe(0);
    expect(created.output).toMatch(/secret: pbh_[A-Za-z0-9_-]{43}/);
    const help = (await runCli(['help'], env)).output;
    expect(help).toContain('Usage: postback-hub <command>');
    expect(help).toContain('WORKER_HEALTH_PORT');
    // Every variable the README's configuration table lists.
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const variables = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(variables.length).toBeGreaterThan(20);
    for (const variable of variables) expect(help, variable).toContain(variable);
    expect(help).toContain('create-owner');
    expect((await runCli(['frobnicate'], env)).code).toBe(2);
  }, 4 * HUB_START_MS);

  it('worker: serves /healthz, /readyz and /metrics (METRICS_TOKEN applies) on WORKER_HEALTH_PORT, and nothing else', async () => {
    const metricsToken = 'worker-metrics-token-0123456789';
    const worker = await startHubProcess({ DATA_DIR: tmp(), ADMIN_TOKEN: 'cli-test-admin-token-0123456789', METRICS_TOKEN: metricsToken, WORKER_HEALTH_PORT: '0' }, ['worker']);
    try {
      const health = /"health":"(http:\/\/[^"]+)"/.exec(worker.output())?.[1];
      expect(health).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${health}/healthz`)).json()).toEqual({ ok: true });
      const ready = await fetch(`${health}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ ok: true });
      const refused = await fetch(`${health}/metrics`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ ok: false, error: 'unauthorized', message: 'Missing or invalid metrics token' });
      const metrics = await fetch(`${health}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(metrics.status).toBe(200);
      // The worker's own: its outbox gauges and its process.
      expect(await metrics.text()).toMatch(/postback_hub_delivery_queue_depth 0/);
      // No API, no dashboard, no documentation on this port.
      for (const path of ['/admin/api/users', '/admin/', '/docs/json', '/postbacks/any']) expect((await fetch(`${health}${path}`)).status).toBe(404);
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited).toBe(0);
  }, HUB_START_MS + 30_000);
});
