// The built dashboard in headless Chromium against a real hub (SQLite) and a real receiver:
// sign in, create a source, send a test postback, find the rejected one in the explorer with
// its reason, create a destination, test it, see a failed delivery, replay it, download the CSV.
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestHub, type TestHub } from '../helpers/hub.js';
import { startReceiver } from '../helpers/receiver.js';
import { browserAvailable, ensureDashboardBuilt, launchChromium } from '../helpers/browser.js';

const run = browserAvailable();

/** Quoted CSV → rows of cells (the hub's CSV quotes cells with commas, quotes or newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe.skipIf(!run)('the dashboard in a browser', () => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    hub = await startTestHub('sqlite');
    receiver = await startReceiver();
    browser = await launchChromium();
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    await receiver?.close();
  });

  const dialog = () => page.locator('dialog[open]');
  const nav = (name: string) => page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name, exact: true }).click();

  it('signs in with the admin token, kept out of the URL', async () => {
    await page.goto(`${hub.url}/admin/`);
    await page.getByLabel('Admin token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That admin token is not the hub’s').waitFor();

    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByText('Postbacks received').waitFor();
    expect(page.url()).not.toContain(ADMIN_TOKEN);
    expect(await page.evaluate("sessionStorage.getItem('postback-hub.admin-token')")).toBe(ADMIN_TOKEN);
    expect(await page.evaluate('localStorage.length')).toBe(0);
  });

  it('creates a source and shows its secret once and its inbound URL', async () => {
    await nav('Sources');
    await page.getByText('No source yet').waitFor();
    await page.getByRole('button', { name: 'New source' }).click();
    const form = dialog();
    await form.getByLabel('Slug').fill('shop');
    await form.getByLabel('Name', { exact: true }).fill('Shop offerwall');
    await form.getByLabel('Preset').selectOption('generic');
    await form.getByLabel('User', { exact: true }).fill('user_id');
    await form.getByLabel('External id').fill('tx');
    await form.getByLabel('Amount').fill('payout');
    await form.getByLabel('Offer', { exact: true }).fill('offer_id');
    await form
      .getByLabel('Other overrides (JSON)')
      .fill(JSON.stringify({ auth: [{ kind: 'secret-query', param: 'secret' }], reward: { kind: 'fixed', coins: 10 }, defaults: { currency: 'USD' } }));
    await form.getByRole('button', { name: 'Create source' }).click();

    await page.getByRole('heading', { name: 'Secret of shop' }).waitFor();
    const secret = await dialog().getByLabel('Secret', { exact: true }).inputValue();
    expect(secret).toMatch(/^pbh_/);
    await dialog().getByRole('button', { name: 'I have stored it' }).click();

    const row = page.getByRole('row', { name: /Shop offerwall/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(`${hub.url}/postbacks/shop`);
    expect(await row.textContent()).toContain('secret in ?secret');
    expect((await hub.admin('/sources/shop')).body.definition.fields).toMatchObject({ user: 'user_id', externalId: 'tx', amount: 'payout', offer: 'offer_id' });
  });

  it('sends test postbacks and shows what the hub made of them', async () => {
    await page.getByRole('row', { name: /Shop offerwall/ }).getByRole('button', { name: 'Send test postback' }).click();
    const test = dialog();
    await test.getByRole('button', { name: 'Send test postback' }).click();
    await test.getByText('10 coins to test-user').waitFor();
    expect(await test.locator('.outcome-box').textContent()).toContain('accepted');

    // Without the secret: rejected, and the reason says so.
    await test.getByLabel('Add the source’s credentials').uncheck();
    await test.getByRole('button', { name: 'Send test postback' }).click();
    await test.locator('.outcome-box.rejected').waitFor();
    expect(await test.locator('.outcome-box').textContent()).toContain('unauthorized');
    expect(await test.locator('.outcome-box').textContent()).toContain('secret missing (query parameter secret)');
    await test.getByRole('button', { name: 'Close', exact: true }).first().click();
  });

  it('finds the rejected postback in the explorer, with its reason, raw request and mapping', async () => {
    await nav('Events');
    await page.getByRole('button', { name: 'Today' }).click();
    await page.getByLabel('Outcome').selectOption('rejected');
    await page.getByLabel('Source', { exact: true }).fill('shop');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByRole('row', { name: /unauthorized/ }).count()).toBe(1);
    const row = page.getByRole('row', { name: /unauthorized/ });
    expect(await row.textContent()).toContain('secret missing (query parameter secret)');
    expect(await page.getByRole('row', { name: /accepted/ }).count()).toBe(0);
    expect(page.url()).toContain('status=rejected');

    await row.getByRole('link', { name: /Details/ }).click();
    await page.getByText('Rejected: unauthorized').waitFor();
    await page.getByRole('heading', { name: 'Raw request' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('GET /postbacks/shop');
    await expect.poll(() => page.getByRole('row', { name: /User user_id test-user/ }).count()).toBe(1);
    await page.getByText('No user: nothing was credited.').or(page.getByText('No ledger entry')).first().waitFor();
  });

  let destinationId: string;

  it('creates a destination and tests it against a real receiver', async () => {
    await nav('Destinations');
    await page.getByRole('button', { name: 'New destination' }).click();
    const form = dialog();
    await form.getByLabel('Name', { exact: true }).fill('Partner');
    await form.getByLabel('URL template').fill(`${receiver.url}/pb?uid={user_id}&payout={payout}&offer={offer_id}`);
    await form.getByLabel('Policy').selectOption('schedule');
    await form.getByLabel('Delays before each attempt (s)').fill('0');
    await form.getByRole('button', { name: 'Create destination' }).click();
    await page.getByRole('heading', { name: 'Partner', level: 2 }).waitFor();
    const listed = (await hub.admin('/destinations')).body.items;
    expect(listed).toHaveLength(1);
    destinationId = listed[0].id;
    expect(listed[0].config.retry).toEqual({ kind: 'schedule', delaysMs: [0] });

    const before = receiver.received.length;
    await page.getByRole('button', { name: 'Test endpoint' }).click();
    await dialog().getByText('HTTP 200').waitFor();
    expect(await dialog().locator('.outcome-box').textContent()).toContain('succeeded');
    expect(receiver.received.length).toBe(before + 1);
    expect(receiver.received.at(-1)!.url).toMatch(/^\/pb\?uid=/);
    await dialog().getByRole('button', { name: 'Close' }).click();
  });

  it('shows a failed delivery in the postback history and replays it', async () => {
    receiver.setDefault({ status: 500, body: 'down for maintenance' });
    // An accepted postback with a payout and an offer: the destination wants every event.
    const sent = await hub.admin('/sources/shop/test', { body: { fields: { user_id: 'player-7', tx: 'order-1', payout: '2.10', offer_id: 'summer-sale' } } });
    expect(sent.body.event.outcome).toBe('accepted');

    await nav('Postback history');
    const failedRow = page.getByRole('row', { name: /summer-sale/ });
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh', exact: true }).click();
          return (await failedRow.count()) === 1 ? await failedRow.textContent() : '';
        },
        { timeout: 15_000, interval: 500 },
      )
      .toMatch(/failed.*500/);
    expect(await failedRow.textContent()).toContain('2.10 USD');

    await failedRow.getByRole('button', { name: 'Attempts' }).click();
    await dialog().getByText('Attempt 1').waitFor();
    expect(await dialog().textContent()).toContain('HTTP 500');
    await dialog().getByRole('button', { name: 'Close' }).click();

    receiver.setDefault({ status: 200, body: 'OK' });
    await failedRow.getByRole('button', { name: 'Replay' }).click();
    await page.getByText('The delivery is queued again.').waitFor();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh', exact: true }).click();
          return failedRow.textContent();
        },
        { timeout: 15_000, interval: 500 },
      )
      .toMatch(/succeeded.*200/);
    expect(receiver.received.filter((r) => r.url.includes('uid=player-7'))).toHaveLength(2);
  });

  it('downloads the history as CSV with its rows', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^postback-history-\d{4}-\d{2}-\d{2}\.csv$/);
    const file = await download.path();
    const rows = parseCsv(fs.readFileSync(file, 'utf8'));
    const [header, ...data] = rows;
    expect(header).toEqual(['delivery_id', 'created_at', 'event_id', 'event_type', 'user_id', 'offer_id', 'advertiser', 'payout', 'currency', 'destination_id', 'state', 'attempts', 'http_status', 'last_error']);
    expect(data).toHaveLength(1);
    const record = Object.fromEntries(header!.map((name, i) => [name, data[0]![i]]));
    expect(record).toMatchObject({ user_id: 'player-7', offer_id: 'summer-sale', payout: '2.1', currency: 'USD', destination_id: destinationId, state: 'succeeded', attempts: '1', http_status: '200', event_type: 'conversion' });
  });

  it('shows the overview with its figures, and nothing went wrong in the page', async () => {
    await nav('Overview');
    await page.locator('.card').first().waitFor();
    await expect.poll(async () => page.locator('.card').first().textContent()).toMatch(/Postbacks received\s*3/);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(3);
    // Revenue of the two accepted postbacks that carried one (1.00 and 2.10), as an exact decimal.
    expect(await page.locator('main').textContent()).toContain('3.10 USD');
    // A refused token sends the operator back to sign in, with a message.
    await page.evaluate("sessionStorage.setItem('postback-hub.admin-token', 'revoked-token-0000000')");
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('The hub refused the admin token. Sign in again.').waitFor();
    expect(consoleErrors.filter((e) => !/401|Unauthorized/i.test(e))).toEqual([]);
  });
});
