import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { AuthRule, FieldPath, SourceDefinition } from './definition.js';
import { signedMessage, type HashSignatureScheme, type SignedRequest } from './signatures.js';

// The request a partner would send to a source, built by the hub for the dashboard's "send
// test postback": the fields, and the credentials the source's rules ask for.

const firstPath = (path: FieldPath | undefined): string | undefined => (path === undefined ? undefined : typeof path === 'string' ? path : path[0]);

/** A plausible postback for a source, by its mapping: what the dashboard offers to edit. */
export function sampleFields(definition: SourceDefinition, now: number): Record<string, string> {
  const unique = `test-${now.toString(36)}-${randomUUID().slice(0, 8)}`;
  const samples: Record<string, string> = {
    user: 'test-user',
    externalId: unique,
    offer: 'test-offer',
    eventType: definition.defaults?.eventType ?? 'conversion',
    amount: '1.00',
    currency: definition.defaults?.currency ?? 'USD',
    level: '5',
    clickId: `click-${unique}`,
    reward: '10',
    timestamp: new Date(now).toISOString(),
  };
  const fields: Record<string, string> = {};
  for (const [name, path] of Object.entries(definition.fields)) {
    const key = firstPath(path);
    const value = samples[name];
    if (key !== undefined && value !== undefined) fields[key] = value;
  }
  for (const key of definition.dedupeKey ?? []) {
    // `?path` is an optional part (mapping.ts): the marker is not part of the field's name.
    const path = typeof key === 'string' && key.startsWith('?') ? key.slice(1) : firstPath(key);
    if (path !== undefined && !path.startsWith('$') && fields[path] === undefined) fields[path] = unique;
  }
  return fields;
}

/** The rules a test satisfies: each rule, and the first alternative of an `any`. */
function leafRules(rules: readonly AuthRule[]) {
  return rules.flatMap((rule) => (rule.kind === 'any' ? rule.rules.slice(0, 1) : [rule]));
}

/** A source whose credentials travel in the query string is tested with a GET. */
export function readsQuery(rules: readonly AuthRule[]): boolean {
  return leafRules(rules).some(
    (rule) =>
      rule.kind === 'secret-query' ||
      (rule.kind === 'signature' && (rule.scheme.kind === 'ecdsa-p256' || 'query' in rule.scheme.location || rule.scheme.message.kind === 'sorted-query' || rule.scheme.message.kind === 'url-without-signature')),
  );
}

export interface TestRequestInput {
  method: 'GET' | 'POST';
  fields: Record<string, string>;
  definition: SourceDefinition;
  /** Null: send no credentials that need the secret (none, or `authenticate` is false). */
  secret: string | null;
  authenticate: boolean;
  origin: string;
  path: string;
  now: number;
  /** Where the test comes from, for the note about an IP allowlist. */
  ip: string;
}

export interface BuiltRequest {
  query: Array<[string, string]>;
  rawQuery: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** What the hub could not produce (an allowlisted address, an ECDSA signature). */
  notes: string[];
  /** Query parameters and headers that carry the secret: shown redacted. */
  secretParams: string[];
  secretHeaders: string[];
}

/** The request under construction: fields go to the query of a GET, to the JSON body of a POST. */
class Draft {
  readonly query: Array<[string, string]> = [];
  readonly bodyFields: Record<string, string> = {};
  readonly headers: Record<string, string> = {};
  readonly notes: string[] = [];
  readonly secretParams: string[] = [];
  readonly secretHeaders: string[] = [];

  constructor(readonly method: 'GET' | 'POST') {}

  put(name: string, value: string): void {
    if (this.method === 'GET') this.query.push([name, value]);
    else this.bodyFields[name] = value;
  }

  secretHeader(name: string, value: string): void {
    this.headers[name] = value;
    this.secretHeaders.push(name);
  }

  rawQuery(): string {
    return this.query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
  }

  body(): Buffer | undefined {
    return this.method === 'POST' ? Buffer.from(JSON.stringify(nest(this.bodyFields)), 'utf8') : undefined;
  }
}

