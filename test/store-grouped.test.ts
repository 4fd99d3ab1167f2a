import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UniqueViolationError } from '../src/lib/errors.js';
import { newId } from '../src/lib/ids.js';
import { openDatabase } from '../src/db/open.js';
import { catalogDal } from '../src/features/catalog/catalog-dal.js';
import { eventsDal } from '../src/features/conversions/events-dal.js';
import type { RecordEventCommand } from '../src/features/conversions/events-types.js';
import { usersDal } from '../src/features/ledger/users-dal.js';
import { PROCEDURES_MODULE, procedures, type HubDb } from '../src/features/procedures.js';
import { testEvent } from './helpers/events.js';
import { STORE_KINDS, createTestDatabase, type StoreKind, type TestDatabase } from './helpers/stores.js';

const T0 = 1_750_000_000_000;

function levelCommand(userId: string, level: number, coins: number): RecordEventCommand {
  return {
    event: testEvent({ source: 'reward-levels', type: 'level', receivedAt: T0, userId, offerId: 'my_game', level, externalId: `${userId}:my_game:${level}` }),
    requires: { offerId: 'my_game', userId },
    credit: { ledgerEntryId: newId(), coins, kind: 'milestone' },
  };
}

async function open(kind: StoreKind, db: TestDatabase, options: { groupCommit?: boolean; onCommit?: (size: number, seconds: number, ok: boolean) => void } = {}): Promise<HubDb> {
  return openDatabase(db.config, { procedures, proceduresModule: PROCEDURES_MODULE, ...(db.schema === undefined ? {} : { schema: db.schema }), ...options });
}

describe.each(STORE_KINDS)('grouped write channel on %s', (kind) => {
  let db: TestDatabase;
  let hubDb: HubDb;
  const commits: Array<{ size: number; ok: boolean }> = [];

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    commits.length = 0;
    hubDb = await open(kind, db, { groupCommit: true, onCommit: (size, _seconds, ok) => commits.push({ size, ok }) });
    await catalogDal(hubDb).createOffer({ id: 'my_game', name: null, createdAt: T0 });
  });

  afterEach(async () => {
    await hubDb.close();
    await db.cleanup();
  });

  it('declares that concurrent calls share a transaction', () => {
    expect(hubDb.capabilities.groupCommit).toBe(true);
  });

  it('runs concurrent calls in one commit, each with its own result; failing ones are rolled back alone', async () => {
    const users = usersDal(hubDb);
    const events = eventsDal(hubDb);
    for (const id of ['taken', 'a', 'b', 'c']) await users.createUser({ id, appId: null, deviceId: null, createdAt: T0 });
    commits.length = 0;

    const credited = [events.recordEvent(levelCommand('a', 1, 10)), events.recordEvent(levelCommand('b', 1, 20)), events.recordEvent(levelCommand('c', 1, 30))];
    const created = Array.from({ length: 5 }, (_, i) => users.createUser({ id: `new-${i}`, appId: `app-${i}`, deviceId: null, createdAt: T0 + i }));
    const duplicate = users.createUser({ id: 'taken', appId: null, deviceId: null, createdAt: T0 });
    // Its first statement succeeds, its second fails: the first must not stay written.
    const halfDone = hubDb.execute([
      hubDb.raw('INSERT INTO users (id, app_id, device_id, coins, created_at, updated_at) VALUES (?, NULL, NULL, 0, ?, ?)', ['half-done', T0, T0]),
      hubDb.raw('INSERT INTO users (id, app_id, device_id, coins, created_at, updated_at) VALUES (?, NULL, NULL, 0, ?, ?)', ['taken', T0, T0]),
    ]);
    const missingUser = events.recordEvent(levelCommand('nobody', 1, 40));
    const [results, createdUsers, duplicateOutcome, halfDoneOutcome, missingOutcome] = await Promise.all([
      Promise.all(credited),
      Promise.all(created),
      duplicate.then(() => 'stored', (error: unknown) => error),
      halfDone.then(() => 'stored', (error: unknown) => error),
      missingUser,
    ]);

    expect(commits).toEqual([{ size: 11, ok: true }]);
    expect(results.map((r) => r.outcome === 'accepted' && { coins: r.coins, user: r.user?.id, balance: r.user?.coins })).toEqual([
      { coins: 10, user: 'a', balance: 10 },
      { coins: 20, user: 'b', balance: 20 },
      { coins: 30, user: 'c', balance: 30 },
    ]);
    expect(createdUsers).toEqual(Array.from({ length: 5 }, (_, i) => ({ id: `new-${i}`, appId: `app-${i}`, deviceId: null, coins: 0, createdAt: T0 + i, updatedAt: T0 + i })));
    expect(duplicateOutcome).toBeInstanceOf(UniqueViolationError);
    expect(halfDoneOutcome).toBeInstanceOf(UniqueViolationError);
    expect(missingOutcome).toMatchObject({ outcome: 'rejected', reason: 'unknown_user' });

    expect(await users.getUser('half-done')).toBeNull();
    for (let i = 0; i < 5; i++) expect(await users.getUser(`new-${i}`)).not.toBeNull();
    expect((await users.getUser('b'))?.coins).toBe(20);
    expect((await users.listLedger('a', { limit: 10 })).items.map((e) => e.delta)).toEqual([10]);
  });

  it('commits what was submitted before close, and refuses calls after it', async () => {
    const users = usersDal(hubDb);
    const before = users.createUser({ id: 'before-close', appId: null, deviceId: null, createdAt: T0 });
    const closed = hubDb.close();
    await expect(users.createUser({ id: 'after-close', appId: null, deviceId: null, createdAt: T0 })).rejects.toThrow(/shutting down/);
    await expect(before).resolves.toMatchObject({ id: 'before-close' });
    await closed;
    hubDb = await open(kind, db, { groupCommit: true });
    expect(await usersDal(hubDb).getUser('before-close')).not.toBeNull();
  });
});

describe.each(STORE_KINDS)('write channel defaults on %s', (kind) => {
  it('groups calls on SQLite always, on PostgreSQL only when asked', async () => {
    const db = await createTestDatabase(kind);
    const hubDb = await open(kind, db);
    try {
      expect(hubDb.capabilities.groupCommit).toBe(kind === 'sqlite');
      expect(hubDb.capabilities.sharedByProcesses).toBe(kind === 'postgres');
    } finally {
      await hubDb.close();
      await db.cleanup();
    }
  });
});
