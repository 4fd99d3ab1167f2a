import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError, UniqueViolationError } from '../src/lib/errors.js';
import { newId } from '../src/lib/ids.js';
import { openDatabase } from '../src/db/open.js';
import { catalogDal } from '../src/features/catalog/catalog-dal.js';
import { eventsDal } from '../src/features/conversions/events-dal.js';
import type { RecordEventCommand } from '../src/features/conversions/events-types.js';
import { rewardAppDal } from '../src/features/reward-app/reward-app-dal.js';
import { usersDal } from '../src/features/ledger/users-dal.js';
import { PROCEDURES_MODULE, procedures, type HubDb } from '../src/features/procedures.js';
import { testEvent } from './helpers/events.js';
import { STORE_KINDS, createTestDatabase, type StoreKind, type TestDatabase } from './helpers/stores.js';

const T0 = 1_750_000_000_000;

function levelCommand(userId: string, level: number, coins: number): RecordEventCommand {
  return {
    event: testEvent({ source: 'reward-levels', type: 'level', receivedAt: T0, userId, offerId: 'my_game', level, externalId: `${userId}:my_game:${level}` }),
    requires: { offerId: 'my_game', userId },
    credit: { ledgerEntryId: newId(), micros: coins * 1_000_000, kind: 'milestone' },
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
    expect((await rewardAppDal(hubDb).ledger('a', { limit: 10 })).items.map((e) => e.delta)).toEqual([10]);
  });

  it('records the postbacks of one group together, each with its own outcome', async () => {
    const users = usersDal(hubDb);
    const events = eventsDal(hubDb);
    for (let u = 0; u < 10; u++) await users.createUser({ id: `u${u}`, appId: null, deviceId: null, createdAt: T0 });
    commits.length = 0;

    // 40 postbacks, each user credited four times; the last two: a repeat, and a user nobody has.
    const commands = Array.from({ length: 40 }, (_, i) => levelCommand(`u${i % 10}`, Math.floor(i / 10) + 1, i % 3 === 0 ? 0 : 5));
    const all = [...commands, levelCommand('u3', 1, 5), levelCommand('nobody', 1, 5)];
    const results = await Promise.all(all.map((command) => events.recordEvent(command)));

    expect(commits).toEqual([{ size: 42, ok: true }]);
    expect(results.slice(0, 40).every((r) => r.outcome === 'accepted')).toBe(true);
    expect(results[40]).toMatchObject({ outcome: 'duplicate', duplicateOf: commands[3]!.event.id });
    expect(results[41]).toMatchObject({ outcome: 'rejected', reason: 'unknown_user' });
    for (let u = 0; u < 10; u++) {
      const credited = commands.filter((c) => c.event.userId === `u${u}`).reduce((sum, c) => sum + c.credit!.micros / 1_000_000, 0);
      expect((await users.getUser(`u${u}`))?.coins).toBe(credited);
      expect((await rewardAppDal(hubDb).ledger(`u${u}`, { limit: 10 })).items.reduce((sum, e) => sum + e.delta, 0)).toBe(credited);
    }
    // Every result names its user with a balance that includes its own credit.
    for (const [i, r] of results.slice(0, 40).entries()) {
      expect(r.outcome === 'accepted' && r.user?.id).toBe(`u${i % 10}`);
      expect(r.outcome === 'accepted' && (r.user?.coins ?? -1) >= r.coins).toBe(true);
    }
  });

  it("keeps one call's failure its own when it breaks what the group runs together", async () => {
    const events = eventsDal(hubDb);
    const users = usersDal(hubDb);
    for (const id of ['a', 'b']) await users.createUser({ id, appId: null, deviceId: null, createdAt: T0 });
    const first = levelCommand('a', 1, 10);
    await events.recordEvent(first);
    commits.length = 0;
    // A second event under the first one's id: its insert breaks the batch statement.
    const clash = levelCommand('b', 1, 10);
    clash.event.id = first.event.id;
    const outcomes = await Promise.all([levelCommand('a', 2, 1), clash, levelCommand('b', 2, 2)].map((c) => events.recordEvent(c).then((r) => r.outcome, (error: unknown) => error)));
    expect(outcomes[0]).toBe('accepted');
    expect(outcomes[1]).toBeInstanceOf(UniqueViolationError);
    expect(outcomes[2]).toBe('accepted');
    expect(commits.at(-1)).toEqual({ size: 3, ok: true });
    expect((await users.getUser('a'))?.coins).toBe(11);
    expect((await users.getUser('b'))?.coins).toBe(2);
  });

  it.runIf(kind === 'postgres')('sends a fixed number of statements for a group, however many postbacks and refusals it carries', async () => {
    const users = usersDal(hubDb);
    const events = eventsDal(hubDb);
    for (let u = 0; u < 20; u++) await users.createUser({ id: `s${u}`, appId: null, deviceId: null, createdAt: T0 });
    // Every statement the pool's connections send, counted on its way out (and sent as usual).
    const sent = vi.spyOn(pg.Client.prototype, 'query');
    let statements: string[];
    try {
      commits.length = 0;
      await Promise.all([
        ...Array.from({ length: 60 }, (_, i) => events.recordEvent(levelCommand(`s${i % 20}`, Math.floor(i / 20) + 1, i % 2 === 0 ? 0 : 7))),
        ...Array.from({ length: 15 }, (_, i) => events.recordRejection(testEvent({ source: 'reward-levels', type: 'level', receivedAt: T0 + i }), 'invalid_secret', 'no such API secret')),
      ]);
      statements = sent.mock.calls.map(([query]) => (typeof query === 'string' ? query : (query as { text: string }).text));
    } finally {
      sent.mockRestore();
    }
    expect(commits).toEqual([{ size: 75, ok: true }]);
    // BEGIN, the events, the credits and balances, the rejections, COMMIT.
    expect(statements.length).toBe(5);
    expect(statements[0]).toBe('BEGIN');
    expect(statements.at(-1)).toBe('COMMIT');
    const refused = await events.listEvents({ outcome: 'rejected', limit: 100 });
    expect(refused.items.map((e) => [e.reason, e.detail, e.source])).toEqual(Array.from({ length: 15 }, () => ['invalid_secret', 'no such API secret', 'reward-levels']));
  });

  it.runIf(kind === 'postgres')('fails every call of a group whose connection is lost before its commit, and records none of them', async () => {
    const users = usersDal(hubDb);
    const events = eventsDal(hubDb);
    for (const id of ['x', 'y']) await users.createUser({ id, appId: null, deviceId: null, createdAt: T0 });
    commits.length = 0;
    // The postbacks run together first; then, in the same transaction, a call that ends its own
    // connection: the batch never commits.
    const outcomes = await Promise.all([
      events.recordEvent(levelCommand('x', 1, 10)).then(() => 'stored', (error: unknown) => error),
      events.recordEvent(levelCommand('y', 1, 20)).then(() => 'stored', (error: unknown) => error),
      hubDb.execute([hubDb.raw('SELECT pg_terminate_backend(pg_backend_pid())', [])]).then(() => 'stored', (error: unknown) => error),
    ]);
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(StoreUnavailableError);
    expect(commits).toEqual([{ size: 3, ok: false }]);
    expect((await events.listEvents({ limit: 10 })).items).toEqual([]);
    expect((await users.getUser('x'))?.coins).toBe(0);
    // The pool replaces the lost connection: the next group commits.
    await expect(events.recordEvent(levelCommand('x', 1, 10))).resolves.toMatchObject({ outcome: 'accepted', coins: 10 });
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
  it('groups calls on both unless PostgreSQL is told not to', async () => {
    const db = await createTestDatabase(kind);
    const hubDb = await open(kind, db);
    const ungrouped = kind === 'postgres' ? await open(kind, db, { groupCommit: false }) : null;
    try {
      expect(hubDb.capabilities.groupCommit).toBe(true);
      expect(ungrouped?.capabilities.groupCommit).toBe(kind === 'postgres' ? false : undefined);
      expect(hubDb.capabilities.sharedByProcesses).toBe(kind === 'postgres');
    } finally {
      await ungrouped?.close();
      await hubDb.close();
      await db.cleanup();
    }
  });
});
