import fs from 'node:fs';
import path from 'node:path';
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
  try {
    const kept = fs.readFileSync(file, 'utf8').trim();
    if (kept.length >= 16) return kept;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const token = generateSecret().replace(/^pbh_/, 'pbh_admin_');
  // 'wx': if another process created it meanwhile, fail rather than overwrite theirs.
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  announce(token, file);
  return token;
}
