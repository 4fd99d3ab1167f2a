import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SignedRequest } from './signatures.js';
import { renderTextAnswer } from './answer.js';
import { allowedIp, authenticate, checkCidr } from './auth.js';
import type { AuthRule } from './definition.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const req = (overrides: Partial<SignedRequest> = {}): SignedRequest => ({
  origin: 'https://hub.example.com',
  path: '/postbacks/w',
  rawQuery: '',
  headers: {},
  body: undefined,
  fields: {},
  ...overrides,
});
const ctx = (request: SignedRequest, ip = '203.0.113.9') => ({ request, ip, now: NOW });

describe('authenticate', () => {
  it('checks a Bearer token, a header and a query secret', () => {
    expect(authenticate([{ kind: 'bearer' }], ctx(req({ headers: { authorization: 'Bearer s3cret' } })), 's3cret')).toEqual({ ok: true });
    expect(authenticate([{ kind: 'bearer' }], ctx(req({ headers: { authorization: 'Bearer nope' } })), 's3cret')).toEqual({
      ok: false,
      reason: 'wrong secret (Authorization: Bearer)',
    });
    expect(authenticate([{ kind: 'secret-header', header: 'X-Key' }], ctx(req({ headers: { 'x-key': 's3cret' } })), 's3cret').ok).toBe(true);
    expect(authenticate([{ kind: 'secret-query', param: 'secret' }], ctx(req({ fields: { secret: 's3cret' } })), 's3cret').ok).toBe(true);
    expect(authenticate([{ kind: 'secret-query', param: 'secret' }], ctx(req()), 's3cret')).toEqual({ ok: false, reason: 'secret missing (query parameter secret)' });
    expect(authenticate([{ kind: 'bearer' }], ctx(req({ headers: { authorization: 'Bearer x' } })), null)).toEqual({
      ok: false,
      reason: 'the source has no secret configured',
    });
  });

  it('requires every rule, and one of an `any`', () => {
    const rules: AuthRule[] = [
      { kind: 'any', rules: [{ kind: 'bearer' }, { kind: 'secret-header', header: 'X-Reward-Api-Secret' }] },
      { kind: 'ip-allowlist', cidrs: ['203.0.113.0/24'] },
    ];
    expect(authenticate(rules, ctx(req({ headers: { 'x-reward-api-secret': 'k' } })), 'k')).toEqual({ ok: true });
    expect(authenticate(rules, ctx(req({ headers: { 'x-reward-api-secret': 'k' } }), '198.51.100.1'), 'k')).toEqual({
      ok: false,
      reason: 'address 198.51.100.1 is not in the allowlist',
    });
    expect(authenticate(rules, ctx(req()), 'k')).toEqual({
      ok: false,
      reason: 'secret missing (Authorization: Bearer); secret missing (header X-Reward-Api-Secret)',
    });
  });

  it('verifies a signature with the source secret', () => {
    const rawQuery = 'user_id=u1&tx=9';
    const sig = createHmac('sha256', 'k').update(`https://hub.example.com/postbacks/w?${rawQuery}`).digest('hex');
    const rule = {
      kind: 'signature',
      scheme: { kind: 'hmac', algorithm: 'sha256', encoding: 'hex', location: { query: 'sig' }, message: { kind: 'url-without-signature' } },
    } as const;
    expect(authenticate([rule], ctx(req({ rawQuery: `${rawQuery}&sig=${sig}` })), 'k')).toEqual({ ok: true });
    expect(authenticate([rule], ctx(req({ rawQuery: `${rawQuery}&sig=${sig}` })), 'other').ok).toBe(false);
  });

  it('refuses a replay outside the timestamp tolerance', () => {
    const rule = { kind: 'timestamp', path: 'ts', toleranceSeconds: 300 } as const;
    expect(authenticate([rule], ctx(req({ fields: { ts: String(NOW / 1000 - 299) } })), null)).toEqual({ ok: true });
    expect(authenticate([rule], ctx(req({ fields: { ts: String(NOW / 1000 - 301) } })), null)).toEqual({
      ok: false,
      reason: 'timestamp ts is 301 s away from now (tolerance 300 s)',
    });
    expect(authenticate([rule], ctx(req({ fields: { ts: 'soon' } })), null).ok).toBe(false);
  });
});

describe('IP allowlists', () => {
  it('matches IPv4, IPv6 and IPv4-mapped IPv6 in CIDR blocks', () => {
    const cidrs = ['52.42.57.125', '10.0.0.0/8', '2001:db8::/32'];
    expect(allowedIp(cidrs, '52.42.57.125')).toBe(true);
    expect(allowedIp(cidrs, '52.42.57.126')).toBe(false);
    expect(allowedIp(cidrs, '10.200.3.4')).toBe(true);
    expect(allowedIp(cidrs, '::ffff:10.1.1.1')).toBe(true);
    expect(allowedIp(cidrs, '2001:db8:1::5')).toBe(true);
    expect(allowedIp(cidrs, '2001:db9::1')).toBe(false);
    expect(allowedIp(cidrs, 'not an ip')).toBe(false);
  });

  it('explains a bad block', () => {
    expect(checkCidr('10.0.0.0/33')).toBe('"10.0.0.0/33" has an invalid prefix length');
    expect(checkCidr('example.com')).toBe('"example.com" is not an IP address or CIDR block');
    expect(checkCidr('2001:db8::/48')).toBeNull();
  });
});

describe('text answers', () => {
  const vars = { event_id: 'e1', external_id: 'tx9', user_id: 'u1', coins: 5 };
  it('renders `1`, `OK` and `<id>:OK`, the success answer serving duplicates by default', () => {
    const config = { format: 'text', success: { status: 200, body: '{external_id}:OK' }, rejected: { status: 400, body: '0' } } as const;
    expect(renderTextAnswer(config, 'accepted', vars)).toEqual({ status: 200, body: 'tx9:OK' });
    expect(renderTextAnswer(config, 'duplicate', vars)).toEqual({ status: 200, body: 'tx9:OK' });
    expect(renderTextAnswer(config, 'rejected', vars)).toEqual({ status: 400, body: '0' });
    expect(renderTextAnswer({ format: 'json' }, 'accepted', vars)).toBeNull();
  });
});
