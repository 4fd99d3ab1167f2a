import { ConfigError } from './config.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Store } from '../store/store.js';

/**
 * Every process sharing a database must seal and open secrets with one SECRET_KEY. A process
 * with another key would fail to open every partner's secret (a delivery left `delivering`, a
 * postback refused) or seal new ones that the others cannot open. The database keeps the key's
 * fingerprint, and a process with another key refuses to start.
 */
const FINGERPRINT_SETTING = 'secret_key_fingerprint';

type KeyStore = Pick<Store, 'getSetting' | 'claimSetting' | 'anySealedSecret'>;

/** Kept as an object: a bare JSON string would read back ambiguously from a JSONB column. */
interface Fingerprint {
  fingerprint: string;
}

function fingerprintOf(setting: unknown): string | null {
  return typeof setting === 'object' && setting !== null && typeof (setting as Fingerprint).fingerprint === 'string' ? (setting as Fingerprint).fingerprint : null;
}

function mismatch(stored: string | null, box: SecretBox): ConfigError {
  return new ConfigError(
    'SECRET_KEY',
    `this database's secrets are sealed with another key (fingerprint ${stored ?? 'unreadable'}; this process's key has ${box.fingerprint()}): ` +
      'give every process that shares the database the same SECRET_KEY',
  );
}

/**
 * Before anything runs: the key must be the database's. A database from before fingerprints
 * were kept has none; then a secret it already holds must open with this key.
 */
export async function verifySecretKey(store: KeyStore, box: SecretBox): Promise<void> {
  const setting = await store.getSetting(FINGERPRINT_SETTING);
  if (setting !== null) {
    const stored = fingerprintOf(setting);
    if (stored !== box.fingerprint()) throw mismatch(stored, box);
    return;
  }
  const sealed = await store.anySealedSecret();
  if (sealed === null) return;
  try {
    box.open(sealed);
  } catch {
    throw new ConfigError('SECRET_KEY', "cannot open the secrets already in this database: set the SECRET_KEY they were sealed with");
  }
}

/**
 * Once the process is committed to running (listening, its key kept): the database takes this
 * key's fingerprint if it has none. Two new processes racing with different keys: the first
 * wins and the other stops here, before it has sealed anything.
 */
export async function recordSecretKey(store: KeyStore, box: SecretBox, now: number): Promise<void> {
  const kept = fingerprintOf(await store.claimSetting(FINGERPRINT_SETTING, { fingerprint: box.fingerprint() } satisfies Fingerprint, now));
  if (kept !== box.fingerprint()) throw mismatch(kept, box);
}
