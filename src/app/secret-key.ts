import { ConfigError } from './config.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Database } from '../db/database.js';
import type { Registry } from '../db/procedure.js';
import { settingsDal } from '../db/settings.js';

/**
 * Every process sharing a database must seal and open secrets with one SECRET_KEY. A process
 * with another key would fail to open every partner's secret (a delivery left `delivering`, a
 * postback refused) or seal new ones that the others cannot open. The database keeps the key's
 * fingerprint, and a process with another key refuses to start.
 */
const FINGERPRINT_SETTING = 'secret_key_fingerprint';

type AnyDb = Database<Registry>;

/** Any one secret sealed with the key (a source's or a destination's), or null if none is stored. */
function anySealedSecret(db: AnyDb): Promise<string | null> {
  return db.read(async (k) => {
    const source = await k.selectFrom('sources').select('secret_ciphertext as sealed').where('secret_ciphertext', 'is not', null).limit(1).executeTakeFirst();
    if (source?.sealed != null) return source.sealed;
    const destination = await k.selectFrom('destinations').select('secrets_ciphertext as sealed').where('secrets_ciphertext', 'is not', null).limit(1).executeTakeFirst();
    return destination?.sealed ?? null;
  });
}

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
export async function verifySecretKey(db: AnyDb, box: SecretBox): Promise<void> {
  const setting = await settingsDal(db).getSetting(FINGERPRINT_SETTING);
  if (setting !== null) {
    const stored = fingerprintOf(setting);
    if (stored !== box.fingerprint()) throw mismatch(stored, box);
    return;
  }
  const sealed = await anySealedSecret(db);
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
export async function recordSecretKey(db: AnyDb, box: SecretBox, now: number): Promise<void> {
  const kept = fingerprintOf(await settingsDal(db).claimSetting(FINGERPRINT_SETTING, { fingerprint: box.fingerprint() } satisfies Fingerprint, now));
  if (kept !== box.fingerprint()) throw mismatch(kept, box);
}
