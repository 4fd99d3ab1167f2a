// `npm run screenshots`: starts a hub on a throw-away SQLite file, fills it with an hour of
// sample traffic (sources, postbacks accepted, duplicate and rejected, destinations that
// succeed and fail, tracking links and their clicks, conversions attributed to partners, one
// held for review and one flagged), and saves a PNG of each dashboard page to docs/screenshots/.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { loadConfig } from '../src/app/config.js';
import { createHub } from '../src/app/hub.js';
import { browserAvailable, ensureDashboardBuilt, launchChromium } from '../test/helpers/browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'docs/screenshots');
const ADMIN_TOKEN = 'screenshots-admin-token-0123456789';

if (!browserAvailable()) process.exit(1);
ensureDashboardBuilt();
fs.mkdirSync(out, { recursive: true });

// A partner endpoint: /ok answers 200, /flaky fails one time in three, /down always fails.
let flaky = 0;
const receiver = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const fail = request.url?.startsWith('/down') || (request.url?.startsWith('/flaky') && ++flaky % 3 === 0);
    response.writeHead(fail ? 503 : 200, { 'content-type': 'text/plain' });
    response.end(fail ? 'Service Unavailable' : 'OK');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const partner = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

// The hub's clock runs an hour behind while the traffic is seeded, then catches up.
let offset = 0;
const clock = { now: () => Date.now() + offset };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-screenshots-'));
const config = { ...loadConfig({ DATA_DIR: dataDir, OUTBOUND_ALLOW: '127.0.0.0/8', LOG_LEVEL: 'silent' }) };
const hub = await createHub(config, { adminToken: ADMIN_TOKEN, secretKey: Buffer.alloc(32, 9).toString('base64'), clock });
await hub.start();
const url = await hub.app!.listen({ port: 0, host: '127.0.0.1' });

