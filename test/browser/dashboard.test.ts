// The built dashboard in headless Chromium against a real hub (SQLite) and a real receiver:
// sign in, create a source, send a test postback, find the rejected one in the explorer with
// its reason, create a destination, test it, see a failed delivery, replay it, download the CSV.
// Then attribution: an offer and a tracking link made in the Catalog, a click on it, a fraud
// policy that holds fast conversions, a platform event held for review and approved in the
// explorer, and the report that counts the click and the conversion.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, postJson, startTestHub, type TestHub } from '../helpers/hub.js';
import { startReceiver } from '../helpers/receiver.js';
import { browserAvailable, ensureDashboardBuilt, launchChromium, parseCsv, newPage, screenshot } from '../helpers/browser.js';

const run = browserAvailable();
const SHOTS = process.env.SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'postback-hub-dashboard-shots');


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
    page = await newPage(browser, { acceptDownloads: true, viewport: { width: 1366, height: 900 } }, consoleErrors);
    context = page.context();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    await receiver?.close();
  });

  const dialog = () => page.locator('dialog[open]');
  let shopSecret: string;
  const nav = (name: string) => page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name, exact: true }).click();

  it('signs in with the admin token, kept out of the URL', async () => {
    await page.goto(`${hub.url}/admin/`);
    // Email and password by default; the token is the other way in.
    await page.getByRole('button', { name: 'Sign in with the admin token or an API key' }).click();
    await page.getByLabel('Admin token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('That admin token is not the hub’s').waitFor();

    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
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
    shopSecret = secret;
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
    // A test: it credits nobody, and says what a real postback would have.
    await test.getByText('a real postback like it would credit 10 coins to test-user').waitFor();
    expect(await test.locator('.outcome-box').textContent()).toMatch(/accepted\s*test/);
    expect((await hub.admin('/users/test-user')).status).toBe(404);

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
    // The unfiltered list shows the rejected postback too: the filter has applied once the
    // accepted one is gone and the rejected one is there.
    const shown = async () => [await page.getByRole('row', { name: /unauthorized/ }).count(), await page.getByRole('row', { name: /accepted/ }).count()];
    await expect.poll(shown).toEqual([1, 0]);
    const row = page.getByRole('row', { name: /unauthorized/ });
    expect(await row.textContent()).toContain('secret missing (query parameter secret)');
    expect(page.url()).toContain('status=rejected');

    await row.getByRole('link', { name: /Details/ }).click();
    await page.getByText('Rejected: unauthorized').waitFor();
    await page.getByRole('heading', { name: 'Raw request' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('GET /postbacks/shop');
    await expect.poll(() => page.getByRole('row', { name: /User user_id test-user/ }).count()).toBe(1);
    // A test postback's: nobody's ledger is read, none was written.
    await page.getByText('A test postback: it credited nobody.').waitFor();
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
    // The partner's accepted postback with a payout and an offer: the destination wants every event.
    const sent = await fetch(`${hub.url}/postbacks/shop?secret=${shopSecret}&user_id=player-7&tx=order-1&payout=2.10&offer_id=summer-sale`);
    expect(await sent.json()).toMatchObject({ outcome: 'accepted' });

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
    expect(header).toEqual(['delivery_id', 'created_at', 'event_id', 'event_type', 'user_id', 'offer_id', 'advertiser', 'payout', 'currency', 'destination_id', 'destination_name', 'state', 'attempts', 'http_status', 'last_error']);
    expect(data).toHaveLength(1);
    const record = Object.fromEntries(header!.map((name, i) => [name, data[0]![i]]));
    // Failed once, replayed, then sent: attempts count across the replay (the history numbers them 1, 2).
    expect(record).toMatchObject({ user_id: 'player-7', offer_id: 'summer-sale', payout: '2.10', currency: 'USD', destination_id: destinationId, destination_name: 'Partner', state: 'succeeded', attempts: '2', http_status: '200', event_type: 'conversion' });
  });

  it('sends a test postback to the one destination picked, marked test in the history', async () => {
    const other = await hub.admin('/destinations', { body: { name: 'Other partner', config: { url: `${receiver.url}/other?uid={user_id}` } } });
    expect(other.status).toBe(201);
    await nav('Sources');
    await page.getByRole('row', { name: /Shop offerwall/ }).getByRole('button', { name: 'Send test postback' }).click();
    const test = dialog();
    const picks = test.getByRole('group', { name: 'Deliver the test to' });
    // Both want it; neither is checked until the operator says so.
    await expect.poll(() => picks.getByRole('checkbox').count()).toBe(2);
    expect(await picks.getByLabel('Partner', { exact: true }).isChecked()).toBe(false);
    expect(await picks.getByLabel('Other partner').isChecked()).toBe(false);
    const names = await Promise.all((await test.getByRole('textbox', { name: /^Field \d+ name$/ }).all()).map((input) => input.inputValue()));
    await test.getByRole('textbox', { name: `Field ${names.indexOf('user_id') + 1} value` }).fill('player-test');
    await picks.getByLabel('Partner', { exact: true }).check();
    const before = receiver.received.length;
    await test.getByRole('button', { name: 'Send test postback' }).click();
    await test.getByText('Queued for Partner').waitFor();
    expect(await test.getByRole('list', { name: 'Deliveries' }).textContent()).toContain('Not sent to Other partner: not picked.');
    await expect.poll(() => receiver.received.length).toBe(before + 1);
    expect(receiver.received.at(-1)!.url).toMatch(/^\/pb\?uid=player-test/);
    for (const [name, viewport] of [['source-test-picked-1440', { width: 1440, height: 900 }], ['source-test-picked-390', { width: 390, height: 844 }]] as const) {
      await page.setViewportSize(viewport);
      await test.locator('.outcome-box').scrollIntoViewIfNeeded();
      await screenshot(page, SHOTS, name, viewport);
    }
    await page.setViewportSize({ width: 1366, height: 900 });
    await test.getByRole('button', { name: 'Close', exact: true }).first().click();

    await nav('Postback history');
    const row = page.getByRole('row', { name: /test-offer/ });
    const refreshed = async () => (await page.getByRole('button', { name: 'Refresh', exact: true }).click(), (await row.count()) === 1 ? await row.textContent() : '');
    await expect.poll(refreshed).toMatch(/succeeded\s*test/);
    expect(receiver.received.filter((r) => r.url.startsWith('/other'))).toEqual([]);
    expect((await hub.admin(`/destinations/${other.body.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('shows the overview with its figures, and nothing went wrong in the page', async () => {
    await nav('Overview');
    await page.locator('.card').first().waitFor();
    // The partner's postback only: test postbacks are left out of the overview.
    await expect.poll(async () => page.locator('.card').first().textContent()).toMatch(/Postbacks received\s*1/);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(3);
    // Its revenue, as an exact decimal (the tests' 1.00 is not counted).
    expect(await page.locator('main').textContent()).toContain('2.10 USD');
    // A refused token sends the operator back to sign in, with a message.
    await page.evaluate("sessionStorage.setItem('postback-hub.admin-token', 'revoked-token-0000000')");
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('The hub refused the admin token. Sign in again.').waitFor();
    expect(consoleErrors.filter((e) => !/401|Unauthorized/i.test(e))).toEqual([]);
  });

  const section = (title: string) => page.locator('section', { has: page.getByRole('heading', { name: title, level: 2 }) });
  /** Accepts the next window.confirm (Playwright dismisses them otherwise). */
  const acceptConfirm = (expected: RegExp) =>
    page.once('dialog', (d) => {
      expect(d.message()).toMatch(expected);
      void d.accept();
    });
  let linkUrl: string;
  let clickId: string;

  it('creates an offer and tracking links in the Catalog, with the URL to copy', async () => {
    // A Play Store link names a store app (the pid of level postbacks), which must exist.
    expect((await hub.admin('/apps', { body: { pid: 'cashapp' } })).status).toBe(201);
    // Sign-in opens as the refused token was given: with a token.
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await nav('Catalog');
    const offers = section('Offers and games');
    await offers.getByLabel('id', { exact: true }).fill('quest-1');
    await offers.getByLabel('Name').fill('Quest one');
    await offers.getByRole('button', { name: 'Add' }).click();
    await offers.getByRole('row', { name: /quest-1/ }).waitFor();

    const links = section('Tracking links');
    await links.getByText('No tracking link yet').waitFor();
    await links.getByRole('button', { name: 'New tracking link' }).click();
    let form = dialog();
    await form.getByLabel('Offer').selectOption('quest-1');
    await form.getByLabel('Partner', { exact: true }).fill('gamezop');
    await form.getByLabel('Link id').fill('quest-gz');
    await form.getByLabel('URL template', { exact: true }).check();
    await form.getByLabel('Target URL template').fill('https://games.example/quest?cid={click_id}&uid={sub}&p={partner}');
    await form.getByRole('button', { name: 'Create link' }).click();
    await links.getByText('Link quest-gz created').waitFor();
    linkUrl = await links.getByLabel('Link URL').inputValue();
    expect(linkUrl).toBe(`${hub.url}/c/quest-gz`);

    const row = links.getByRole('row', { name: /quest-gz/ });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('quest-1');
    expect(text).toContain('gamezop');
    expect(text).toContain('https://games.example/quest?cid={click_id}');
    expect(text).toContain(linkUrl);
    expect(text).toContain('enabled');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
    await row.getByRole('button', { name: `Copy link: ${linkUrl}` }).click();
    await row.getByText('Copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(linkUrl);
    const link = (await hub.admin('/links/quest-gz')).body;
    expect(link).toMatchObject({ offerId: 'quest-1', partner: 'gamezop', enabled: true, config: { target: 'https://games.example/quest?cid={click_id}&uid={sub}&p={partner}' } });

    // Disabled, a link answers 404; enabled again, it redirects.
    await row.getByRole('button', { name: 'Disable link quest-gz' }).click();
    await links.getByText('Link quest-gz is disabled').waitFor();
    await expect.poll(() => row.textContent()).toContain('disabled');
    await expect.poll(async () => (await fetch(linkUrl, { redirect: 'manual' })).status, { timeout: 5000 }).toBe(404);
    await row.getByRole('button', { name: 'Enable link quest-gz' }).click();
    await links.getByText('Link quest-gz is enabled').waitFor();

    // A Play Store link, by keyboard: the mode is a radio group.
    await links.getByRole('button', { name: 'New tracking link' }).click();
    form = dialog();
    await form.getByLabel('Offer').selectOption('quest-1');
    await form.getByLabel('Link id').fill('quest-ps');
    await form.getByLabel('URL template', { exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await form.getByLabel('Play Store listing (install referrer)').isChecked()).toBe(true);
    await form.getByLabel('Package').fill('com.example.quest');
    await form.getByLabel('Store app pid').fill('cashapp');
    await form.getByLabel('Store app pid').press('Enter');
    await links.getByText('Link quest-ps created').waitFor();
    expect(await links.getByRole('row', { name: /quest-ps/ }).textContent()).toContain('Play Store: com.example.quest');
    expect((await hub.admin('/links/quest-ps')).body.config).toEqual({ playStore: { package: 'com.example.quest', pid: 'cashapp' }, partnerClickIdParam: 'click_id' });
    // Never clicked: it can be deleted.
    acceptConfirm(/Delete the link quest-ps/);
    await links.getByRole('button', { name: 'Delete link quest-ps' }).click();
    await links.getByText('Link quest-ps deleted.').waitFor();
    await expect.poll(() => links.getByRole('row', { name: /quest-ps/ }).count()).toBe(0);
  });

  it('records a click on the link and redirects with its click id', async () => {
    await expect
      .poll(async () => (await fetch(`${linkUrl}?sub=player-42&click_id=pc-9`, { redirect: 'manual' })).status, { timeout: 5000 })
      .toBe(302);
    // The poll clicked once: the click that counts is that one (a 404 is not recorded).
    const clicks = async () => (await hub.admin('/clicks?link=quest-gz')).body.items;
    await expect.poll(async () => (await clicks()).length, { timeout: 5000 }).toBe(1);
    const [click] = await clicks();
    expect(click).toMatchObject({ offerId: 'quest-1', partner: 'gamezop', userId: 'player-42', partnerClickId: 'pc-9' });
    clickId = click.id;

    const links = section('Tracking links');
    await links.getByRole('button', { name: 'Clicks of link quest-gz' }).click();
    const clickRow = dialog().getByRole('row', { name: new RegExp(clickId) });
    await clickRow.waitFor();
    expect(await clickRow.textContent()).toContain('pc-9');
    await dialog().getByRole('button', { name: 'Close' }).click();

    // Clicked: it cannot be deleted, and the operator is told why, in words.
    acceptConfirm(/Delete the link quest-gz/);
    await links.getByRole('button', { name: 'Delete link quest-gz' }).click();
    await links.getByRole('alert').getByText('cannot be deleted: it has been clicked').waitFor();
    expect(await links.getByRole('alert').textContent()).toContain('Disable it instead');
    expect((await hub.admin('/links/quest-gz')).status).toBe(200);
  });

  it('sets the fraud policy so that fast conversions are held', async () => {
    await nav('Fraud policy');
    const fast = page.getByRole('group', { name: 'Fast conversion' });
    await fast.getByLabel('Action').selectOption('hold');
    await fast.getByLabel('Minimum seconds').fill('3600');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText(/Saved at/).waitFor();
    const inForce = section('In force');
    expect(await inForce.textContent()).toContain('hold for review when converted less than 3,600 s after the click');
    expect((await hub.admin('/fraud-policy')).body).toMatchObject({ fastConversion: { action: 'hold', seconds: 3600 }, unknownClick: 'flag', attributionWindowDays: 30 });
    // The form shows the saved values.
    expect(await fast.getByLabel('Minimum seconds').inputValue()).toBe('3600');
    expect(await fast.getByLabel('Action').inputValue()).toBe('hold');
  });

  it('finds the held conversion in the explorer and approves it', async () => {
    const secret = (await hub.admin('/api-secrets', { body: { name: 'game studio' } })).body.secret;
    const sent = await postJson(
      `${hub.url}/api/events`,
      { type: 'conversion', idempotencyKey: 'quest-conv-1', userId: 'player-42', clickId, amount: '4.50', currency: 'USD' },
      { authorization: `Bearer ${secret}` },
    );
    expect(sent.status).toBe(200);
    expect(sent.body.outcome).toBe('accepted');
    const eventId: string = sent.body.eventId;

    await nav('Events');
    await page.getByLabel('Review').selectOption({ label: 'Held for review' });
    await page.getByLabel('Partner', { exact: true }).fill('gamezop');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(page.url()).toContain('review=held');
    // Only the held event is left once the filtered list is in.
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    const row = page.getByRole('row', { name: /fast_conversion/ });
    const text = await row.textContent();
    expect(text).toContain('held');
    expect(text).toContain('gamezop');
    expect(text).toContain('4.50 USD');

    await row.getByRole('link', { name: /Details/ }).click();
    const review = section('Fraud review');
    await review.getByText('Held for review: not credited').waitFor();
    const main = page.locator('main');
    await expect.poll(() => main.textContent()).toContain('quest-gz');
    const details = (await main.textContent())!;
    expect(details).toContain('Partnergamezop');
    expect(details).toContain('Partner click idpc-9');
    expect(details).toContain(`Click id${clickId}`);
    const flag = review.getByRole('list', { name: 'Fraud-check findings' }).getByRole('listitem').filter({ hasText: 'fast_conversion' });
    expect(await flag.textContent()).toMatch(/fast_conversion\s*hold for review\s*converted [\d.]+ s after the click \(minimum 3600 s\)/);

    acceptConfirm(/Approve this event/);
    await review.getByRole('button', { name: 'Approve' }).click();
    await review.getByText('Approved: the event is credited and its postbacks are queued.').waitFor();
    await review.getByText('Approved: credited and sent to partners.').waitFor();
    await page.getByRole('heading', { level: 2 }).getByText('approved', { exact: true }).waitFor();
    expect(await review.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await review.getByRole('button', { name: 'Reject' }).count()).toBe(1);
    expect((await hub.admin(`/events/${eventId}`)).body.review).toBe('approved');

    // Back in the list: no longer held; under "Approved" it is.
    await page.getByRole('link', { name: '← All events' }).click();
    await page.getByLabel('Review').selectOption('approved');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByRole('row', { name: /fast_conversion/ }).textContent()).toContain('approved');
  });

  it('reports the offer with its click and its conversion', async () => {
    await nav('Reports');
    const row = page.getByRole('row', { name: /quest-1/ });
    await row.waitFor();
    const cells = async () => (await row.getByRole('cell').allTextContents()).map((t) => t.trim());
    await expect.poll(cells).toEqual(['quest-1', '1', '1', '1', '100 %', '4.50 USD', '0']);

    await page.getByLabel('Group by').selectOption('partner');
    expect(page.url()).toContain('by=partner');
    const partner = page.getByRole('row', { name: /gamezop/ });
    await partner.waitFor();
    expect((await partner.getByRole('cell').allTextContents()).slice(0, 5)).toEqual(['gamezop', '1', '1', '1', '100 %']);

    await page.getByLabel('Group by').selectOption('day');
    const today = new Date().toISOString().slice(0, 10);
    await page.getByRole('row', { name: new RegExp(today) }).waitFor();

    // A range with nothing in it: the empty state.
    await page.getByLabel('From', { exact: true }).fill('2001-01-01T00:00');
    await page.getByLabel('To', { exact: true }).fill('2001-01-02T00:00');
    await page.getByText('No click and no conversion in this range.').waitFor();
  });

  it('lets a destination match partners', async () => {
    await nav('Destinations');
    await page.getByRole('button', { name: 'Edit' }).click();
    await dialog().getByLabel('Partners').fill('gamezop, adnet');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await page.getByText('partners gamezop, adnet').waitFor();
    expect((await hub.admin(`/destinations/${destinationId}`)).body.config.match).toEqual({ partners: ['gamezop', 'adnet'] });
    await page.getByRole('button', { name: 'Edit' }).click();
    expect(await dialog().getByLabel('Partners').inputValue()).toBe('gamezop, adnet');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect(consoleErrors.filter((e) => !/401|Unauthorized|409|Conflict/i.test(e))).toEqual([]);
  });
});
