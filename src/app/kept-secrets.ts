import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.js';
import { StartupError } from '../lib/errors.js';

export interface KeptSecretSpec {
  /** The environment variable that overrides the kept value. */
  variable: string;
  configured: string | undefined;
  dataDir: string;
  file: string;
  generate: () => string;
  /** Rejects a kept value that cannot be used (message, or null if fine). */
  check: (value: string) => string | null;
}

export interface KeptSecret {
  value: string;
  /** True when the value is new: it exists only in memory until `keep()`. */
  generated: boolean;
  /** Writes a generated value to the data directory (owner-only); nothing to do otherwise. */
  keep(): void;
  /** Removes what `keep()` wrote, when the start it was for failed after all. */
  discard(): void;
}

/**
 * A value from the environment; otherwise the one kept in the data directory; otherwise a new
 * one, written there only once the start has succeeded (`keep`), so that a failed start leaves
 * nothing behind. An unusable kept file stops start-up rather than being overwritten: someone
 * may rely on what they think it holds.
 */
export function readKeptSecret(spec: KeptSecretSpec): KeptSecret {
  const nothing = () => {};
  if (spec.configured !== undefined) return { value: spec.configured, generated: false, keep: nothing, discard: nothing };
  const file = path.join(spec.dataDir, spec.file);
  let kept: string | undefined;
  try {
    kept = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new StartupError(`cannot read ${file} (${code ?? String(error)}): set ${spec.variable} or make the file readable`, { cause: error });
  }
  if (kept !== undefined) {
    const problem = spec.check(kept);
    if (problem === null) return { value: kept, generated: false, keep: nothing, discard: nothing };
    throw new ConfigError(spec.variable, `${file} ${problem}; set ${spec.variable} or delete the file to generate one`);
  }
  const value = spec.generate();
  let written = false;
  return {
    value,
    generated: true,
    keep() {
      // 'wx': if another process created it meanwhile, fail rather than overwrite theirs.
      fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
      written = true;
    },
    discard() {
      if (written) fs.rmSync(file, { force: true });
    },
  };
}

/**
 * The data directory exists (created owner-only) and this process can write there; else a
 * one-line reason. Checked before anything else, so no start fails half way for want of it.
 */
export function prepareDataDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way' : code === 'EROFS' ? 'read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : message;
    throw new StartupError(`DATA_DIR ${dir} is not a writable directory (${code ?? 'error'}: ${reason})`, { cause: error });
  }
}