async function admin(pathname: string, body?: unknown, method?: string): Promise<any> {
  const response = await fetch(`${url}/admin/api${pathname}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${pathname}: ${response.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

await admin('/apps', { pid: 'cashgiraffe', name: 'Cash Giraffe' });
for (const [id, name] of [['summer-sale', 'Summer sale'], ['puzzle-quest', 'Puzzle Quest'], ['word-master', 'Word Master']]) await admin('/offers', { id, name });
const studio = await admin('/api-secrets', { name: 'Puzzle studio' });
const ms = await admin('/sources', { slug: 'momentscience', name: 'MomentScience', preset: 'momentscience' });
const gg3 = await admin('/sources', { slug: 'gg3', name: 'GG3 campaigns', preset: 'gg3', overrides: { reward: { kind: 'fixed', coins: 50 } } });
await admin('/sources', { slug: 'shop', name: 'Shop offerwall', preset: 'generic', overrides: { fields: { user: 'user_id', externalId: 'tx', amount: 'payout', offer: 'offer_id' }, reward: { kind: 'fixed', coins: 10 }, defaults: { currency: 'USD' } } });
await admin('/destinations', { name: 'Ad network (MomentScience retries)', config: { url: `${partner}/ok?uid={user_id}&payout={payout}&offer={offer_id}`, retry: { kind: 'schedule', delaysMs: [0, 60_000, 90_000, 120_000, 150_000] } } });
await admin('/destinations', { name: 'Affiliate (flaky)', config: { url: `${partner}/flaky?click={click_id}&event={event}`, match: { sources: ['gg3'] }, retry: { kind: 'schedule', delaysMs: [0] } } });
await admin('/destinations', { name: 'Gamezop (partner postback)', config: { url: `${partner}/ok?click_id={click_id}&payout={payout}&event={event}`, match: { partners: ['gamezop'] }, retry: { kind: 'schedule', delaysMs: [0] } } });
await admin('/destinations', { name: 'Legacy tracker', config: { url: `${partner}/down?u={user_id}`, match: { offers: ['word-master'] }, retry: { kind: 'schedule', delaysMs: [0] }, pauseAfterFailures: 1000 } });

// Tracking links: two partners' URL templates, a Play Store link (for level postbacks) and a retired one.
await admin('/links', { id: 'gz-puzzle', name: 'Gamezop: Puzzle Quest', offerId: 'puzzle-quest', partner: 'gamezop', config: { target: 'https://games.example/puzzle-quest?click_id={click_id}&uid={sub}&src={partner}' } });
await admin('/links', { id: 'adnet-summer', name: 'Ad network: summer sale', offerId: 'summer-sale', partner: 'adnet', config: { target: 'https://shop.example/summer?cid={click_id}&aff={partner_click_id}' } });
await admin('/links', { id: 'word-play', name: 'Word Master in the Play Store', offerId: 'word-master', config: { playStore: { package: 'com.example.wordmaster', pid: 'cashgiraffe' } } });
await admin('/links', { id: 'spring-promo', offerId: 'summer-sale', partner: 'adnet', config: { target: 'https://shop.example/spring?cid={click_id}' }, enabled: false });
// GG3 reports its own click ids, which the hub never issued: not worth a flag while seeding.
await admin('/fraud-policy', { attributionWindowDays: 30, unknownClick: 'off', fastConversion: { action: 'off', seconds: 30 }, clicksPerIp: { action: 'off', max: 20, windowMinutes: 60 }, perUserPerDay: { action: 'off', max: 50 }, perOfferPerDay: { action: 'off', max: 10_000 }, perUserPerOffer: { action: 'off', max: 1 }, repeatOfferCredit: 'off' }, 'PUT');

/** A click on a tracking link, as a partner's user makes it; answers the hub's click id when the target carries it. */
async function click(link: string, query: Record<string, string>): Promise<string | null> {
  const response = await fetch(`${url}/c/${link}?${new URLSearchParams(query).toString()}`, { redirect: 'manual' });
  if (response.status !== 302) throw new Error(`/c/${link}: ${response.status}`);
  const location = new URL(response.headers.get('location')!);
  return location.searchParams.get('click_id') ?? location.searchParams.get('cid');
}

async function platformEvent(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${url}/api/events`, { method: 'POST', headers: { authorization: `Bearer ${studio.secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`/api/events: ${response.status} ${text}`);
  return (JSON.parse(text) as { eventId: string }).eventId;
}

// An hour of traffic, a burst every two minutes.
let seq = 0;
const users = ['3410444', '3410445', 'a1b2c3d4', 'player-7', 'player-12', 'u-88'];
const offers = ['summer-sale', 'puzzle-quest', 'word-master'];
const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
for (let minutes = 58; minutes >= 0; minutes -= 2) {
  offset = -minutes * 60_000;
  const burst = 2 + Math.floor(Math.random() * 5) + (minutes < 20 ? 3 : 0);
  // Clicks first: the conversions below are attributed to them by user and offer.
  for (let i = 0; i < 2 + Math.floor(Math.random() * 4); i++) await click('gz-puzzle', { sub: pick(users), click_id: `gz-${minutes}-${i}` });
  for (let i = 0; i < 1 + Math.floor(Math.random() * 4); i++) await click('adnet-summer', { sub: pick(users), click_id: `an-${minutes}-${i}` });
  // A Play Store link hands its user to the game as the level postback's uid: the user's id, a UUID.
  if (minutes % 6 === 0) await click('word-play', { sub: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890' });
  for (let i = 0; i < burst; i++) {
    seq++;
    const user = pick(users);
    const payout = `${1 + Math.floor(Math.random() * 4)}.${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`;
    const when = new Date(clock.now()).toISOString();
    await fetch(`${url}/postbacks/momentscience?secret=${ms.secret}&offer_id=${pick(offers)}&advertiser_name=MomentScience&payout=${payout}&timestamp=${when}&is_loyaltyboost=${seq % 5 === 0 ? 1 : 0}&user_id=${user}`);
    if (i % 2 === 0) await fetch(`${url}/postbacks/gg3?secret=${gg3.secret}&user_id=${user}&click_id=c${seq}&transaction_id=t${seq}&currency=USD&amount_decimal=0.${50 + (seq % 40)}&event_name=registration`);
    if (seq % 4 === 0) await fetch(`${url}/postbacks/gg3?secret=${gg3.secret}&user_id=${user}&click_id=c${seq}&transaction_id=t${seq}&currency=USD&amount_decimal=0.75&event_name=registration`);
    if (seq % 6 === 0) await fetch(`${url}/postbacks/gg3?secret=wrong&user_id=${user}&transaction_id=x${seq}`);
    if (seq % 9 === 0) await fetch(`${url}/postbacks/shop?tx=${seq}&payout=1.00`);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}
offset = 0;

// Now the operator holds conversions that come too fast after their click and flags unknown clicks.
await admin('/fraud-policy', { ...(await admin('/fraud-policy')), unknownClick: 'flag', fastConversion: { action: 'hold', seconds: 30 } }, 'PUT');
const heldClick = await click('gz-puzzle', { sub: 'player-12', click_id: 'gz-final' });
const held = await platformEvent({ type: 'conversion', idempotencyKey: 'order-9001', userId: 'player-12', clickId: heldClick, amount: '3.20', currency: 'USD' });
const depositClick = await click('adnet-summer', { sub: 'u-88', click_id: 'an-final' });
await platformEvent({ type: 'deposit', idempotencyKey: 'deposit-5120', userId: 'u-88', clickId: depositClick, amount: '25.00', currency: 'USD' });
await platformEvent({ type: 'registration', idempotencyKey: 'reg-77', userId: 'a1b2c3d4', clickId: 'click-from-nowhere' });
await new Promise((resolve) => setTimeout(resolve, 2000));

const browser = await launchChromium();
async function shoot(name: string, pathname: string, options: { width?: number; height?: number; fullPage?: boolean; element?: string; prepare?: (page: Page) => Promise<void> } = {}) {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1440, height: options.height ?? 900 }, deviceScaleFactor: 1 });
  await context.addInitScript(`sessionStorage.setItem('postback-hub.admin-token', ${JSON.stringify(ADMIN_TOKEN)})`);
  const page = await context.newPage();
  await page.goto(`${url}/admin${pathname}`);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(400);
  await options.prepare?.(page);
  const file = path.join(out, `${name}.png`);
  if (options.element) await page.locator(options.element).screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: options.fullPage ?? false });
  await context.close();
  console.log(`docs/screenshots/${name}.png`);
}

const rejected = (await admin('/events?status=rejected&limit=1')).items[0];
await shoot('overview', '/');
await shoot('overview-phone', '/', { width: 390, height: 844, fullPage: true });
await shoot('sources', '/sources');
await shoot('source-test', '/sources', {
  prepare: async (page) => {
    await page.getByRole('row', { name: /Shop offerwall/ }).getByRole('button', { name: 'Send test postback' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Send test postback' }).click();
    await page.locator('dialog[open] .outcome-box').waitFor();
  },
});
await shoot('events', '/events');
await shoot('event-detail', `/events/${rejected.id}`, { fullPage: true });
await shoot('destinations', '/destinations');
await shoot('history', '/history');
await shoot('users', `/users?id=${users[0]}`);
await shoot('catalog', '/catalog', { fullPage: true });
await shoot('tracking-links', '/catalog', { element: 'section:has(#links-title)' });
await shoot('event-held', `/events/${held}`, { fullPage: true });
await shoot('reports', '/reports?by=partner', { fullPage: true });
await shoot('reports-phone', '/reports', { width: 390, height: 844, fullPage: true });
await shoot('fraud-policy', '/fraud', { fullPage: true });

await browser.close();
await hub.close();
receiver.close();
fs.rmSync(dataDir, { recursive: true, force: true });