/** The request a partner would send, with the credentials the source's rules ask for (the first alternative of an `any`). */
export function buildTestRequest(input: TestRequestInput): BuiltRequest {
  const draft = new Draft(input.method);
  for (const [name, value] of Object.entries(input.fields)) draft.put(name, value);
  if (!input.authenticate && input.definition.auth.length > 0) draft.notes.push('Sent without credentials, as asked.');
  const signatures = addCredentials(draft, input.authenticate ? leafRules(input.definition.auth) : [], input);
  for (const scheme of signatures) sign(draft, scheme, input);
  const body = draft.body();
  if (body !== undefined) draft.headers['content-type'] = 'application/json';
  const { query, headers, notes, secretParams, secretHeaders } = draft;
  return { query, rawQuery: draft.rawQuery(), headers, body, notes, secretParams, secretHeaders };
}

/** Adds what each rule asks for but signatures, which are computed last, over the finished request; answers those. */
function addCredentials(draft: Draft, rules: ReturnType<typeof leafRules>, input: TestRequestInput): HashSignatureScheme[] {
  const { secret } = input;
  const signatures: HashSignatureScheme[] = [];
  for (const rule of rules) {
    switch (rule.kind) {
      case 'bearer':
        if (secret === null) draft.notes.push('The source has no secret: no Bearer token sent.');
        else draft.secretHeader('authorization', `Bearer ${secret}`);
        break;
      case 'secret-header':
        if (secret !== null) draft.secretHeader(rule.header.toLowerCase(), secret);
        break;
      case 'secret-query':
        if (secret !== null) {
          draft.query.push([rule.param, secret]);
          draft.secretParams.push(rule.param);
        }
        break;
      case 'timestamp':
        if (input.fields[rule.path] === undefined) draft.put(rule.path, String(Math.floor(input.now / 1000)));
        break;
      case 'ip-allowlist':
        draft.notes.push(`The source only accepts ${rule.cidrs.join(', ')}; this test comes from ${input.ip}.`);
        break;
      case 'signature':
        if (rule.scheme.kind === 'ecdsa-p256') draft.notes.push('ECDSA signatures need the partner’s private key: the test is sent unsigned.');
        else signatures.push(rule.scheme);
        break;
    }
  }
  return signatures;
}

/** Signs the request as it stands, as the source's scheme reads it, and puts the signature where the scheme looks. */
function sign(draft: Draft, scheme: HashSignatureScheme, input: TestRequestInput): void {
  const { secret } = input;
  if (secret === null) {
    draft.notes.push('The source has no secret to sign with: the test is sent unsigned.');
    return;
  }
  const body = draft.body();
  const request: SignedRequest = {
    origin: input.origin,
    path: input.path,
    rawQuery: draft.rawQuery(),
    headers: { ...draft.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body,
    fields: { ...Object.fromEntries(draft.query), ...draft.bodyFields },
  };
  const message = signedMessage(scheme, request, secret);
  const digest = scheme.kind === 'hmac' ? createHmac(scheme.algorithm, secret).update(message).digest() : createHash(scheme.algorithm).update(message).digest();
  const signature = digest.toString(scheme.encoding);
  if ('header' in scheme.location) draft.headers[scheme.location.header.toLowerCase()] = signature;
  else if ('query' in scheme.location) draft.query.push([scheme.location.query, signature]);
  else draft.put(scheme.location.field, signature);
}

/**
 * `{"payload.user_id": "u"}` → `{"payload": {"user_id": "u"}}`. Objects without a prototype:
 * a path through `__proto__` is just a key.
 */
export function nest(fields: Record<string, string>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [path, value] of Object.entries(fields)) {
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) {
      const next = Object.hasOwn(node, key) ? node[key] : undefined;
      node = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : ((node[key] = Object.create(null) as Record<string, unknown>));
    }
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}

/** The query as shown to the operator: the secret's parameters redacted. */
export function redactQuery(query: ReadonlyArray<[string, string]>, secretParams: readonly string[]): string {
  return query.map(([n, v]) => `${encodeURIComponent(n)}=${secretParams.includes(n) ? '[redacted]' : encodeURIComponent(v)}`).join('&');
}
