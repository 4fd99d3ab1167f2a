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

describe('published vendor examples', () => {
  it('BitLabs: HMAC-SHA1, hex, over the whole URL as sent minus &hash=', () => {
    const scheme: HashSignatureScheme = {
      kind: 'hmac',
      algorithm: 'sha1',
      encoding: 'hex',
      location: { query: 'hash' },
      message: { kind: 'url-without-signature', baseUrl: 'https://publisher.com' },
    };
    const signed = request({ path: '/complete', rawQuery: 'uid=8cc877ee-af19-488d-b28d-216fb866b996&val=500&hash=dbcd6bb8ca677344592842a52b4fca9bec36cd4b' });
    expect(verifySignature(scheme, signed, 'JLOIAUNMHFli7ZJOQVEzm98rzqnm9')).toEqual({ ok: true });
    // http instead of https is another URL, hence another hash.
    const overHttp = { ...scheme, message: { kind: 'url-without-signature', baseUrl: 'http://publisher.com' } } as const;
    expect(verifySignature(overHttp, signed, 'JLOIAUNMHFli7ZJOQVEzm98rzqnm9').ok).toBe(false);
  });

  describe('Pollfish: HMAC-SHA1, base64, over the values of its placeholders in the order of their names, joined by ":"', () => {
    const placeholders = ['click_id', 'cpa', 'device_id', 'request_uuid', 'reward_name', 'reward_value', 'status', 'term_reason', 'timestamp', 'tx_id'];
    const scheme: HashSignatureScheme = {
      kind: 'hmac',
      algorithm: 'sha1',
      encoding: 'base64',
      location: { query: 'signature' },
      message: { kind: 'sorted-query', valuesOnly: true, join: ':', params: placeholders, skipEmpty: true, keepEmpty: ['click_id', 'term_reason'] },
    };
    const key = '4dd95289-3961-4a1f-a216-26fa0f99ca87';
    const published = 'device_id=my-device-id&cpa=30&timestamp=1463152452308&tx_id=123456789&click_id=a-unique-click-id&signature=h4utQ%2Fi9u7VGTyf9BGi37A08cIE%3D';
    const sign = (text: string) => encodeURIComponent(createHmac('sha1', key).update(text).digest('base64'));

    it('verifies the published callback, with the publisher’s own parameters, developer mode and an empty request_uuid added', () => {
      const rawQuery = `bundle_id=com.domain.app&${published}&source=pollfish&request_uuid=&debug=true`;
      expect(signedMessage(scheme, request({ rawQuery }), '').toString()).toBe('a-unique-click-id:30:my-device-id:1463152452308:123456789');
      expect(verifySignature(scheme, request({ rawQuery }), key)).toEqual({ ok: true });
      expect(verifySignature(scheme, request({ rawQuery: rawQuery.replace('cpa=30', 'cpa=31') }), key).ok).toBe(false);
      // A signed parameter left out, or added, is another message.
      expect(verifySignature(scheme, request({ rawQuery: rawQuery.replace('&timestamp=1463152452308', '') }), key).ok).toBe(false);
      expect(verifySignature(scheme, request({ rawQuery: `${rawQuery}&reward_value=100` }), key).ok).toBe(false);
    });

    it('signs an empty click_id and an empty term_reason as Pollfish documents, in their places', () => {
      // Magic Receipts' README: an empty click_id leaves a leading ":".
      const noClick = published.replace('a-unique-click-id', '').replace(/signature=[^&]*/, '');
      expect(signedMessage(scheme, request({ rawQuery: noClick }), '').toString()).toBe(':30:my-device-id:1463152452308:123456789');
      // s2s.md §7.4: an eligible user's empty term_reason takes part in the signature.
      const eligible = 'tx_id=t1&status=eligible&term_reason=&cpa=30&device_id=d1&timestamp=1463152452308&bundle_id=com.domain.app';
      expect(signedMessage(scheme, request({ rawQuery: eligible }), '').toString()).toBe('30:d1:eligible::1463152452308:t1');
      const signed = `${eligible}&signature=${sign('30:d1:eligible::1463152452308:t1')}`;
      expect(verifySignature(scheme, request({ rawQuery: signed }), key)).toEqual({ ok: true });
      expect(verifySignature(scheme, request({ rawQuery: signed.replace('term_reason=', 'term_reason=quota_full') }), key).ok).toBe(false);
    });

    it('signs in the order of the list, not of the names in the URL', () => {
      // A URL that names the placeholders its own way: id=[[tx_id]], time=[[timestamp]], uuid=[[request_uuid]].
      const renamed: HashSignatureScheme = { ...scheme, message: { kind: 'sorted-query', valuesOnly: true, join: ':', params: ['uuid', 'time', 'id'], skipEmpty: true } };
      expect(signedMessage(renamed, request({ rawQuery: 'id=t1&time=1463152452308&uuid=u1&sig=x' }), '').toString()).toBe('u1:1463152452308:t1');
    });
  });
});

