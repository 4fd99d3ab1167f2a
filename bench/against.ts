// A git ref's build in a temporary worktree, for `npm run bench -- --against <ref>`: checked
// out beside this checkout's git directory, given this checkout's node_modules when both lock
// files are the same (else its own `npm ci`), built with its own `npm run build`. The worktree
// is removed at the end, on failure and on interruption alike.
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliOf, ROOT, spawnChild } from './lib.js';

const INSTALL_MINUTES = 15;
const BUILD_MINUTES = 10;

/** Runs a command to its end, its output kept to show if it fails; bounded in time. */
function run(command: string, args: string[], cwd: string, minutes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawnChild(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), minutes * 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} in ${cwd}: ${signal ?? `exit ${code}`} (time limit ${minutes} min)\n${output}`));
    });
  });
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export class RefTree {
  readonly commit: string;
  private dir: string | undefined;

  constructor(readonly ref: string) {
    try {
      this.commit = git('rev-parse', '--verify', `${ref}^{commit}`);
    } catch {
      throw new Error(`--against ${ref}: not a commit of this repository`);
    }
  }

  /** Checks the ref out, installs or links its dependencies, builds it; gives its CLI. */
  async prepare(log: (text: string) => void): Promise<string> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-against-'));
    git('worktree', 'add', '--detach', this.dir, this.commit);
    const lock = (root: string) => fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8');
    if (lock(this.dir) === lock(ROOT)) {
      fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(this.dir, 'node_modules'), 'dir');
    } else {
      log(`${this.ref}: package-lock.json differs from this checkout's: npm ci in ${this.dir}`);
      await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], this.dir, INSTALL_MINUTES);
    }
    log(`${this.ref}: npm run build in ${this.dir}`);
    await run('npm', ['run', 'build'], this.dir, BUILD_MINUTES);
    const cli = cliOf(this.dir);
    if (!fs.existsSync(cli)) throw new Error(`${this.ref}: the build left no ${path.relative(this.dir, cli)}`);
    return cli;
  }

  /** Removes the worktree and its registration; synchronous, so that it can run on a signal or at exit. Idempotent. */
  remove(): void {
    const dir = this.dir;
    if (dir === undefined) return;
    this.dir = undefined;
    // The link first: the removal of the tree must not reach into this checkout's node_modules.
    const link = path.join(dir, 'node_modules');
    if (fs.lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(link);
    try {
      git('worktree', 'remove', '--force', dir);
    } catch {
      // Interrupted part way: the directory goes, and with it the registration that pointed there.
      fs.rmSync(dir, { recursive: true, force: true });
      git('worktree', 'prune');
    }
  }
}
