import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/app/config.js';
import { openDatabase } from '../../src/db/open.js';
import { settingsDal } from '../../src/db/settings.js';
import { apiSecretsDal } from '../../src/features/api-secrets/api-secrets-dal.js';
import { catalogDal } from '../../src/features/catalog/catalog-dal.js';
import { clicksDal } from '../../src/features/clicks/clicks-dal.js';
import { eventsDal } from '../../src/features/conversions/events-dal.js';
import { deliveriesDal } from '../../src/features/delivery/deliveries-dal.js';
import { destinationsDal } from '../../src/features/destinations/destinations-dal.js';
import { usersDal } from '../../src/features/ledger/users-dal.js';
import { rewardAppDal } from '../../src/features/reward-app/reward-app-dal.js';
import type { Acknowledgement } from '../../src/features/reward-app/feed-sql.js';
import { PROCEDURES_MODULE, procedures, type HubDb } from '../../src/features/procedures.js';
import { prune } from '../../src/features/retention/retention.js';
import { sourcesDal } from '../../src/features/sources/sources-dal.js';
import { statsDal } from '../../src/features/stats/stats-dal.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  let connected = false;
  try {
    await client.connect();
    connected = true;
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (process.env.REQUIRE_POSTGRES === '1') {
      throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL at ${TEST_DATABASE_URL} is unreachable: ${String(error)}`);
    }
    return false;
  } finally {
    // Only a connected client is ended: after a failed connect pg's `end()` can wait forever (node-postgres #2777).
    if (connected) await client.end().catch(() => {});
  }
}

export type StoreKind = 'sqlite' | 'postgres';

/** Every store the suite runs against: PostgreSQL is skipped only when absent and not required. */
export const STORE_KINDS: StoreKind[] = (await postgresReachable()) ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  config: DatabaseConfig;
  /** PostgreSQL: the schema this test owns. */
  schema?: string;
  /** Where a hub under test keeps its data dir. */
  dataDir: string;
  cleanup(): Promise<void>;
}

/** A fresh, empty database of the given kind: a new SQLite file, or a new PostgreSQL schema. */
export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-test-'));
  if (kind === 'sqlite') {
    return {
      config: { kind: 'sqlite', file: path.join(dataDir, 'hub.db') },
      dataDir,
      cleanup: () => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })),
    };
  }
  // Named after the test run (see global-setup.ts), so that only its own run drops it.
  const schema = `t_${process.env.TEST_RUN_PID ?? process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  // Created here so that a hub started as a separate process finds it.
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  return {
    config: { kind: 'postgres', url: url.toString(), poolSize: 8 },
    schema,
    dataDir,
    // The schema stays until the run ends (test/global-setup.ts drops them all then).
    cleanup: () => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })),
  };
}

/**
 * Every feature's data access over one database, as one object: the store tests exercise the
 * procedures and queries of all of them on both dialects.
 */
function testStore(hubDb: HubDb) {
  return {
    ...usersDal(hubDb),
    ...catalogDal(hubDb),
    ...apiSecretsDal(hubDb),
    ...sourcesDal(hubDb),
    ...destinationsDal(hubDb),
    ...deliveriesDal(hubDb),
    ...eventsDal(hubDb),
    ...clicksDal(hubDb),
    ...statsDal(hubDb),
    ...settingsDal(hubDb),
    listLedger: (userId: string, options: { limit: number; cursor?: string }) => rewardAppDal(hubDb).ledger(userId, options),
    readFeed: (appPid: string, limit: number) => rewardAppDal(hubDb).feed(appPid, null, limit),
    ackFeed: (ack: Acknowledgement) => hubDb.run('ackFeed', ack),
    prune: (before: number, batch: number) => prune(hubDb, before, batch),
    ping: () => hubDb.probe(),
    close: () => hubDb.close(),
  };
}

export type TestStore = ReturnType<typeof testStore>;

/** A fresh database of the given kind, opened as a serving hub would (migrations applied). */
export async function openTestDb(kind: StoreKind): Promise<{ hubDb: HubDb; db: TestDatabase }> {
  const db = await createTestDatabase(kind);
  const hubDb = await openDatabase(db.config, { procedures, proceduresModule: PROCEDURES_MODULE, ...(db.schema === undefined ? {} : { schema: db.schema }) });
  return { hubDb, db };
}

export async function openTestStore(kind: StoreKind): Promise<{ store: TestStore; db: TestDatabase }> {
  const { hubDb, db } = await openTestDb(kind);
  return { store: testStore(hubDb), db };
}
