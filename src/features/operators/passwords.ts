import { hash, verify } from '@node-rs/argon2';
import { ValidationError } from '../../lib/errors.js';

/**
 * Passwords are hashed with Argon2id (the library's defaults, OWASP's minimum: 19 MiB, 2
 * passes), the hash carrying its own parameters and salt, so they can be raised later
 * without invalidating what is stored.
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

export function checkPassword(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN) throw new ValidationError(field, `must be at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) throw new ValidationError(field, `must be at most ${PASSWORD_MAX} characters`);
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function passwordMatches(stored: string | null, password: string): Promise<boolean> {
  // Hashed anyway when there is nothing to compare with, so an unknown email takes as long to
  // refuse as a wrong password.
  if (stored === null) {
    await hash(password);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
