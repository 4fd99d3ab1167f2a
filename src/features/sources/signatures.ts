import { createHash, createHmac, createPublicKey, timingSafeEqual, verify as verifySignatureBytes, type KeyObject } from 'node:crypto';

/**
 * Callback signature verification, configured rather than coded, for the schemes real
 * offerwalls and ad networks use. Canonicalisation works on the request exactly as it arrived
 * (the raw query string, the raw body): re-encoding a URL differently from the sender is where
 * integrations break, so nothing here decodes and re-encodes what the sender signed.
 */

export type DigestAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64' | 'base64url';

/** Where the signature arrives. */
export type SignatureLocation = { header: string } | { query: string } | { field: string };

/** What was signed. */
export type SignedMessage =
  /** The full URL as received, minus the signature parameter. `baseUrl` overrides scheme://host. */
  | { kind: 'url-without-signature'; baseUrl?: string }
  /**
   * The query parameters sorted by name (byte order), minus the signature (and `exclude`), as
   * name=value joined by `join`, or values only; decoded, or re-encoded as PHP's `urlencode`
   * does (`http_build_query`: space as `+`, all but `A-Za-z0-9-_.` as upper-case `%XX`).
   * `params`: only these are signed, those present, in the list's order rather than sorted (a
   * partner that signs its own placeholders, in its order, whatever the URL calls them, and
   * not the publisher's parameters). `skipEmpty`: empty values are left out, but for `keepEmpty`.
   */
  | { kind: 'sorted-query'; join?: string; valuesOnly?: boolean; exclude?: string[]; encode?: 'php-urlencode'; params?: string[]; skipEmpty?: boolean; keepEmpty?: string[] }
  /** The request body, byte for byte. */
  | { kind: 'raw-body' }
  /** Fields and the secret joined by a template, e.g. `{id}:{user}:{amount}:{secret}`. */
  | { kind: 'template'; template: string };

export interface HashSignatureScheme {
  /** `hmac`: keyed with the secret. `digest`: a plain hash; the secret is part of the message (template). */
  kind: 'hmac' | 'digest';
  algorithm: DigestAlgorithm;
  encoding: SignatureEncoding;
  location: SignatureLocation;
  message: SignedMessage;
}

/**
 * Google's rewarded-ads server-side verification: ECDSA P-256 / SHA-256 over the query string
 * up to `&signature=`, **URL-decoded** (Google signs the decoded text: a real callback with
 * `custom_data=%7B…%20…` or `Premium+minutes` verifies only decoded); the signature (web-safe
 * base64, DER) and the key id are the last two parameters; public keys come from a configured
 * key set, by key id.
 */
export interface EcdsaSignatureScheme {
  kind: 'ecdsa-p256';
  /** key id → public key, PEM or base64 DER (SPKI). */
  keys: Record<string, string>;
  signatureParam?: string;
  keyIdParam?: string;
}

export type SignatureScheme = HashSignatureScheme | EcdsaSignatureScheme;

/** The request as the verifier needs it. */
export interface SignedRequest {
  /** `scheme://host` as the partner addressed it. */
  origin: string;
  /** The path, without the query. */
  path: string;
  /** The query string exactly as received, without the leading `?`. */
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
  /** Decoded input fields (query and body), for templates and `field` locations. */
  fields: Record<string, string>;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export function verifySignature(scheme: SignatureScheme, request: SignedRequest, secret: string): Verdict {
  return scheme.kind === 'ecdsa-p256' ? verifyEcdsa(scheme, request) : verifyHash(scheme, request, secret);
}

/** The string a hash scheme signs, for `request` (exported for tests and for "why" answers). */
export function signedMessage(scheme: HashSignatureScheme, request: SignedRequest, secret: string): Buffer {
  const signatureParam = 'query' in scheme.location ? scheme.location.query : undefined;
  const message = scheme.message;
  switch (message.kind) {
    case 'url-without-signature': {
      const query = signatureParam === undefined ? request.rawQuery : withoutParams(request.rawQuery, [signatureParam]);
      return Buffer.from(`${message.baseUrl ?? request.origin}${request.path}${query === '' ? '' : `?${query}`}`, 'utf8');
    }
    case 'sorted-query': {
      const skip = new Set([...(signatureParam === undefined ? [] : [signatureParam]), ...(message.exclude ?? [])]);
      const keepEmpty = new Set(message.keepEmpty);
      const present = parseQuery(request.rawQuery).filter(([name, value]) => !skip.has(name) && (message.skipEmpty !== true || value !== '' || keepEmpty.has(name)));
      const pairs =
        message.params === undefined
          ? present.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          : message.params.flatMap((listed) => present.filter(([name]) => name === listed));
      const encode = message.encode === 'php-urlencode' ? phpUrlencode : (text: string) => text;
      const parts = pairs.map(([name, value]) => (message.valuesOnly === true ? encode(value) : `${encode(name)}=${encode(value)}`));
      return Buffer.from(parts.join(message.join ?? (message.valuesOnly === true ? '' : '&')), 'utf8');
    }
    case 'raw-body':
      return request.body ?? Buffer.alloc(0);
    case 'template':
      return Buffer.from(fillTemplate(message.template, request.fields, secret), 'utf8');
  }
}

function verifyHash(scheme: HashSignatureScheme, request: SignedRequest, secret: string): Verdict {
  const presented = readSignature(scheme.location, request);
  if (presented === undefined || presented === '') return { ok: false, reason: `signature missing (${describeLocation(scheme.location)})` };
  const message = signedMessage(scheme, request, secret);
  const expected = scheme.kind === 'hmac' ? createHmac(scheme.algorithm, secret).update(message).digest() : createHash(scheme.algorithm).update(message).digest();
  const given = decodeSignature(presented, scheme.encoding);
  if (given === null || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: `signature does not match (${scheme.kind} ${scheme.algorithm} over ${scheme.message.kind})` };
  }
  return { ok: true };
}

