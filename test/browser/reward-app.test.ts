// The reward app's side of the dashboard in headless Chromium against a real hub (SQLite): one
// user followed from a click on a Play Store link to the credit of a level postback, in the
// user's "Where is my reward?" trace; a manual adjustment through its dialog, seen in the ledger
// and the trace; an app key created in the Catalog, shown once, listed, used and revoked. The
// user page is photographed at 1440×900 and 390×844 (the paths are printed).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, postJson, startTestHub, type TestHub } from '../helpers/hub.js';
import { browserAvailable, ensureDashboardBuilt, launchChromium, newPage, screenshot, signInWithToken } from '../helpers/browser.js';

const run = browserAvailable();
const SHOTS = process.env.SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'postback-hub-reward-app-shots');
const PID = 'wordapp';
const OFFER = 'word-blitz';

describe.skipIf(!run)('the reward app in the dashboard', () => {
  let hub: TestHub;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const userId = randomUUID();
  let linkId: string;
  let clickId: string;
  let eventId: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    fs.mkdirSync(SHOTS, { recursive: true });
    hub = await startTestHub('sqlite');
    browser = await launchChromium();
    page = await newPage(browser, { viewport: { width: 1440, height: 900 } }, consoleErrors);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  const dialog = () => page.locator('dialog[open]');
  const section = (title: string) => page.locator('section', { has: page.getByRole('heading', { name: title, level: 2 }) });
  const steps = () => section('Where is my reward?').getByRole('list', { name: 'Steps, oldest first' }).getByRole('listitem');
  // Evaluated in the page (as text: the tests are type-checked without the DOM's types).
  const focusedText = () => page.evaluate<string | null>('document.activeElement?.textContent?.trim() ?? null');
  /** Accepts the next window.confirm (Playwright dismisses them otherwise). */
  const acceptConfirm = (expected: RegExp) =>
    page.once('dialog', (d) => {
      expect(d.message()).toMatch(expected);
      void d.accept();
    });
  const shoot = (name: string, viewport: { width: number; height: number }) => screenshot(page, SHOTS, name, viewport);

  it('clicks a Play Store link and credits a level postback, through the API', async () => {
    expect((await hub.admin('/apps', { body: { pid: PID, name: 'Word app' } })).status).toBe(201);
    expect((await hub.admin('/offers', { body: { id: OFFER, name: 'Word Blitz' } })).status).toBe(201);
    expect((await hub.admin('/users', { body: { id: userId, appId: PID } })).status).toBe(201);
    const link = await hub.admin('/links', { body: { offerId: OFFER, name: 'Word Blitz on Play', partner: 'gamezop', config: { playStore: { package: 'com.example.game', pid: PID } } } });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    linkId = link.body.id;

    const click = await fetch(`${hub.url}/c/${linkId}?sub=${userId}`, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toContain('com.example.game');
    // Clicks are written just after the redirect.
    const clicks = async () => (await hub.admin(`/clicks?link=${linkId}`)).body.items;
    await expect.poll(async () => (await clicks()).length, { timeout: 5000 }).toBe(1);
    clickId = (await clicks())[0].id;

    const secret = (await hub.admin('/api-secrets', { body: { name: 'word studio' } })).body.secret;
    const answer = await postJson(`${hub.url}/api/postback`, { pid: PID, uid: userId, gid: OFFER, level_number: 10 }, { authorization: `Bearer ${secret}` });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, awarded: true, coinDelta: 25 });
    const events = (await hub.admin(`/events?user=${userId}`)).body.items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ clickId, partner: 'gamezop', level: 10, coins: 25 });
    eventId = events[0].id;
  });

  it('shows the balance and where the reward came from: the click, the postback, the credit', async () => {
    await signInWithToken(page, hub.url, ADMIN_TOKEN);
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Users & ledger', exact: true }).click();
    await page.getByRole('link', { name: userId }).click();
    expect(page.url()).toContain(`id=${userId}`);

    await expect.poll(() => page.getByLabel('Balance').textContent()).toBe('25 coins');
    const status = page.getByRole('status', { name: 'Status' });
    await status.waitFor();
    expect(await status.locator('.badge').textContent()).toBe('credited');
    expect(await status.locator('p').textContent()).toMatch(/^credited 25 coins on \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);

    await expect.poll(() => steps().count()).toBe(3);
    const [click, postback, credit] = await steps().allTextContents();
    expect(click).toMatch(/^Click.*Clicked “Word Blitz on Play” for “Word Blitz” \(partner gamezop\), sent to the Play Store with an install referrer for app wordapp$/);
    expect(postback).toMatch(/^Postback.*reported level 10 of “Word Blitz”.*accepted/);
    expect(postback).toContain(`from click ${clickId}`);
    expect(credit).toMatch(/^Credit.*\+25 coins: Level 10 of “Word Blitz”/);
    // The postback and its credit link to the event in the explorer.
    const links = section('Where is my reward?').getByRole('link', { name: 'The event in the explorer' });
    expect(await links.count()).toBe(2);
    expect(await links.first().getAttribute('href')).toBe(`/admin/events/${eventId}`);

    const ledgerRow = section('Ledger').getByRole('row', { name: /Level 10/ });
    const cells = (await ledgerRow.getByRole('cell').allTextContents()).map((t) => t.trim());
    expect(cells.slice(1)).toEqual(['+25', expect.stringMatching(/^Level 10 of “Word Blitz” from the level postback API/), '25', 'milestone', 'the event']);
  });

  it('narrows the trace to an offer or a transaction, kept in the address', async () => {
    const trace = section('Where is my reward?');
    await trace.getByLabel('Offer').fill('another-game');
    await trace.getByRole('button', { name: 'Trace' }).click();
    await expect.poll(() => trace.getByRole('status', { name: 'Status' }).locator('.badge').textContent()).toBe('nothing yet');
    expect(await trace.getByRole('status', { name: 'Status' }).textContent()).toContain('nothing yet: no click and no postback for offer "another-game"');
    expect(page.url()).toContain('offer=another-game');
    expect(page.url()).toContain(`id=${userId}`);

    await trace.getByLabel('Offer').fill(OFFER);
    await trace.getByRole('button', { name: 'Trace' }).click();
    await expect.poll(() => trace.getByRole('status', { name: 'Status' }).locator('.badge').textContent()).toBe('credited');
    expect(await steps().count()).toBe(3);
    // Reloaded, the page keeps the filter.
    await page.reload();
    expect(await section('Where is my reward?').getByLabel('Offer').inputValue()).toBe(OFFER);
    await section('Where is my reward?').getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => page.url()).not.toContain('offer=');
  });

  it('adjusts the balance by hand through the dialog: refused with the field named, then done', async () => {
    const open = page.getByRole('button', { name: 'Manual adjustment' });
    // Escape closes the dialog and focus comes back to the button.
    await open.click();
    await dialog().getByLabel('Coins').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);
    await expect.poll(focusedText).toBe('Manual adjustment');

    await open.click();
    const form = dialog();
    await form.getByLabel('Coins').fill('-1000');
    await form.getByLabel('Reason').fill('Test debit');
    await form.getByRole('button', { name: 'Adjust balance' }).click();
    // Refused (409): said under the Coins field, which is marked invalid and focused.
    const coins = form.getByLabel('Coins');
    await expect.poll(() => coins.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await coins.getAttribute('aria-describedby'))!;
    expect(await form.locator(`[id="${describedBy}"]`).textContent()).toBe('A debit of 1000 coins would take the balance of 25 below zero');
    expect(await page.evaluate("document.activeElement?.getAttribute('aria-invalid')")).toBe('true');

    await coins.fill('50');
    await form.getByLabel('Reason').fill('Goodwill: level 9 was lost in a crash');
    await form.getByRole('button', { name: 'Adjust balance' }).click();
    await page.getByText('Credited 50 coins by hand: the balance is now 75 coins.').waitFor();
    expect(await dialog().count()).toBe(0);
    await expect.poll(focusedText).toBe('Manual adjustment');

    // The balance, the ledger and the trace are read again.
    await expect.poll(() => page.getByLabel('Balance').textContent()).toBe('75 coins');
    const newest = section('Ledger').getByRole('row').nth(1);
    await expect.poll(async () => (await newest.getByRole('cell').allTextContents()).slice(1, 5)).toEqual(['+50', 'Manual adjustment: Goodwill: level 9 was lost in a crash', '—', 'adjustment']);
    await expect.poll(() => steps().count()).toBe(4);
    expect(await steps().last().textContent()).toMatch(/^Adjustment.*\+50 coins: Manual adjustment: Goodwill: level 9 was lost in a crash$/);
    expect((await hub.admin(`/users/${userId}/balance`)).body.coins).toBe(75);
  });

  it('shows the fraction of a coin a partner carries', async () => {
    // Gamezop pays per session; 0.000012 USD at 100,000 coins per USD less a 20 % buffer is 0.96 coin.
    const source = await hub.admin('/sources', {
      body: { slug: 'gamezop', name: 'Gamezop', preset: 'gamezop', overrides: { reward: { kind: 'revenue-share', coinsPerUsd: 100_000, shareBps: 10_000, bufferBps: 2000 } } },
    });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    const session = await postJson(`${hub.url}/postbacks/gamezop`, { 'user-id': userId, 'session-id': randomUUID(), 'your-estimated-revenue': '0.000012' }, { authorization: `Bearer ${source.body.secret}` });
    expect(session.status, JSON.stringify(session.body)).toBe(200);
    await page.reload();
    const carried = page.getByRole('list', { name: 'Carried toward the next coin' });
    await expect.poll(() => carried.textContent()).toBe('0.96 coin from Gamezop (gamezop)');
    expect(await page.getByLabel('Balance').textContent()).toBe('75 coins');
    await expect.poll(() => page.getByRole('status', { name: 'Status' }).locator('p').textContent()).toMatch(/^credited 0\.96 coins on .*: below a whole coin so far, carried until the fractions add up to one$/);
    // Below a whole coin, the session moved no coins: a postback in the trace, no ledger entry.
    expect(await steps().last().textContent()).toMatch(/^Postback.*Gamezop reported session.*: accepted/);
    expect(await section('Ledger').getByRole('row').count()).toBe(3);
  });

  it('looks right on a laptop and on a phone', async () => {
    await shoot('user-page-1440', { width: 1440, height: 900 });
    await shoot('user-page-390', { width: 390, height: 844 });
    await page.getByRole('button', { name: 'Manual adjustment' }).click();
    await dialog().getByLabel('Coins').fill('0');
    await dialog().getByLabel('Reason').fill('Nothing at all');
    await dialog().getByRole('button', { name: 'Adjust balance' }).click();
    await dialog().getByText('coins must not be 0').waitFor();
    await shoot('adjustment-dialog-390', { width: 390, height: 844 });
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('creates an app key in the Catalog, shows it once, lists it, and revokes it', async () => {
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Catalog', exact: true }).click();
    const open = page.getByRole('button', { name: `Keys of ${PID}` });
    await open.click();
    const keys = dialog();
    await keys.getByText('No key yet.').waitFor();
    await keys.getByLabel('Name').fill('backend');
    await keys.getByLabel('feed:ack').uncheck();
    await keys.getByRole('button', { name: 'Create key' }).click();
    const key = await keys.getByLabel('App key').inputValue();
    expect(await keys.getByText('Copy it now').count()).toBe(1);
    const row = keys.getByRole('row', { name: /backend/ });
    await row.waitFor();
    const listed = (await hub.admin(`/apps/${PID}/keys`)).body.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ name: 'backend', scopes: ['balances:read', 'feed:read', 'traces:read'], revokedAt: null });
    expect(key.startsWith(listed[0].prefix)).toBe(true);
    const cells = (await row.getByRole('cell').allTextContents()).map((t) => t.trim());
    expect(cells).toEqual(['backend', `${listed[0].prefix}…`, 'balances:read feed:read traces:read', expect.any(String), 'never', 'active', 'Revoke']);
    await shoot('app-keys-1440', { width: 1440, height: 900 });

    // The key opens the app API for this app's user.
    const balance = await fetch(`${hub.url}/app/v1/users/${userId}`, { headers: { authorization: `Bearer ${key}` } });
    expect(balance.status).toBe(200);
    expect(((await balance.json()) as { coins: number }).coins).toBe(75);
    // Its use is noted a moment later.
    await expect.poll(async () => (await hub.admin(`/apps/${PID}/keys`)).body.items[0].lastUsedAt, { timeout: 20_000 }).not.toBeNull();

    // Shown once: dismissed, or the dialog closed and opened again, it is gone.
    await keys.getByRole('button', { name: 'I have stored it' }).click();
    expect(await keys.getByLabel('App key').count()).toBe(0);
    await keys.getByRole('button', { name: 'Close' }).click();
    await expect.poll(focusedText).toBe('Keys');
    await open.click();
    await dialog().getByRole('row', { name: /backend/ }).waitFor();
    expect(await dialog().getByLabel('App key').count()).toBe(0);
    expect(await dialog().getByRole('row', { name: /backend/ }).getByRole('cell').nth(4).locator('time').count()).toBe(1);

    acceptConfirm(/Revoke the key backend\?/);
    await dialog().getByRole('button', { name: 'Revoke key backend' }).click();
    await expect.poll(() => dialog().getByRole('row', { name: /backend/ }).textContent()).toContain('revoked');
    expect((await fetch(`${hub.url}/app/v1/users/${userId}`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    await shoot('app-keys-390', { width: 390, height: 844 });
    await dialog().getByRole('button', { name: 'Close' }).click();
    expect(consoleErrors.filter((e) => !/409|Conflict|400|Bad Request/i.test(e))).toEqual([]);
  });
});
