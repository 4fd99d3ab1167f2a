// A git ref's build in a temporary worktree, for `npm run bench -- --against <ref>`: checked
// out beside this checkout's git directory, given this checkout's node_modules when both lock
// files are the same (else its own `npm ci`), built with its own `npm run build`. The worktree
// is removed at the end, on failure and on interruption alike.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliOf, ROOT } from './lib.js';

const INSTALL_MINUTES = 15;
const BUILD_MINUTES = 10;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export class RefTree {
  readonly commit: string;
  private dir: string | undefined;
  /** The install or build under way, in a process group of its own. */
  private running: ChildProcess | undefined;
  private disposed: Promise<void> | undefined;

  constructor(readonly ref: string) {
    try {
      this.commit = git('rev-parse', '--verify', `${ref}^{commit}`);
    } catch {
      throw new Error(`--against ${ref}: not a commit of this repository`);
    }
  }

  /**
   * `npm <args>` in the tree, bounded in time, its output kept to show if it fails. In a process
   * group of its own, so that the whole of it (npm, the shell, tsc, vite) can be ended at once.
   */
  private run(args: string[], minutes: number): Promise<void> {
    const cwd = this.dir!;
    return new Promise((resolve, reject) => {
      const child = spawn('npm', args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      this.running = child;
      let output = '';
      const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000));
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        killGroup(child, 'SIGTERM');
      }, minutes * 60_000);
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`npm ${args.join(' ')} in ${cwd}: ${late ? `over its ${minutes} min` : (signal ?? `exit ${code}`)}\n${output}`));
      });
    });
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
      await this.run(['ci', '--prefer-offline', '--no-audit', '--no-fund'], INSTALL_MINUTES);
    }
    log(`${this.ref}: npm run build in ${this.dir}`);
    await this.run(['run', 'build'], BUILD_MINUTES);
    const cli = cliOf(this.dir);
    if (!fs.existsSync(cli)) throw new Error(`${this.ref}: the build left no ${path.relative(this.dir, cli)}`);
    return cli;
  }

  /**
   * Ends the install or build if one is under way and waits until its pipes close, that is
   * until none of its processes is left to write into the tree; then removes the tree.
   */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      const running = this.running;
      if (running !== undefined && running.exitCode === null && running.signalCode === null) {
        const closed = new Promise((resolve) => running.once('close', resolve));
        killGroup(running, 'SIGKILL');
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      }
      this.remove();
    })();
    return this.disposed;
  }

  /** The last resort at exit, synchronous: ends the install or build without waiting for it, and removes the tree. */
  abandon(): void {
    if (this.running !== undefined) killGroup(this.running, 'SIGKILL');
    this.remove();
  }

  /** Removes the worktree and its registration. Idempotent. */
  private remove(): void {
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
