import { loadConfig } from '../../src/app/config.js';
import { createHub, type Hub } from '../../src/app/hub.js';
import type { App } from '../../src/http/types.js';
import { createTestDatabase, type StoreKind, type TestDatabase } from './stores.js';
import type { DatabaseConfig } from '../../src/app/config.js';
import type { Clock } from '../../src/lib/clock.js';
import type { LingerLimits } from '../../src/http/lingering-close.js';
import type { FastifyBaseLogger } from 'fastify';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

export interface TestHub {
  url: string;
  hub: Hub & { app: App };
  db: TestDatabase;
  /** fetch against the hub with the admin token. */
  admin(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** A real hub listening on 127.0.0.1 (or `host`) on a fresh database of the given kind; `env` adds configuration variables. */
export async function startTestHub(
  kind: StoreKind,
  options: { database?: DatabaseConfig; db?: TestDatabase; worker?: boolean; clock?: Clock; outboundAllow?: string; trustProxy?: boolean; env?: Record<string, string>; logger?: FastifyBaseLogger; linger?: LingerLimits; host?: string } = {},
): Promise<TestHub> {
  const db = options.db ?? (await createTestDatabase(kind));
  const env = { DATA_DIR: db.dataDir, OUTBOUND_ALLOW: options.outboundAllow ?? '127.0.0.0/8', TRUST_PROXY: String(options.trustProxy ?? false), ...options.env };
  const config = { ...loadConfig(env), database: options.database ?? db.config };
  const hub = await createHub(config, {
    adminToken: ADMIN_TOKEN,
    secretKey: TEST_SECRET_KEY,
    ...(db.schema ? { schema: db.schema } : {}),
    ...(options.worker === undefined ? {} : { worker: options.worker }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.linger === undefined ? {} : { linger: options.linger }),
  });
  const { app } = hub;
  if (app === null) throw new Error('a test hub serves HTTP');
  await hub.start();
  const url = await app.listen({ port: 0, host: options.host ?? '127.0.0.1' });
  return {
    url,
    hub: Object.assign(hub, { app }),
    db,
    async admin(path, init = {}) {
      const response = await fetch(`${url}/admin/api${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? null : JSON.parse(text) };
    },
    async close() {
      await hub.close();
      if (options.db === undefined) await db.cleanup();
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, body: json, headers: response.headers };
}