function verifyEcdsa(scheme: EcdsaSignatureScheme, request: SignedRequest): Verdict {
  const signatureParam = scheme.signatureParam ?? 'signature';
  const keyIdParam = scheme.keyIdParam ?? 'key_id';
  const marker = `&${signatureParam}=`;
  const at = request.rawQuery.indexOf(marker);
  if (at < 0) return { ok: false, reason: `signature missing (query parameter ${signatureParam})` };
  const raw = request.rawQuery.slice(0, at);
  const decoded = decodeComponent(raw);
  const params = new Map(parseQuery(request.rawQuery.slice(at + 1)));
  const signature = params.get(signatureParam);
  const keyId = params.get(keyIdParam);
  if (signature === undefined || keyId === undefined) return { ok: false, reason: `${keyIdParam} missing` };
  const key = scheme.keys[keyId];
  if (key === undefined) return { ok: false, reason: `unknown ${keyIdParam} ${keyId}` };
  const bytes = decodeSignature(signature, 'base64url');
  if (bytes === null) return { ok: false, reason: 'signature is not web-safe base64' };
  let publicKey: KeyObject;
  try {
    publicKey = publicKeyFrom(key);
  } catch {
    return { ok: false, reason: `key ${keyId} in the key set is not a valid public key` };
  }
  // The decoded text first (what Google signs); the raw bytes too, for senders that sign those.
  const candidates = decoded === null || decoded === raw ? [raw] : [decoded, raw];
  if (publicKey.asymmetricKeyType !== 'ec') return { ok: false, reason: `key ${keyId} in the key set is not an ECDSA P-256 key` };
  let valid: boolean;
  try {
    valid = candidates.some((text) => verifySignatureBytes('sha256', Buffer.from(text, 'utf8'), { key: publicKey, dsaEncoding: 'der' }, bytes));
  } catch {
    // A key on another curve, or bytes that are not a DER signature: no match, never a crash.
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: `signature does not match (ECDSA P-256 key ${keyId})` };
}

/** Whether a key set's entry is an ECDSA P-256 public key (PEM or base64 DER SPKI): the problem, or null. */
export function ecdsaKeyProblem(text: string): string | null {
  try {
    const key = publicKeyFrom(text);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? null : 'is not an ECDSA P-256 public key';
  } catch {
    return 'is not a public key (PEM, or base64 DER SubjectPublicKeyInfo)';
  }
}

const keyCache = new Map<string, KeyObject>();
function publicKeyFrom(text: string): KeyObject {
  let key = keyCache.get(text);
  if (key === undefined) {
    key = text.includes('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
    keyCache.set(text, key);
  }
  return key;
}

function readSignature(location: SignatureLocation, request: SignedRequest): string | undefined {
  if ('header' in location) {
    const value = request.headers[location.header.toLowerCase()];
    return (Array.isArray(value) ? value[0] : value)?.trim();
  }
  if ('query' in location) return parseQuery(request.rawQuery).find(([name]) => name === location.query)?.[1];
  return field(request.fields, location.field);
}

function describeLocation(location: SignatureLocation): string {
  if ('header' in location) return `header ${location.header}`;
  if ('query' in location) return `query parameter ${location.query}`;
  return `field ${location.field}`;
}

/** Hex (either case) or base64 (standard or web-safe, padded or not); null if malformed. */
function decodeSignature(text: string, encoding: SignatureEncoding): Buffer | null {
  if (encoding === 'hex') return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : null;
  const normalised = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(normalised)) return null;
  return Buffer.from(normalised, 'base64');
}

/** `a=1&b=%20x` → [['a','1'],['b',' x']], decoding as a form would (`+` is a space). */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery.split('&').flatMap((part): Array<[string, string]> => {
    if (part === '') return [];
    const eq = part.indexOf('=');
    const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(part.slice(eq + 1));
    return name === null || value === null ? [] : [[name, value]];
  });
}

/** Drops the named parameters from a raw query, leaving every other byte as it was. */
export function withoutParams(rawQuery: string, names: readonly string[]): string {
  return rawQuery
    .split('&')
    .filter((part) => {
      const eq = part.indexOf('=');
      const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
      return name === null || !names.includes(name);
    })
    .join('&');
}

function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** PHP's `urlencode`: what `http_build_query` produces. */
export function phpUrlencode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** A request field by name: its own, never one inherited from `Object.prototype` (`constructor`). */
export function field(fields: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/** `{id}:{user}:{secret}` → values of the fields (empty when absent) and the secret. */
export function fillTemplate(template: string, fields: Record<string, string>, secret: string): string {
  return template.replace(/\{([^{}]+)\}/g, (_, name: string) => (name === 'secret' ? secret : (field(fields, name) ?? '')));
}