describe('AdMob server-side verification with Google-signed callbacks (published in public repositories)', () => {
  // Google's public key 3335741209 (verifier-keys.json) and real callbacks it signed; see
  // docs/integrations/research/admob-ssv.md for where each comes from.
  const keys = { '3335741209': 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+nzvoGqvDeB9+SzE6igTl7TyK4JBbglwir9oTcQta8NuG26ZpZFxt+F2NDk7asTE6/2Yc8i1ATcGIqtuS5hv0Q==' };
  const scheme = { kind: 'ecdsa-p256', keys } as const;
  const query = (url: string) => url.slice(url.indexOf('?') + 1);

  it.each([
    // voonic/admob-rewarded-ads-ssv test.js
    'verify?ad_network=5450213213286189855&ad_unit=3826813800&reward_amount=5&reward_item=coins&timestamp=1603301304534&transaction_id=147f17287596c1e105dc48686abaaf5e&user_id=hIUa1gWJKIhyoD2QMYxzog521O62&signature=MEQCIFbibACS03osaK1Xt__gaNaA7tHz4RSRKMvK7tkHmdYKAiA_LNgYMvIM6CVPxDJkRXER7pFbO7Rihvjd_RHTujiimg&key_id=3335741209',
    // percent-encoded custom data: verifies only decoded
    '/?ad_network=5450213213286189855&ad_unit=1234567890&custom_data=%7B%22SuperPowers%22%3A%205%7D&reward_amount=1&reward_item=Battle%20Pass&timestamp=1624634818272&transaction_id=123456789&user_id=wNX0mXZaz5hEPWBE6StRdv4cmPk2&signature=MEQCIDhLm6-M98N4YEhPE2owusFjXS1Z7RLagfGiiEqyGyDBAiARo3sevcsrTZEPV8ZG1xBwIiPpuSt4Ege5ZBwH9hyjbQ&key_id=3335741209',
    // '+' for a space: verifies only form-decoded
    'https://oelbsuggrzyqwzmvidju.supabase.co/functions/v1/rewarded-premium-ssv?ad_network=5450213213286189855&ad_unit=1234567890&reward_amount=10&reward_item=Premium+minutes&timestamp=1790870038860&transaction_id=123456789&signature=MEUCIQCNXBYPjfoYmRhoxzYYcZEmNhOwCQzCJoByoVT6TZldQQIgNm9mS7LoeoS3zoezgZ7LVLfqT6VvuJVXATvA_mytu3I&key_id=3335741209',
  ])('verifies %s', (url) => {
    expect(verifySignature(scheme, request({ rawQuery: query(url) }), '')).toEqual({ ok: true });
    expect(verifySignature(scheme, request({ rawQuery: query(url).replace('reward_amount=', 'reward_amount=9') }), '').ok).toBe(false);
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
