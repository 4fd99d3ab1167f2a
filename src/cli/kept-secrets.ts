import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';

export interface KeptSecret {
  /** The environment variable that overrides the kept value. */
  variable: string;
  configured: string | undefined;
  dataDir: string;
  file: string;
  generate: () => string;
  /** Rejects a kept value that cannot be used (message, or null if fine). */
  check: (value: string) => string | null;
  /** Told of a newly generated value, the only time it can be shown. */
  announce?: (value: string, file: string) => void;
}

/**
 * A value from the environment; otherwise the one kept in the data directory; otherwise a new
 * one, written there (owner-only). An unusable kept file stops start-up rather than being
 * overwritten: someone may rely on what they think it holds.
 */
export function resolveKeptSecret(secret: KeptSecret): string {
  if (secret.configured !== undefined) return secret.configured;
  const file = path.join(secret.dataDir, secret.file);
  let kept: string | undefined;
  try {
    kept = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (kept !== undefined) {
    const problem = secret.check(kept);
    if (problem === null) return kept;
    throw new ConfigError(secret.variable, `${file} ${problem}; set ${secret.variable} or delete the file to generate one`);
  }
  // Owner-only: it keeps these secrets and, by default, the database.
  fs.mkdirSync(secret.dataDir, { recursive: true, mode: 0o700 });
  const value = secret.generate();
  // 'wx': if another process created it meanwhile, fail rather than overwrite theirs.
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  secret.announce?.(value, file);
  return value;
}
