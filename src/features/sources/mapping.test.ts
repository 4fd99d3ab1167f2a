import { describe, expect, it } from 'vitest';
import { parseQuery } from './signatures.js';
import { lookup, mapPostback, parseTimestamp, type InboundInput } from './mapping.js';
import type { ReversalRule } from './definition.js';
import { PRESETS, resolveDefinition } from './presets.js';

const fromUrl = (url: string): InboundInput => ({ query: Object.fromEntries(parseQuery(new URL(url).search.slice(1))), body: null });
const fromJson = (body: Record<string, unknown>): InboundInput => ({ query: {}, body });

describe('gamezop preset (Gamezop session performance postbacks)', () => {
  const GAMEZOP_PAYLOAD = {
    'user-id': 'sub1',
    'session-id': 'b48a8368-a369-49a4-b427-2d5891ef3763',
    country: 'IN',
    'count-of-ads-viewed': 1,
    'your-estimated-revenue': '0.000012',
    'session-duration': 163,
  };

  it("maps Gamezop's example payload, keeping the estimate exact", () => {
    expect(mapPostback(PRESETS.gamezop, fromJson(GAMEZOP_PAYLOAD))).toEqual({
      ok: true,
      value: expect.objectContaining({
        userId: 'sub1',
        externalId: 'b48a8368-a369-49a4-b427-2d5891ef3763',
        eventType: 'session',
        amountMicros: 12,
        currency: 'USD',
        reversalOf: null,
      }),
    });
  });

  it('names the missing user and session id', () => {
    const { 'user-id': _user, ...noUser } = GAMEZOP_PAYLOAD;
    expect(mapPostback(PRESETS.gamezop, fromJson(noUser))).toEqual({ ok: false, problem: { field: 'user-id', message: 'is required' } });
    const { 'session-id': _session, ...noSession } = GAMEZOP_PAYLOAD;
    expect(mapPostback(PRESETS.gamezop, fromJson(noSession))).toEqual({
      ok: false,
      problem: { field: 'session-id', message: 'is required (the de-duplication key)' },
    });
  });

  it('refuses a float-looking estimate it cannot keep exactly', () => {
    expect(mapPostback(PRESETS.gamezop, fromJson({ ...GAMEZOP_PAYLOAD, 'your-estimated-revenue': '1.2e-5' }))).toMatchObject({
      ok: false,
      problem: { field: 'your-estimated-revenue' },
    });
  });
});

describe('gg3 preset (GG3 Postback S2S)', () => {
  it('maps the sample postback', () => {
    const parsed = mapPostback(PRESETS.gg3, fromUrl('https://www.example.com/postback?user_id=12345&click_id=67890&transaction_id=123123123&currency=USD&amount_decimal=100.00'));
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({ userId: '12345', clickId: '67890', externalId: '123123123', currency: 'USD', amountMicros: 100_000_000, eventType: 'conversion' }),
    });
  });

  it('identifies a multi-event postback without transaction_id by click and event', () => {
    const parsed = mapPostback(PRESETS.gg3, fromUrl('https://www.example.com/postback?user_id=12345&click_id=67890&currency=USD&amount_decimal=100.00&event_id=001&event_name=purchase'));
    expect(parsed).toEqual({ ok: true, value: expect.objectContaining({ externalId: '67890|001', eventType: 'purchase' }) });
  });
});

