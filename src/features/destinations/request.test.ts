import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { DestinationConfig } from './definition.js';
import { buildRequest, macroValues, type EventFacts } from './request.js';

const event: EventFacts = {
  id: 'evt-1',
  source: 'momentscience',
  type: 'conversion',
  externalId: 'tx 1',
  userId: '3410444',
  offerId: '1511',
  clickId: 'c-9',
  partner: null,
  partnerClickId: null,
  level: null,
  coins: 4200,
  amountMicros: 2_100_000,
  currency: 'USD',
  receivedAt: Date.parse('2023-09-20T15:27:40.802Z'),
  metadata: { boosted: true },
  payload: { advertiser_name: 'momentscience', payload: { user_id: '3410444', session_id: 'a90310222' } },
};

const config = (overrides: Partial<DestinationConfig>): DestinationConfig => ({
  url: 'https://partner.example/hook',
  method: 'GET',
  match: {},
  unknownMacros: 'empty',
  retry: { kind: 'linear', intervalMs: 1000, resends: 1 },
  success: { kind: '2xx' },
  timeoutMs: 1000,
  followRedirects: false,
  pauseAfterFailures: 5,
  ...overrides,
});

describe('outbound requests', () => {
  const values = macroValues(event, 'dlv-1');

  it("fills MomentScience's macros, payload keys included, URL-encoded", () => {
    const built = buildRequest(
      config({ url: 'https://api.example.com/postbacks?payout={payout}&user_id={user_id}&offer_id={offer_id}&lb={is_loyaltyboost}&s={payload.payload.session_id}&adv={advertiser_name}&tx={transaction_id}' }),
      { signingSecrets: [] },
      values,
      'dlv-1',
      0,
    );
    expect(built).toMatchObject({
      ok: true,
      request: { method: 'GET', url: 'https://api.example.com/postbacks?payout=2.10&user_id=3410444&offer_id=1511&lb=1&s=a90310222&adv=momentscience&tx=tx%201', body: undefined },
    });
  });

  it('signs a JSON body as Standard Webhooks with the delivery id, and carries it as the idempotency key', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const built = buildRequest(
      config({ method: 'POST', body: '{"event":"{event}","user":"{userId}","coins":{coins}}', signing: { kind: 'standard-webhooks' } }),
      { bearerToken: 'tok', signingSecrets: [secret] },
      values,
      'dlv-7',
      Math.floor(Date.now() / 1000),
    );
    if (!built.ok) throw new Error(built.error);
    expect(JSON.parse(built.request.body!)).toEqual({ event: 'conversion', user: '3410444', coins: 4200 });
    expect(built.request.headers).toMatchObject({ 'idempotency-key': 'dlv-7', 'webhook-id': 'dlv-7', authorization: 'Bearer tok', 'content-type': 'application/json' });
    expect(new Webhook(secret).verify(built.request.body!, built.request.headers)).toBeTruthy();
  });

  it("keeps the hub's fields over the partner's keys of the same name, and a top-level key over a nested one's bare name", () => {
    // `payload.payload.sub` has the bare name `payload.sub`, which the top-level `sub` owns.
    for (const payload of [{ payload: { sub: 'inner' }, sub: 'outer' }, { sub: 'outer', payload: { sub: 'inner' } }]) {
      const values = macroValues({ ...event, payload: { event: 'from-partner', extra: 7, ...payload } }, 'dlv-2');
      expect(values).toMatchObject({ event: 'conversion', 'payload.event': 'from-partner', extra: '7', sub: 'outer', 'payload.sub': 'outer', 'payload.payload.sub': 'inner', delivery_id: 'dlv-2' });
    }
  });

  it("gives nested payload keys by their own name (MomentScience's {any payload key}), the shallowest first", () => {
    expect(values).toMatchObject({ session_id: 'a90310222', advertiser_name: 'momentscience' });
    const deep = macroValues({ ...event, payload: { a: { b: { id: 'deep' } }, c: { id: 'shallow' }, session_id: 'top' } }, 'd');
    expect(deep).toMatchObject({ id: 'shallow', 'a.b.id': 'deep', session_id: 'top' });
    // The hub's own fields are never shadowed by a nested key's name.
    expect(macroValues({ ...event, payload: { payload: { offer_id: 'x', user_id: 'y' } } }, 'd')).toMatchObject({ offer_id: '1511', user_id: '3410444' });
  });

  it('writes money with at least two decimals, and when the event happened as the partner said', () => {
    const v = macroValues({ ...event, amountMicros: 25_000_000, metadata: { partnerTime: '2023-09-20T15:40:40.802Z' } }, 'd');
    expect(v).toMatchObject({ payout: '25.00', amount: '25.00', occurred_at: '2023-09-20T15:40:40.802Z', timestamp: '2023-09-20T15:27:40.802Z' });
    expect(macroValues({ ...event, metadata: {} }, 'd').occurred_at).toBe('2023-09-20T15:27:40.802Z');
  });

  it("marks a loyaltyboost by the source's rule or by the event's own flag", () => {
    expect(macroValues({ ...event, metadata: {}, payload: { is_loyaltyboost: '1' } }, 'd').is_loyaltyboost).toBe('1');
    expect(macroValues({ ...event, metadata: {}, payload: { is_loyaltyboost: '0' } }, 'd').is_loyaltyboost).toBe('0');
    expect(macroValues({ ...event, metadata: { boosted: true }, payload: {} }, 'd').is_loyaltyboost).toBe('1');
  });

  it('refuses to send a template with unknown macros when the destination says so', () => {
    expect(buildRequest(config({ url: 'https://p.example/?x={nope}', unknownMacros: 'error' }), { signingSecrets: [] }, values, 'd', 0)).toEqual({
      ok: false,
      error: 'unknown macros in the URL: nope',
    });
  });
});
