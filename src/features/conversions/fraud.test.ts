import { describe, expect, it } from 'vitest';
import { capFlags, capRules, clickFlags, DEFAULT_FRAUD_POLICY, reviewOf, type FraudPolicy } from './fraud.js';

const DAY = 86_400_000;
const policy = (over: Partial<FraudPolicy>): FraudPolicy => ({ ...DEFAULT_FRAUD_POLICY, ...over });

describe('click checks', () => {
  it('flags a click id never issued, or older than the window', () => {
    expect(clickFlags(DEFAULT_FRAUD_POLICY, { clickIdGiven: 'nope', click: null, clicksFromIp: 0, now: 0 })).toEqual([
      { check: 'unknown_click', action: 'flag', detail: 'click id "nope" was never issued' },
    ]);
    const old = { clickIdGiven: 'c', click: { createdAt: 0, ip: '1.2.3.4' }, clicksFromIp: 1, now: 31 * DAY };
    expect(clickFlags(DEFAULT_FRAUD_POLICY, old).map((f) => f.check)).toEqual(['expired_click']);
    expect(clickFlags(DEFAULT_FRAUD_POLICY, { ...old, now: 30 * DAY })).toEqual([]);
    expect(clickFlags(policy({ unknownClick: 'off' }), { ...old, click: null })).toEqual([]);
    // Matched by user and offer, no click id given: nothing unknown about it.
    expect(clickFlags(DEFAULT_FRAUD_POLICY, { clickIdGiven: null, click: null, clicksFromIp: 0, now: 0 })).toEqual([]);
  });

  it('flags a conversion faster than the minimum, and too many clicks from one address', () => {
    const p = policy({ fastConversion: { action: 'hold', seconds: 10 }, clicksPerIp: { action: 'flag', max: 3, windowMinutes: 60 } });
    const flags = clickFlags(p, { clickIdGiven: 'c', click: { createdAt: 1000, ip: '1.2.3.4' }, clicksFromIp: 4, now: 10_999 });
    expect(flags.map((f) => [f.check, f.action])).toEqual([
      ['fast_conversion', 'hold'],
      ['clicks_per_ip', 'flag'],
    ]);
    expect(clickFlags(p, { clickIdGiven: 'c', click: { createdAt: 1000, ip: '1.2.3.4' }, clicksFromIp: 3, now: 11_000 })).toEqual([]);
  });
});

describe('conversion caps', () => {
  it('is off unless configured', () => {
    expect(capRules(DEFAULT_FRAUD_POLICY)).toBeNull();
  });

  it('flags the conversion that goes over each cap, and a repeat credit by the same offer', () => {
    const rules = capRules(
      policy({ perUserPerDay: { action: 'flag', max: 2 }, perOfferPerDay: { action: 'hold', max: 5 }, perUserPerOffer: { action: 'flag', max: 1 }, repeatOfferCredit: 'hold' }),
    )!;
    expect(capFlags(rules, { userToday: 1, offerToday: 4, userOffer: 0, userOfferCredited: 0 }, true)).toEqual([]);
    expect(capFlags(rules, { userToday: 2, offerToday: 5, userOffer: 1, userOfferCredited: 1 }, true).map((f) => f.check)).toEqual([
      'per_user_per_day',
      'per_offer_per_day',
      'per_user_per_offer',
      'repeat_offer_credit',
    ]);
    // Nothing credited now: not a repeat credit.
    expect(capFlags(rules, { userToday: 0, offerToday: 0, userOffer: 0, userOfferCredited: 1 }, false)).toEqual([]);
  });

  it('holds if any finding holds', () => {
    expect(reviewOf([])).toBeNull();
    expect(reviewOf([{ check: 'unknown_click', action: 'flag', detail: '' }])).toBe('flagged');
    expect(reviewOf([{ check: 'unknown_click', action: 'flag', detail: '' }, { check: 'fast_conversion', action: 'hold', detail: '' }])).toBe('held');
  });
});
