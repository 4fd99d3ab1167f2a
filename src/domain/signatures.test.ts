import { createHash, createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseQuery, signedMessage, verifySignature, withoutParams, type HashSignatureScheme, type SignedRequest } from './signatures.js';

function request(overrides: Partial<SignedRequest> = {}): SignedRequest {
  return { origin: 'https://hub.example.com', path: '/postbacks/wall', rawQuery: '', headers: {}, body: undefined, fields: {}, ...overrides };
}

describe('HMAC and digest primitives (published test vectors)', () => {
  // RFC 2202 / RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
  const body = Buffer.from('what do ya want for nothing?');
  it.each([
    ['md5', '750c783e6ab0b503eaa86e310a5db738'],
    ['sha1', 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79'],
    ['sha256', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    [
      'sha512',
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    ],
  ] as const)('HMAC-%s over the raw body', (algorithm, hex) => {
    const scheme: HashSignatureScheme = { kind: 'hmac', algorithm, encoding: 'hex', location: { header: 'X-Signature' }, message: { kind: 'raw-body' } };
    expect(verifySignature(scheme, request({ body, headers: { 'x-signature': hex } }), 'Jefe')).toEqual({ ok: true });
    expect(verifySignature(scheme, request({ body, headers: { 'x-signature': hex.toUpperCase() } }), 'Jefe')).toEqual({ ok: true });
    expect(verifySignature(scheme, request({ body, headers: { 'x-signature': hex } }), 'jefe').ok).toBe(false);
  });

  it('reads base64 and web-safe base64, padded or not', () => {
    const digest = createHmac('sha256', 'Jefe').update(body).digest();
    const scheme: HashSignatureScheme = { kind: 'hmac', algorithm: 'sha256', encoding: 'base64', location: { header: 'x-sig' }, message: { kind: 'raw-body' } };
    for (const text of [digest.toString('base64'), digest.toString('base64url'), digest.toString('base64').replace(/=+$/, '')]) {
      expect(verifySignature(scheme, request({ body, headers: { 'x-sig': text } }), 'Jefe')).toEqual({ ok: true });
    }
  });
});

describe('canonicalisation', () => {
  // Encoded the way a sender might: %20 and + for spaces, an encoded slash, a raw comma.
  const rawQuery = 'user_id=u%201&amount=2.10&note=a+b%2Fc,d&hash=PLACEHOLDER&offer_id=1511';

  it('signs the full URL as received, minus the signature parameter, without re-encoding', () => {
    const scheme: HashSignatureScheme = { kind: 'hmac', algorithm: 'sha1', encoding: 'hex', location: { query: 'hash' }, message: { kind: 'url-without-signature' } };
    const signed = 'https://hub.example.com/postbacks/wall?user_id=u%201&amount=2.10&note=a+b%2Fc,d&offer_id=1511';
    expect(signedMessage(scheme, request({ rawQuery }), 's3cret').toString()).toBe(signed);
    const hex = createHmac('sha1', 's3cret').update(signed).digest('hex');
    const good = request({ rawQuery: rawQuery.replace('PLACEHOLDER', hex) });
    expect(verifySignature(scheme, good, 's3cret')).toEqual({ ok: true });
    // The same values encoded differently are a different message: the sender signed bytes.
    const reencoded = request({ rawQuery: good.rawQuery.replace('u%201', 'u+1') });
    expect(verifySignature(scheme, reencoded, 's3cret').ok).toBe(false);
    expect(verifySignature(scheme, request({ rawQuery: good.rawQuery.replace('2.10', '9.10') }), 's3cret')).toEqual({
      ok: false,
      reason: 'signature does not match (hmac sha1 over url-without-signature)',
    });
  });

  it('lets a configured base URL stand for the one behind a proxy', () => {
    const scheme: HashSignatureScheme = {
      kind: 'hmac',
      algorithm: 'sha256',
      encoding: 'hex',
      location: { query: 'sig' },
      message: { kind: 'url-without-signature', baseUrl: 'https://rewards.example.org/hub' },
    };
    expect(signedMessage(scheme, request({ rawQuery: 'a=1&sig=x' }), 'k').toString()).toBe('https://rewards.example.org/hub/postbacks/wall?a=1');
  });

  it('sorts the query by name, decoded, without the signature', () => {
    const scheme: HashSignatureScheme = { kind: 'hmac', algorithm: 'sha256', encoding: 'hex', location: { query: 'hash' }, message: { kind: 'sorted-query' } };
    expect(signedMessage(scheme, request({ rawQuery }), 'k').toString()).toBe('amount=2.10&note=a b/c,d&offer_id=1511&user_id=u 1');
    const valuesOnly: HashSignatureScheme = { ...scheme, message: { kind: 'sorted-query', valuesOnly: true, exclude: ['note'] } };
    expect(signedMessage(valuesOnly, request({ rawQuery }), 'k').toString()).toBe('2.101511u 1');
  });

  it('fills a template with fields and the secret', () => {
    const scheme: HashSignatureScheme = {
      kind: 'digest',
      algorithm: 'md5',
      encoding: 'hex',
      location: { field: 'signature' },
      message: { kind: 'template', template: '{timestamp}{eventId}{appUserId}{rewards}{secret}' },
    };
    const fields = { timestamp: '202611211200', eventId: 'e1', appUserId: 'u1', rewards: '10' };
    const hex = createHash('md5').update('202611211200e1u110private').digest('hex');
    expect(verifySignature(scheme, request({ fields: { ...fields, signature: hex } }), 'private')).toEqual({ ok: true });
    expect(verifySignature(scheme, request({ fields: { ...fields, rewards: '11', signature: hex } }), 'private').ok).toBe(false);
  });

  it('says where the signature was expected when it is missing', () => {
    const scheme: HashSignatureScheme = { kind: 'hmac', algorithm: 'sha256', encoding: 'hex', location: { header: 'X-Hash' }, message: { kind: 'raw-body' } };
    expect(verifySignature(scheme, request(), 'k')).toEqual({ ok: false, reason: 'signature missing (header X-Hash)' });
    expect(verifySignature(scheme, request({ headers: { 'x-hash': 'not hex' } }), 'k').ok).toBe(false);
    expect(verifySignature(scheme, request({ headers: { 'x-hash': 'abcd' } }), 'k').ok).toBe(false);
  });
});

describe('ECDSA P-256 (rewarded-ads server-side verification)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const signed = 'ad_network=5450213213286189855&ad_unit=12345678&custom_data=a%20b&reward_amount=10&reward_item=coins&timestamp=1507770365237823&transaction_id=123456789&user_id=1234567';
  const signature = sign('sha256', Buffer.from(signed), { key: privateKey, dsaEncoding: 'der' }).toString('base64url');
  const scheme = { kind: 'ecdsa-p256', keys: { '3335741209': keyPem, '42': keyDer } } as const;

  it('verifies the query up to &signature= with the key named by key_id', () => {
    expect(verifySignature(scheme, request({ rawQuery: `${signed}&signature=${signature}&key_id=3335741209` }), '')).toEqual({ ok: true });
    expect(verifySignature(scheme, request({ rawQuery: `${signed}&signature=${signature}&key_id=42` }), '')).toEqual({ ok: true });
  });

  it('refuses a changed reward, an unknown key and a missing signature', () => {
    const tampered = signed.replace('reward_amount=10', 'reward_amount=99');
    expect(verifySignature(scheme, request({ rawQuery: `${tampered}&signature=${signature}&key_id=42` }), '')).toEqual({
      ok: false,
      reason: 'signature does not match (ECDSA P-256 key 42)',
    });
    expect(verifySignature(scheme, request({ rawQuery: `${signed}&signature=${signature}&key_id=7` }), '')).toEqual({ ok: false, reason: 'unknown key_id 7' });
    expect(verifySignature(scheme, request({ rawQuery: signed }), '').ok).toBe(false);
  });
});

describe('query helpers', () => {
  it('parses like a form and drops parameters byte-exactly', () => {
    expect(parseQuery('a=1&b=x+y%21&c&=z&d=%E2%9C%93')).toEqual([
      ['a', '1'],
      ['b', 'x y!'],
      ['c', ''],
      ['', 'z'],
      ['d', '✓'],
    ]);
    expect(withoutParams('a=1&sig=2&b=%20&sig=3', ['sig'])).toBe('a=1&b=%20');
    // A malformed escape is kept as it was, never thrown on.
    expect(parseQuery('a=%E0%A4%A&b=2')).toEqual([['b', '2']]);
  });
});
