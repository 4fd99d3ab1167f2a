import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = SecretBox.fromText(SecretBox.generateKeyText());

  it('seals and opens, with a fresh nonce each time', () => {
    const a = box.seal('partner-hmac-key ✓');
    expect(box.open(a)).toBe('partner-hmac-key ✓');
    expect(box.seal('partner-hmac-key ✓')).not.toBe(a);
    expect(a).not.toContain('partner');
  });

  it('refuses another key and altered text', () => {
    const sealed = box.seal('k');
    expect(() => SecretBox.fromText(SecretBox.generateKeyText()).open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => box.open('plain')).toThrow('not a sealed secret');
  });

  it('has a fingerprint that tells keys apart and reveals nothing of the key', () => {
    const text = SecretBox.generateKeyText();
    const fingerprint = SecretBox.fromText(text).fingerprint();
    expect(SecretBox.fromText(text).fingerprint()).toBe(fingerprint);
    expect(SecretBox.fromText(SecretBox.generateKeyText()).fingerprint()).not.toBe(fingerprint);
    expect(text).not.toContain(fingerprint);
    expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('wants a 32-byte key', () => {
    expect(() => SecretBox.fromText('c2hvcnQ=')).toThrow('32 bytes');
  });
});
