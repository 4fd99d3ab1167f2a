// The Alerts page in headless Chromium against a real hub (SQLite, its clock held): a webhook
// channel added (its signing secret shown once) and tested against a real receiver, an email
// channel whose test says why it cannot send, a threshold changed, a paused destination firing
// (what fires now, the history filtered from the query string), a channel deleted.
// Photographed at 1440×900 and 390×844.
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestHub, type TestHub } from '../helpers/hub.js';
import { browserAvailable, ensureDashboardBuilt, launchChromium, newPage, screenshot, signInWithToken } from '../helpers/browser.js';
import { startReceiver } from '../helpers/receiver.js';

const run = browserAvailable();
const SHOTS = process.env.SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'postback-hub-alerts-shots');

describe.skipIf(!run)('the Alerts page in the dashboard', () => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let browser: Browser;
  let page: Page;
  // Held, but from the real time: the overview asks for the browser's own today.
  let now = Date.now();
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    hub = await startTestHub('sqlite', { worker: false, clock: { now: () => now } });
    receiver = await startReceiver();
    browser = await launchChromium();
    page = await newPage(browser, { viewport: { width: 1440, height: 900 } }, consoleErrors);
    page.on('dialog', (d) => void d.accept());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    await receiver?.close();
  });

  const dialog = () => page.locator('dialog[open]');
  const channels = () => page.getByRole('region', { name: 'Channels' });
  const shoot = (name: string, viewport: { width: number; height: number }) => screenshot(page, SHOTS, name, viewport);

  it('adds a webhook channel, shows its secret once, and tests it', async () => {
    await signInWithToken(page, hub.url, ADMIN_TOKEN);
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    await page.getByText('Nothing is firing.').waitFor();

    await channels().getByRole('button', { name: 'Add channel' }).click();
    await dialog().getByLabel('Name').fill('ops chat');
    await dialog().getByLabel('URL').fill(`${receiver.url}/slack`);
    await dialog().getByRole('button', { name: 'Add channel' }).click();
    const secret = await dialog().getByLabel('Secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await dialog().getByRole('button', { name: 'I have stored it' }).click();
    await channels().getByText('ops chat', { exact: true }).waitFor();
    const [created] = (await hub.admin('/alerts/channels')).body.items;
    expect(created).toMatchObject({ name: 'ops chat', kind: 'webhook', hasSecret: true });
    expect(created.secret).toBeUndefined();

    await channels().getByRole('button', { name: 'Send test' }).click();
    await channels().getByText('Test notice sent to ops chat: HTTP 200.').waitFor();
    expect(receiver.received.map((r) => JSON.parse(r.body).text)).toEqual(['[TEST] Test notice to "ops chat": alerts from this Postback Hub reach this channel']);
  });

  it('adds email recipients; their test says why no email can go out without SMTP_URL', async () => {
    await channels().getByRole('button', { name: 'Add channel' }).click();
    await dialog().getByLabel('Email').check();
    await dialog().getByLabel('Name').fill('on call');
    await dialog().getByLabel('Recipients').fill('oncall@example.com, lead@example.com');
    await dialog().getByRole('button', { name: 'Add channel' }).click();
    const item = channels().getByRole('listitem').filter({ hasText: 'on call' });
    await item.getByText('oncall@example.com, lead@example.com').waitFor();
    await item.getByRole('button', { name: 'Send test' }).click();
    await channels().getByText(/The test notice did not reach on call: SMTP_URL is not set/).waitFor();
  });

  it('changes a threshold', async () => {
    const backlog = page.getByRole('group', { name: 'Deliveries backing up' });
    await backlog.getByLabel('Waited minutes').fill('5');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText(/^Saved at /).waitFor();
    expect((await hub.admin('/alerts/rules')).body.delivery_backlog).toEqual({ enabled: true, minutes: 5 });
  });

  it('shows what fires now and the history, filtered from the query string', async () => {
    const destination = (await hub.admin('/destinations', { body: { name: 'GG3 webhooks', config: { url: `${receiver.url}/partner` } } })).body;
    await hub.admin(`/destinations/${destination.id}/pause`, { method: 'POST' });
    expect((await hub.hub.services.alertMonitor.check()).notices.map((n) => n.state)).toEqual(['firing']);
    now += 61 * 60_000;
    // (The email channel's notice is retried too: without SMTP_URL it cannot go out.)
    expect((await hub.hub.services.alertMonitor.check()).notices.map((n) => n.state)).toContain('repeat');

    await page.getByRole('region', { name: 'Firing now' }).getByRole('button', { name: 'Refresh' }).click();
    const firing = page.getByRole('region', { name: 'Firing now' });
    await firing.getByText('Destination "GG3 webhooks" paused').waitFor();
    await firing.getByText(/paused by an operator/).waitFor();
    const history = page.getByRole('region', { name: 'History' });
    await history.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => history.locator('tbody tr').count()).toBe(2);
    expect(await history.locator('tbody tr').first().textContent()).toContain('still firing');
    expect(await history.locator('tbody tr').first().textContent()).toContain('✓ ops chat');

    await history.getByLabel('Notice').selectOption('firing');
    await expect.poll(() => new URL(page.url()).searchParams.get('state')).toBe('firing');
    await expect.poll(() => history.locator('tbody tr').count()).toBe(1);
    await history.getByLabel('Notice').selectOption('');
    await expect.poll(() => history.locator('tbody tr').count()).toBe(2);
    await shoot('alerts-1440', { width: 1440, height: 900 });
    await shoot('alerts-390', { width: 390, height: 844 });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('deletes a channel', async () => {
    const item = channels().getByRole('listitem').filter({ hasText: 'on call' });
    await item.getByRole('button', { name: 'Delete' }).click();
    await channels().getByText('on call deleted.').waitFor();
    expect((await hub.admin('/alerts/channels')).body.items.map((c: { name: string }) => c.name)).toEqual(['ops chat']);
    expect(consoleErrors).toEqual([]);
  });
});
