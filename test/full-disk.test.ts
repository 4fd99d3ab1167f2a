// A full disk under SQLite, for real: the data directory on a small tmpfs filled by a ballast
// file. While it is full, postbacks and /readyz answer 503; once some space is freed the hub
// recovers without a restart, and every postback answered 200 is there exactly once.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';

/** Room left for the hub beside the ballast: less than the WAL reaches before SQLite's auto-checkpoint (4 MiB), so no checkpoint runs while postbacks fill it. */
const GAP = 2 * 1024 * 1024;

describe('a full disk (SQLite)', () => {
  let mount: string | null = null;
  let unavailable = '';
  let hub: TestHub | undefined;

  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-full-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'pipe' });
      mount = dir;
    } catch (error) {
      fs.rmdirSync(dir);
      const reason = `mounting a tmpfs is not permitted here (${String((error as { stderr?: Buffer }).stderr ?? error).split('\n')[0]!.trim()})`;
      if (process.env.REQUIRE_TMPFS === '1') throw new Error(`REQUIRE_TMPFS=1 but ${reason}`);
      unavailable = `${reason}; run as root, or set REQUIRE_TMPFS=1 to make this a failure`;
    }
  });

  afterAll(async () => {
    try {
      await hub?.close();
    } finally {
      if (mount !== null) {
        // Lazy: a hub that failed to close must not leave the mount behind.
        execFileSync('umount', ['--lazy', mount]);
        fs.rmdirSync(mount);
      }
    }
  });

  it('answers 503 while full, /readyz too, and recovers by itself once space is freed', { timeout: 120_000 }, async ({ skip }) => {
    skip(mount === null, unavailable);
    const dataDir = path.join(mount!, 'data');
    hub = await startTestHub('sqlite', { db: { config: { kind: 'sqlite', file: path.join(dataDir, 'hub.db') }, dataDir, cleanup: () => Promise.resolve() } });
    const h = hub;
    await h.admin('/apps', { body: { pid: 'cashgiraffe' } });
    await h.admin('/offers', { body: { id: 'my_game' } });
    const uid = randomUUID();
    await h.admin('/users', { body: { id: uid } });
    const { secret } = (await h.admin('/api-secrets', { body: {} })).body;
    let level = 0;
    const accepted = new Map<number, number>();
    const send = async () => {
      level += 1;
      const response = await postJson(`${h.url}/api/postback`, { pid: 'cashgiraffe', uid, gid: 'my_game', level_number: level }, { authorization: `Bearer ${secret}` });
      if (response.status === 200) accepted.set(level, response.body.coinDelta);
      return response;
    };
    const readyz = async () => {
      const response = await fetch(`${h.url}/readyz`);
      return { status: response.status, body: await response.json() };
    };
    expect((await send()).status).toBe(200);
    expect((await readyz()).status).toBe(200);

    // Fill the file system, then give back GAP: postbacks fill that until one is refused.
    const ballast = path.join(mount!, 'ballast');
    const fd = fs.openSync(ballast, 'w');
    try {
      for (const size of [1024 * 1024, 4096, 1]) {
        for (;;) {
          try {
            fs.writeSync(fd, Buffer.alloc(size));
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw error;
          }
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.truncateSync(ballast, fs.statSync(ballast).size - GAP);
    let filled = 0;
    let refused: Awaited<ReturnType<typeof send>> | undefined;
    while (refused === undefined) {
      const response = await send();
      if (response.status === 200) filled += 1;
      else refused = response;
      expect(filled, 'the gap never filled').toBeLessThan(5000);
    }
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ ok: false, error: 'store_unavailable' });
    expect(await readyz()).toEqual({ status: 503, body: expect.objectContaining({ ok: false, error: 'store_unavailable' }) });

    // Free a quarter of what the postbacks took. Alone it buys about a quarter as many
    // postbacks again; the hub must also give back what its WAL holds, and so take at least
    // half as many as it took to fill the gap.
    fs.truncateSync(ballast, fs.statSync(ballast).size - GAP / 4);
    const deadline = Date.now() + 30_000;
    while ((await readyz()).status !== 200) {
      expect(Date.now(), '/readyz never recovered').toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (let i = 0; i < Math.ceil(filled / 2); i++) expect((await send()).status, `postback ${i + 1} of ${Math.ceil(filled / 2)} after space was freed`).toBe(200);
    expect((await readyz()).status).toBe(200);

    // Every postback answered 200 is recorded once and credited; nothing refused is.
    const events: Array<{ level: number; outcome: string }> = [];
    for (let cursor = ''; ; ) {
      const page = (await h.admin(`/events?user=${uid}&limit=500${cursor}`)).body;
      events.push(...page.items);
      if (page.nextCursor === null) break;
      cursor = `&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(events.map((e) => e.level).sort((a, b) => a - b)).toEqual([...accepted.keys()]);
    expect(events.every((e) => e.outcome === 'accepted')).toBe(true);
    const user = (await h.admin(`/users/${uid}`)).body;
    expect(user.coins).toBe([...accepted.values()].reduce((a, b) => a + b, 0));
  });
});
