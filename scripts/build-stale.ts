// `npm start`'s build: only what is stale. The server through tsc's incremental build (a second
// run with nothing changed compiles nothing), the dashboard through vite only when one of its
// inputs (web/, the server files it imports, the lockfile) is newer than the last build.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });

// A build-info file without the output it describes would make tsc believe there is nothing to do.
const buildInfo = path.join(root, 'dist', '.tsbuildinfo');
if (!fs.existsSync(path.join(root, 'dist', 'app', 'cli.js'))) fs.rmSync(buildInfo, { force: true });
run(bin('tsc'), ['-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', buildInfo]);

/** The newest modification time under `dir` (its own build output and dependencies aside). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

/** The server's files the dashboard imports (web/src/…: `from '../../src/…'`). */
function serverInputs(): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.tsx?$/.test(entry.name)) {
        for (const [, spec = ''] of fs.readFileSync(full, 'utf8').matchAll(/from '(\.\.\/[^']*src\/[^']+)'/g)) found.push(path.resolve(dir, spec).replace(/(\.js)?$/, '.ts'));
      }
    }
  };
  visit(path.join(root, 'web', 'src'));
  return found.filter((file) => fs.existsSync(file));
}

const stamp = path.join(root, 'dist', 'web', 'index.html');
const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
const inputs = Math.max(newest(path.join(root, 'web')), fs.statSync(path.join(root, 'package-lock.json')).mtimeMs, ...serverInputs().map((f) => fs.statSync(f).mtimeMs));
if (inputs > built) run(bin('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
else console.log('dashboard up to date (dist/web)');
