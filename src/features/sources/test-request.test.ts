import { describe, expect, it } from 'vitest';
import { authenticate } from './auth.js';
import type { SourceDefinition } from './definition.js';
import { mapPostback } from './mapping.js';
import { PRESETS } from './presets.js';
import { parseQuery, type SignedRequest } from './signatures.js';
import { buildTestRequest, nest, readsQuery, redactQuery, sampleFields, type BuiltRequest } from './test-request.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const SECRET = 'test-secret-0123456789abcdef';
const ORIGIN = 'https://hub.example.com';

/** The request as the intake reads it: query and top-level body values as fields. */
function received(built: BuiltRequest, path: string): { signed: SignedRequest; body: Record<string, unknown> | null } {
  const body = built.body === undefined ? null : (JSON.parse(built.body.toString('utf8')) as Record<string, unknown>);
  const fields: Record<string, string> = Object.fromEntries(parseQuery(built.rawQuery));
  for (const [key, value] of Object.entries(body ?? {})) if (typeof value === 'string') fields[key] = value;
  return { signed: { origin: ORIGIN, path, rawQuery: built.rawQuery, headers: built.headers, body: built.body, fields }, body };
}

function build(definition: SourceDefinition, options: { authenticate?: boolean; fields?: Record<string, string> } = {}) {
  const authenticate = options.authenticate ?? true;
  return buildTestRequest({
    method: readsQuery(definition.auth) ? 'GET' : 'POST',
    fields: options.fields ?? sampleFields(definition, NOW),
    definition,
    secret: authenticate ? SECRET : null,
    authenticate,
    origin: ORIGIN,
    path: '/postbacks/p',
    now: NOW,
    ip: '203.0.113.9',
  });
}

// Every preset whose credentials the hub can produce: what the dashboard sends is accepted.
const SIGNABLE = Object.entries(PRESETS as Record<string, SourceDefinition>).filter(([, d]) =>
  d.auth.every((rule) => rule.kind !== 'ip-allowlist' && !(rule.kind === 'signature' && rule.scheme.kind === 'ecdsa-p256')),
);

describe('the test postback request', () => {
  it.each(SIGNABLE)('%s: carries the credentials the preset checks, and none without authenticate', (_name, definition) => {
    const built = build(definition);
    const { signed } = received(built, '/postbacks/p');
    expect(authenticate(definition.auth, { request: signed, ip: '203.0.113.9', now: NOW }, SECRET)).toEqual({ ok: true });
    expect(built.notes).toEqual([]);
    const bare = build(definition, { authenticate: false });
    if (definition.auth.length > 0) {
      expect(authenticate(definition.auth, { request: received(bare, '/postbacks/p').signed, ip: '203.0.113.9', now: NOW }, SECRET).ok).toBe(false);
      expect(bare.notes).toEqual(['Sent without credentials, as asked.']);
    }
    // Whatever carries the secret is named, to be shown redacted.
    for (const [name, value] of Object.entries(built.headers)) if (value.includes(SECRET)) expect(built.secretHeaders).toContain(name);
    expect(redactQuery(built.query, built.secretParams)).not.toContain(SECRET);
  });

  it('says what it cannot produce: an allowlisted address, an ECDSA signature', () => {
    expect(build(PRESETS.adgate).notes).toEqual(['The source only accepts 52.42.57.125; this test comes from 203.0.113.9.']);
    expect(build(PRESETS['admob-ssv']).notes).toEqual(['ECDSA signatures need the partner’s private key: the test is sent unsigned.']);
  });

  it('offers a sample the mapping reads, with fresh unique ids', () => {
    const definition: SourceDefinition = { ...PRESETS.generic, fields: { ...PRESETS.generic.fields, user: 'payload.user_id', externalId: 'id', offer: 'offer' } };
    const first = sampleFields(definition, NOW);
    expect(first).toMatchObject({ 'payload.user_id': 'test-user', offer: 'test-offer', id: expect.stringMatching(/^test-/) });
    expect(sampleFields(definition, NOW).id).not.toBe(first.id);
    const built = build(definition, { fields: first });
    expect(built.body?.toString('utf8')).toContain('"payload":{"user_id":"test-user"}');
    const { body } = received(built, '/postbacks/p');
    expect(mapPostback(definition, { query: {}, body })).toMatchObject({ ok: true, value: { userId: 'test-user', externalId: first.id, offerId: 'test-offer' } });
  });

  it("names an optional de-duplication part's field without its `?` marker", () => {
    const definition: SourceDefinition = { ...PRESETS.gg3, fields: { user: 'user_id', clickId: 'click_id' } };
    const sample = sampleFields(definition, NOW);
    expect(Object.keys(sample).filter((key) => key.startsWith('?'))).toEqual([]);
    expect(sample).toMatchObject({ click_id: expect.stringMatching(/^click-test-/), event_id: expect.stringMatching(/^test-/) });
    expect(mapPostback(definition, { query: sample, body: null })).toMatchObject({ ok: true, value: { externalId: `${sample.click_id}|${sample.event_id}` } });
  });

  it('nests dotted paths into objects without a prototype', () => {
    const nested = nest({ 'payload.user_id': 'u', '__proto__.polluted': 'yes', id: 'x' });
    expect(JSON.stringify(nested)).toBe('{"payload":{"user_id":"u"},"__proto__":{"polluted":"yes"},"id":"x"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
