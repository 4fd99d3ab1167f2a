// The audit log in the dashboard, in headless Chromium against a real hub (SQLite): a destination
// created and renamed in the Destinations page, a source made through the API; the Audit log page
// shows each change with the rename as "name: old → new", filters by resource from the query
// string, and downloads the CSV with the token. Photographed at 1440×900 and 390×844.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestHub, type TestHub } from '../helpers/hub.js';
import { browserAvailable, ensureDashboardBuilt, launchChromium, parseCsv, newPage, screenshot, signInWithToken } from '../helpers/browser.js';

const run = browserAvailable();
const SHOTS = process.env.SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'postback-hub-audit-shots');
const OLD_NAME = 'GG3';
const NEW_NAME = 'GG3 webhooks';


describe.skipIf(!run)('the audit log in the dashboard', () => {
  let hub: TestHub;
  let browser: Browser;
  let page: Page;
  let destinationId: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    fs.mkdirSync(SHOTS, { recursive: true });
    hub = await startTestHub('sqlite');
    browser = await launchChromium();
    page = await newPage(browser, { acceptDownloads: true, viewport: { width: 1440, height: 900 } }, consoleErrors);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  const dialog = () => page.locator('dialog[open]');
  const nav = (name: string) => page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name, exact: true }).click();
  const rows = () => page.getByRole('region', { name: 'Audit log' }).locator('tbody tr');
  const rowOf = (route: string) => rows().filter({ hasText: route });
  const shoot = (name: string, viewport: { width: number; height: number }) => screenshot(page, SHOTS, name, viewport);

  it('creates and renames a destination in the Destinations page', async () => {
    await signInWithToken(page, hub.url, ADMIN_TOKEN);

    await nav('Destinations');
    await page.getByRole('button', { name: 'New destination' }).click();
    await dialog().getByLabel('Name', { exact: true }).fill(OLD_NAME);
    await dialog().getByLabel('URL template').fill('https://partner.example/pb?uid={user_id}&payout={payout}&offer={offer_id}&tx={transaction_id}&event={event}');
    await dialog().getByRole('button', { name: 'Create destination' }).click();
    await page.getByRole('heading', { name: OLD_NAME, level: 2 }).waitFor();
    const listed = (await hub.admin('/destinations')).body.items;
    expect(listed).toHaveLength(1);
    destinationId = listed[0].id;

    await page.getByRole('button', { name: 'Edit' }).click();
    await dialog().getByLabel('Name', { exact: true }).fill(NEW_NAME);
    await dialog().getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: NEW_NAME, level: 2 }).waitFor();

    // A change of another kind, so the resource filter has something to leave out.
    const source = await hub.admin('/sources', { body: { slug: 'shop', name: 'Shop offerwall', preset: 'generic' } });
    expect(source.status, JSON.stringify(source.body)).toBeLessThan(300);
  });

  it('shows each change, the rename as "name: old → new", the destination linked', async () => {
    await nav('Audit log');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await expect.poll(() => rows().count()).toBe(3);

    const created = rowOf('POST /destinations');
    expect(await created.count()).toBe(1);
    const createdText = (await created.textContent()) ?? '';
    expect(createdText).toContain('admin token');
    expect(createdText).toContain(`name: — → ${OLD_NAME}`);
    // A creation's entry names the resource it created, linked to the Destinations page.
    expect(await created.getByRole('link', { name: destinationId }).getAttribute('href')).toBe('/admin/destinations');

    const renamed = rowOf('PATCH /destinations/:id');
    expect(await renamed.count()).toBe(1);
    const items = (await renamed.locator('.audit-changes li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(items).toContain(`name: ${OLD_NAME} → ${NEW_NAME}`);
    expect(await renamed.textContent()).toContain('200');
    await renamed.getByRole('link', { name: destinationId }).waitFor();

    await shoot('audit-1440', { width: 1440, height: 900 });
    await shoot('audit-390', { width: 390, height: 844 });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('filters by resource, kept in the query string', async () => {
    await page.getByLabel('Resource', { exact: true }).fill('sources');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rows().first().textContent()).toContain('POST /sources');
    expect(new URL(page.url()).searchParams.get('resource')).toBe('sources');

    await page.getByLabel('Resource', { exact: true }).fill('destinations');
    await page.getByLabel('Resource id').fill(destinationId);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // Its creation and its rename: a creation's entry names the resource it created.
    await expect.poll(() => rows().count()).toBe(2);
    expect(await rows().first().textContent()).toContain('PATCH /destinations/:id');
    expect(await rows().nth(1).textContent()).toContain('POST /destinations');

    // The URL alone brings the filters back.
    await page.goto(`${hub.url}/admin/audit?resource=destinations`);
    await expect.poll(() => rows().count()).toBe(2);
    expect(await page.getByLabel('Resource', { exact: true }).inputValue()).toBe('destinations');
  });

  it('downloads the CSV of the filters in force, with the token', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const [header, ...data] = parseCsv(fs.readFileSync(await download.path(), 'utf8'));
    expect(header).toEqual(['time', 'actor', 'address', 'method', 'route', 'resource', 'resource id', 'status', 'changes']);
    expect(data).toHaveLength(2);
    const records = data.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]])));
    // Newest first: the rename, then the creation.
    expect(records[0]).toMatchObject({ actor: 'admin token', method: 'PATCH', route: '/destinations/:id', resource: 'destinations', 'resource id': destinationId, status: '200' });
    expect(JSON.parse(records[0]!.changes!)).toEqual({ name: { before: OLD_NAME, after: NEW_NAME } });
    expect(records[1]).toMatchObject({ method: 'POST', route: '/destinations', resource: 'destinations', 'resource id': destinationId });
    expect(JSON.parse(records[1]!.changes!).name).toEqual({ before: null, after: OLD_NAME });
  });

  it('logged nothing wrong in the page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
