// A peer app as a child process of its own, so that its CPU and memory are measured as the
// hub's are. It runs as plain JavaScript, as the built hub does: through tsx, an empty script
// measured 75 MB of RSS and 12 threads against 43 MB and 11 (tsx's loader thread), which would
// be charged to the peer. So each app is transpiled (TypeScript's transpileModule: types
// dropped, nothing bundled) into a directory of this run that sees this checkout's node_modules.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { freePort, ROOT, runningOnceUp, spawnChild, stopChild, type Running } from '../lib.js';
import { newDir, removeDir } from '../targets.js';

export type PeerApp = 'app-fastify-pg' | 'app-fastify-sqlite' | 'app-graphile';

/** The hub's own milestone rule, built: the inbound peers credit exactly what the hub credits. */
export const MILESTONES_MODULE = pathToFileURL(path.join(ROOT, 'dist/features/level-postbacks/milestones.js')).href;

let outDir: string | undefined;

/** The module's JavaScript in this run's directory, and that of every module of this folder it imports. */
function transpiled(name: string): string {
  if (outDir === undefined) {
    const dir = (outDir = newDir());
    process.once('exit', () => removeDir(dir));
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(dir, 'node_modules'), 'dir');
  }
  const source = fs.readFileSync(path.join(import.meta.dirname, `${name}.ts`), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
  });
  for (const [, local] of outputText.matchAll(/from '\.\/([\w-]+)\.js'/g)) transpiled(local!);
  const file = path.join(outDir, `${name}.js`);
  fs.writeFileSync(file, outputText);
  return file;
}

function spawnApp(app: PeerApp, env: Record<string, string>, ipc: boolean): ChildProcess {
  return spawnChild(process.execPath, [transpiled(app)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit', ...(ipc ? (['ipc'] as const) : [])],
  });
}

/** An HTTP peer app on a free loopback port, up once its GET /healthz answers. */
export async function startHttpPeer(app: PeerApp, env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = spawnApp(app, { ...env, HOST: '127.0.0.1', PORT: String(port) }, false);
  return runningOnceUp(child, `http://127.0.0.1:${port}`, '/healthz');
}

/** A peer app driven by messages: each `ask` sends one and resolves with the app's answer. */
export interface MessagedPeer {
  pid: number;
  ask(message: string): Promise<string>;
  stop(): Promise<void>;
}

/** A peer app with no HTTP of its own, ready once it says `ready`. */
export async function startMessagedPeer(app: PeerApp, env: Record<string, string>, timeoutMs = 60_000): Promise<MessagedPeer> {
  const child = spawnApp(app, env, true);
  const next = (what: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${app}: no answer to ${what} in ${timeoutMs} ms`)), timeoutMs);
      const exited = () => done(new Error(`${app} exited while asked ${what}`));
      const answered = (message: unknown) => done(null, String(message));
      function done(error: Error | null, answer = '') {
        clearTimeout(timer);
        child.off('message', answered);
        child.off('exit', exited);
        if (error === null) resolve(answer);
        else reject(error);
      }
      child.on('message', answered);
      child.once('exit', exited);
    });
  const peer: MessagedPeer = {
    pid: child.pid!,
    ask: (message) => {
      const answer = next(message);
      child.send(message);
      return answer;
    },
    stop: () => stopChild(child),
  };
  try {
    const first = await next('to start');
    if (first !== 'ready') throw new Error(`${app} said ${first} instead of ready`);
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return peer;
}