describe('momentscience preset (MomentScience postbacks)', () => {
  // MomentScience's documentation lost underscores and dots: "offer id" is offer_id, "2 10" is 2.10.
  it('maps the GET example', () => {
    const parsed = mapPostback(
      PRESETS.momentscience,
      fromUrl('https://api.example.com/postbacks?payout=2.10&timestamp=2023-09-20T15:27:40.802Z&offer_id=1511&advertiser_name=momentscience&is_loyaltyboost=0&user_id=3410444'),
    );
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({ userId: '3410444', offerId: '1511', amountMicros: 2_100_000, timestamp: Date.parse('2023-09-20T15:27:40.802Z') }),
    });
  });

  it('maps the POST example with its nested payload to the same postback', () => {
    const body = {
      offer_id: '1511',
      advertiser_name: 'momentscience',
      payout: '2.10',
      payload: { user_id: '3410444', session_id: 'a90310222' },
      timestamp: '2023-09-20T15:27:40.802Z',
      is_loyaltyboost: '0',
    };
    const post = mapPostback(PRESETS.momentscience, fromJson(body));
    const get = mapPostback(
      PRESETS.momentscience,
      fromUrl('https://x/p?payout=2.10&timestamp=2023-09-20T15:27:40.802Z&offer_id=1511&advertiser_name=momentscience&is_loyaltyboost=0&user_id=3410444'),
    );
    expect(post.ok && get.ok && post.value.externalId === get.value.externalId).toBe(true);
    expect(post).toMatchObject({ ok: true, value: { userId: '3410444', externalId: '1511|2023-09-20T15:27:40.802Z|3410444' } });
  });

  it('takes the user from another payload key when the source says so', () => {
    const definition = resolveDefinition('momentscience', { fields: { ...PRESETS.momentscience.fields, user: ['payload.pub_user_id'] } });
    const parsed = mapPostback(definition, fromJson({ offer_id: '1', payout: '1.00', timestamp: '2023-09-20T15:27:40.802Z', payload: { pub_user_id: 'u-9' } }));
    expect(parsed).toMatchObject({ ok: true, value: { userId: 'u-9' } });
  });
});

describe('reversals', () => {
  const base = resolveDefinition('generic');
  it.each([
    [{ kind: 'status', values: ['2', 'reversed'] }, 'user_id=u&transaction_id=t1&status=reversed', 't1'],
    [{ kind: 'flag', path: 'is_chargeback', value: '1' }, 'user_id=u&transaction_id=t1&is_chargeback=1', 't1'],
    [{ kind: 'negative-amount' }, 'user_id=u&transaction_id=t1&amount=-1.50', 't1'],
    [{ kind: 'prefixed-id', prefix: 'R-' }, 'user_id=u&transaction_id=R-t1', 't1'],
  ] as const)('detects %j', (reversal, query, original) => {
    const definition = { ...base, fields: { ...base.fields, status: 'status', amount: 'amount' }, reversal: reversal as ReversalRule };
    expect(mapPostback(definition, fromUrl(`https://x/p?${query}`))).toMatchObject({ ok: true, value: { reversalOf: original } });
    expect(mapPostback(definition, fromUrl('https://x/p?user_id=u&transaction_id=t1&status=1&amount=1.50'))).toMatchObject({ ok: true, value: { reversalOf: null } });
  });
});

describe('lookup and timestamps', () => {
  it('prefers the body, reads nested paths and exact dotted keys, and stringifies numbers', () => {
    const input: InboundInput = { query: { a: 'from-query', n: '1' }, body: { a: 'from-body', 'x.y': 'dotted', x: { y: 'nested', z: 7 } } };
    expect(lookup(input, 'a')).toBe('from-body');
    expect(lookup(input, 'x.y')).toBe('dotted');
    expect(lookup(input, 'x.z')).toBe('7');
    expect(lookup(input, ['missing', 'n'])).toBe('1');
    expect(lookup(input, 'x')).toBeUndefined();
  });

  it('reads Unix seconds, milliseconds, microseconds and ISO-8601', () => {
    expect(parseTimestamp('1700000000')).toBe(1_700_000_000_000);
    expect(parseTimestamp('1700000000123')).toBe(1_700_000_000_123);
    expect(parseTimestamp('1507770365237823')).toBe(1_507_770_365_237);
    expect(parseTimestamp('2023-09-20T15:27:40.802Z')).toBe(Date.parse('2023-09-20T15:27:40.802Z'));
    expect(parseTimestamp('yesterday')).toBeNull();
  });
});

describe('reward-levels preset (the partner postback API for another studio)', () => {
  it('identifies a postback by user, game and level whatever the aliases', () => {
    const a = mapPostback(PRESETS['reward-levels'], fromJson({ pid: 'p', uid: 'u1', gid: 'g', level_number: 10 }));
    const b = mapPostback(PRESETS['reward-levels'], fromJson({ pid: 'p', user_id: 'u1', gameId: 'g', level: '10' }));
    expect(a).toMatchObject({ ok: true, value: { externalId: 'u1|g|10', level: 10, offerId: 'g', eventType: 'level' } });
    expect(b).toMatchObject({ ok: true, value: { externalId: 'u1|g|10' } });
    expect(mapPostback(PRESETS['reward-levels'], fromJson({ pid: 'p', uid: 'u1', level: 10 }))).toEqual({
      ok: false,
      problem: { field: 'gid', message: 'is required (part of the de-duplication key)' },
    });
  });
});
