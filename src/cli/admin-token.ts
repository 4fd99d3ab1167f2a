import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { generateSecret } from '../lib/secrets.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * The admin token: ADMIN_TOKEN if set; otherwise the one kept in the data directory; otherwise
 * a new one, written there (owner-only) and reported through `announce` — the only time it is
 * shown.
 */
export function resolveAdminToken(configured: string | undefined, dataDir: string, announce: (token: string, file: string) => void): string {
  if (configured !== undefined) return configured;
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  let kept: string | undefined;
  try {
    kept = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (kept !== undefined) {
    if (kept.length >= 16) return kept;
    // Never overwrite it silently: someone may rely on what they think it holds.
    throw new ConfigError('ADMIN_TOKEN', `${file} holds no usable token (under 16 characters); set ADMIN_TOKEN or delete the file to generate one`);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const token = generateSecret().replace(/^pbh_/, 'pbh_admin_');
  // 'wx': if another process created it meanwhile, fail rather than overwrite theirs.
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  announce(token, file);
  return token;
}
