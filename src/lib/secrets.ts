import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API secrets are 256 random bits, so a plain SHA-256 is a sufficient (and fast) at-rest
 * hash: there is nothing to brute-force, unlike a password.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new secret: `pbh_` and 43 base64url characters. The prefix makes leaked keys greppable. */
export function generateSecret(): string {
  return `pbh_${randomBytes(32).toString('base64url')}`;
}

/** The part of a secret that may be shown again, to tell secrets apart. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, 10);
}

/** Constant-time equality of two strings of any length (both are hashed to equal length first). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
