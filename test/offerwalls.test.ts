// Real offerwall and rewarded-ad formats through HTTP, on SQLite and PostgreSQL: each vendor's
// signature formula is written out here independently, as its documentation gives it.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from './helpers/stores.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { HUB_START_MS } from './helpers/timing.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe.each(STORE_KINDS)('offerwall presets through HTTP on %s', (kind) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(kind);
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
  });

  async function source(preset: string) {
    const slug = `${preset}-${randomUUID().slice(0, 8)}`;
    const created = await hub.admin('/sources', { body: { slug, preset } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { url: `${hub.url}/postbacks/${slug}`, secret: created.body.secret as string, slug };
  }

  const call = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    return { status: response.status, text: await response.text() };
  };
  const balance = async (user: string) => (await hub.admin(`/users/${encodeURIComponent(user)}`)).body.coins;

  it('Tapjoy: md5(id:snuid:currency:secret) verifier, answers OK, 403 on a bad verifier', async () => {
    const { url, secret } = await source('tapjoy');
    const user = randomUUID();
    const id = randomUUID();
    const verifier = md5(`${id}:${user}:25:${secret}`);
    expect(await call(`${url}?snuid=${user}&currency=25&mac_address=&id=${id}&verifier=${verifier}`)).toEqual({ status: 200, text: 'OK' });
    expect(await balance(user)).toBe(25);
    expect(await call(`${url}?snuid=${user}&currency=99&id=${randomUUID()}&verifier=${verifier}`)).toEqual({ status: 403, text: '' });
  });

  it('ironSource: md5(timestamp+eventId+userId+rewards+key), answers <eventId>:OK, reverses on negativeCallback', async () => {
    const { url, secret } = await source('ironsource');
    const user = `iron-${randomUUID()}`;
    const eventId = randomUUID().replace(/-/g, '');
    const signature = md5(`202611211200${eventId}${user}10${secret}`);
    const query = `appUserId=${user}&eventId=${eventId}&rewards=10&itemName=coins&timestamp=202611211200&signature=${signature}`;
    expect(await call(`${url}?${query}`)).toEqual({ status: 200, text: `${eventId}:OK` });
    expect(await call(`${url}?${query}`)).toEqual({ status: 200, text: `${eventId}:OK` });
    expect(await balance(user)).toBe(10);
    expect(await call(`${url}?${query}&negativeCallback=true`)).toEqual({ status: 200, text: `${eventId}:OK` });
    expect(await balance(user)).toBe(0);
  });

  it('Lootably: sha256(userID+ip+revenue+currencyReward+secret), answers 1, status 0 charges back', async () => {
    const { url, secret } = await source('lootably');
    const user = `loot-${randomUUID()}`;
    const tx = randomUUID();
    const hash = sha256(`${user}1.1.1.10.5000100.00${secret}`);
    const base = `userID=${user}&transactionID=${tx}&ip=1.1.1.1&offerID=o1&revenue=0.5000&currencyReward=100.00&hash=${hash}`;
    expect(await call(`${url}?${base}&status=1`)).toEqual({ status: 200, text: '1' });
    expect(await balance(user)).toBe(100);
    expect(await call(`${url}?${base}&status=0`)).toEqual({ status: 200, text: '1' });
    expect(await balance(user)).toBe(0);
    const events = (await hub.admin(`/events?user=${user}`)).body.items;
    expect(events.map((e: any) => [e.outcome, e.coins, e.amount])).toEqual([
      ['accepted', -100, '0.50'],
      ['accepted', 100, '0.50'],
    ]);
  });

  it('Pollfish: HMAC-SHA1 over its own placeholders in their order; the publisher’s parameters and an empty term_reason do not break it', async () => {
    const { url, secret } = await source('pollfish');
    const user = `poll-${randomUUID()}`;
    const tx = randomUUID().replace(/-/g, '');
    // As Pollfish documents it: the placeholders' values by placeholder name, an eligible user's empty term_reason included.
    const signature = createHmac('sha1', secret).update(`30:dev-1:${user}:120:eligible::1463152452308:${tx}`).digest('base64');
    const query =
      `tx_id=${tx}&cpa=30&device_id=dev-1&request_uuid=${user}&reward_value=120&status=eligible&term_reason=&timestamp=1463152452308` +
      `&bundle_id=com.example.app&source=pollfish&signature=${encodeURIComponent(signature)}`;
    const accepted = await call(`${url}?${query}`);
    expect(accepted.status, accepted.text).toBe(200);
    expect(JSON.parse(accepted.text)).toMatchObject({ outcome: 'accepted', coins: 120 });
    expect(await balance(user)).toBe(120);
    const tampered = await call(`${url}?${query.replace(`tx_id=${tx}`, `tx_id=${tx}x`).replace('reward_value=120', 'reward_value=9000')}`);
    expect(tampered.status).toBe(401);
    expect(await balance(user)).toBe(120);
  });

  it('ayeT-Studios: HMAC-SHA256 of the PHP-encoded sorted query in a header; r- transaction ids reverse', async () => {
    const { url, secret } = await source('ayetstudios');
    const user = `ayet-${randomUUID()}`;
    const params = (tx: string, amount: string) => ({ transaction_id: tx, external_identifier: user, currency_amount: amount, payout_usd: '0.36', offer_name: 'Play & Win*' });
    // What PHP does: ksort, then http_build_query (urlencode: space "+", "*" "%2A").
    const signed = (p: Record<string, string>) =>
      createHmac('sha256', secret)
        .update(
          Object.keys(p)
            .sort()
            .map((k) => `${k}=${encodeURIComponent(p[k]!).replace(/\*/g, '%2A').replace(/%20/g, '+')}`)
            .join('&'),
        )
        .digest('hex');
    const send = (p: Record<string, string>) => call(`${url}?${new URLSearchParams(p).toString()}`, { 'X-Ayetstudios-Security-Hash': signed(p) });
    const tx = randomUUID();
    expect(await send(params(tx, '40'))).toEqual({ status: 200, text: 'OK' });
    expect(await balance(user)).toBe(40);
    expect(await send(params(`r-${tx}`, '-40'))).toEqual({ status: 200, text: 'OK' });
    expect(await balance(user)).toBe(0);
    // Another postback's hash does not sign this one.
    const forged = params(randomUUID(), '4000');
    expect((await call(`${url}?${new URLSearchParams(forged).toString()}`, { 'X-Ayetstudios-Security-Hash': signed(params(tx, '40')) })).status).toBe(401);
    expect(await balance(user)).toBe(0);
  });
});
