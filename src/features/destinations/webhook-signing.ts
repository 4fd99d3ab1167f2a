import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix seconds)
 * and `webhook-signature` = space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
 * keyed with the bytes of a `whsec_<base64>` secret. During a rotation both the new and the
 * old secret sign, so receivers on either accept the message.
 */
export function standardWebhookHeaders(messageId: string, timestampSeconds: number, body: string, secrets: readonly string[]): Record<string, string> {
  const signed = `${messageId}.${timestampSeconds}.${body}`;
  const signatures = secrets.map((secret) => `v1,${createHmac('sha256', whsecKey(secret)).update(signed).digest('base64')}`);
  return { 'webhook-id': messageId, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signatures.join(' ') };
}

function whsecKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** A simple HMAC of the body, hex, for a named header (`X-Signature: <hex>`). */
export function bodyHmac(body: string, secret: string, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha256'): string {
  return createHmac(algorithm, secret).update(body).digest('hex');
}

/** Bounds on an imported secret's key: Standard Webhooks' libraries generate 24 to 64 bytes (the hub 32). */
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;

/**
 * Why a `whsec_` secret brought from elsewhere cannot sign, or null when it can: `whsec_` and
 * canonical base64 (what a receiver's library decodes to the same key) of 24 to 64 bytes.
 */
export function signingSecretProblem(secret: string): string | null {
  if (!secret.startsWith('whsec_')) return 'must start with whsec_';
  const text = secret.slice('whsec_'.length);
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.toString('base64') !== text) return 'must be whsec_ followed by base64';
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) return `must hold ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes (it holds ${key.length})`;
  return null;
}
