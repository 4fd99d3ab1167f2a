import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets kept at rest (partner HMAC keys must be readable again to verify
 * signatures, so they cannot be hashed): AES-256-GCM with a random 96-bit nonce per value.
 * Text form: `v1.<nonce>.<tag>.<ciphertext>`, base64url parts.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError('the secret key must be 32 bytes');
    this.key = key;
  }

  /** A key from its text form: 32 bytes as base64 or base64url (e.g. `openssl rand -base64 32`). */
  static fromText(text: string): SecretBox {
    return new SecretBox(Buffer.from(text.trim().replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  }

  static generateKeyText(): string {
    return randomBytes(32).toString('base64');
  }

  /**
   * Names the key without revealing it (an HMAC of a fixed label): kept with the data, so that a
   * process given another key can tell before it seals or fails to open anything.
   */
  fingerprint(): string {
    return createHmac('sha256', this.key).update('postback-hub SECRET_KEY fingerprint').digest('base64url').slice(0, 16);
  }

  seal(plaintext: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', nonce, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /** Throws if the text was not sealed with this key or was altered. */
  open(sealed: string): string {
    const [version, nonce, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || nonce === undefined || tag === undefined || ciphertext === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
