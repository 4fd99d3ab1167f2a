// Shared pieces of the benchmarks: start the real hub or a bare baseline as separate
// processes on loopback, drive them with autocannon, and report ratios.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

export interface BenchSettings {
  seconds: number;
  connections: number;
  pipelining: number;
}

/** The built command line of the checkout at `root`, as its package.json `bin` names it (the path moved between commits). */
export function cliOf(root: string): string {
  const { bin } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const relative = typeof bin === 'string' ? bin : Object.values(bin ?? {})[0];
  if (relative === undefined) throw new Error(`${root}/package.json names no bin`);
  return path.join(root, relative);
}

export const CLI = cliOf(ROOT);

/** Every process the bench started and has not seen exit, so that an interrupted run can end them. */
const children = new Set<ChildProcess>();

export function spawnChild(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Asks every process the bench started to stop; for an interrupted run, which does not wait. */
export function signalChildren(): void {
  for (const child of children) child.kill('SIGTERM');
}

/**
 * Load each side takes before it is measured. V8 goes on compiling for the first seconds of
 * load: counted with --trace-opt (2 s windows of 64 connections), the click path's hub ran 228,
 * 98 and 30 optimizations in its first three windows, then 2-4 per window; the bare baseline 188,
 * 96, then 0-6. Compiling runs on V8's helper threads, so a short warm-up charges it to the
 * side with more code to compile. Steady state is what a server that stays up delivers.
 */
export const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 6);

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilUp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not come up`);
}

export interface Running {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The hub's commands that keep running: `serve` (HTTP and deliveries), `api` (HTTP only), `worker` (deliveries only). */
export type HubCommand = 'serve' | 'api' | 'worker';

/**
 * The real hub, built, as its own process; the same configuration a user would run. `cli`:
 * another build's (bench --against). A `worker` serves no API: its `url` is that of its probes
 * (WORKER_HEALTH_PORT), and it is up once they say ready.
 */
export async function startHub(env: Record<string, string>, cli: string = CLI, command: HubCommand = 'serve'): Promise<Running> {
  const port = await freePort();
  // BENCH_HUB_NODE_ARGS: node flags for the hub alone, e.g. `--cpu-prof` to see where its time goes.
  const nodeArgs = process.env.BENCH_HUB_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const listen = command === 'worker' ? { WORKER_HEALTH_PORT: String(port) } : { PORT: String(port) };
  const child = spawnChild(process.execPath, [...nodeArgs, cli, command], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...listen, ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return runningOnceUp(child, `http://127.0.0.1:${port}`, '/readyz');
}

/** A spawned server once `probe` answers at `url`; stopped (not left behind) if it never does. */
export async function runningOnceUp(child: ChildProcess, url: string, probe: string): Promise<Running> {
  try {
    await waitUntilUp(`${url}${probe}`, child);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

/**
 * The baseline: bare node:http reading the body and answering a fixed 200 JSON. It does what
 * any HTTP server must do for these requests and nothing else.
 */
export async function startBaseline(): Promise<Running> {
  const port = await freePort();
  const source = `
    const http = require('node:http');
    const body = JSON.stringify({ ok: true, awarded: false });
    http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    }).listen(${port}, '127.0.0.1');`;
  const child = spawnChild(process.execPath, ['-e', source], { stdio: ['ignore', 'ignore', 'inherit'] });
  return runningOnceUp(child, `http://127.0.0.1:${port}`, '');
}

/** Asks a child to stop (SIGTERM; SIGKILL after 15 s) and waits for its exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  // A child killed by a signal has a signalCode and no exitCode; either way its exit has been seen.
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export async function adminPost(url: string, route: string, body: unknown): Promise<any> {
  const response = await fetch(`${url}/admin/api${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  /** Indices of the requests answered 200, as given to `nextRequest`. */
  acked: number[];
  /** Answers other than 2xx by status (`loadAcross` only). */
  statuses?: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Requests in flight per connection (HTTP/1.1 pipelining); 1 means none. */
  pipelining?: number;
  seconds: number;
  method: 'GET' | 'POST';
  /** Index of the first request (so that a warm-up and the run never repeat one). */
  firstIndex?: number;
  /** The i-th request: a fresh, distinct one each time. */
  nextRequest: (i: number) => { path: string; body?: string; headers: Record<string, string> };
}

type RequestOf = LoadOptions['nextRequest'];

/** Autocannon's requests for distinct requests: `take` gives each new one's index; `acked` collects the indices answered 200. */
function distinctRequests(method: 'GET' | 'POST', nextRequest: RequestOf, take: () => number, acked: number[]): autocannon.Request[] {
  return [
    {
      method,
      // Per connection, the indices of requests sent and not yet answered, in order (HTTP/1.1
      // answers in order even when pipelined).
      setupRequest: (request, context: object) => {
        const i = take();
        ((context as { sent?: number[] }).sent ??= []).push(i);
        const r = nextRequest(i);
        return { ...request, path: r.path, headers: r.headers, ...(r.body === undefined ? {} : { body: r.body }) };
      },
      onResponse: (status, _body, context: object) => {
        const i = (context as { sent: number[] }).sent.shift()!;
        if (status === 200) acked.push(i);
      },
    },
  ];
}

/** Drives `url` with distinct requests and records which ones were answered 200. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  let next = options.firstIndex ?? 0;
  const acked: number[] = [];
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    pipelining: options.pipelining ?? 1,
    requests: distinctRequests(options.method, options.nextRequest, () => next++, acked),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    acked,
  };
}

export interface SplitLoadOptions extends Omit<LoadOptions, 'url' | 'firstIndex'> {
  /** The servers sharing the load: the connections split as evenly as they go. */
  urls: string[];
  /** Each new request's index, whichever server it goes to (so that none repeats). */
  take: () => number;
}

/** What autocannon gives for one instance run with `skipAggregateResult`. */
interface InstanceResult {
  totalCompletedRequests: number;
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}

/** Not in @types/autocannon: merges the instances' latency histograms. */
const { aggregateResult } = autocannon as unknown as { aggregateResult: (results: unknown[], opts: { url: string; connections: number }) => autocannon.Result };

/** `load` across several servers at once, one autocannon instance each: throughput summed, latency percentiles over all. */
export async function loadAcross(options: SplitLoadOptions): Promise<LoadResult> {
  const { urls, connections } = options;
  const acked: number[] = [];
  const requests = distinctRequests(options.method, options.nextRequest, options.take, acked);
  const share = (k: number) => Math.floor(connections / urls.length) + (k < connections % urls.length ? 1 : 0);
  const raw = await Promise.all(
    urls.map((url, k) =>
      autocannon({ url, connections: share(k), duration: options.seconds, pipelining: options.pipelining ?? 1, requests, skipAggregateResult: true }),
    ),
  );
  const runs = raw as unknown as InstanceResult[];
  const { latency } = aggregateResult(raw, { url: urls[0]!, connections });
  const statuses: Record<string, number> = {};
  for (const [status, { count }] of runs.flatMap((r) => Object.entries(r.statusCodeStats))) {
    if (!status.startsWith('2')) statuses[status] = (statuses[status] ?? 0) + count;
  }
  return {
    rps: runs.reduce((sum, r) => sum + r.totalCompletedRequests / r.duration, 0),
    p50: latency.p50,
    p99: latency.p99,
    total: runs.reduce((sum, r) => sum + r.totalCompletedRequests, 0),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    errors: runs.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    acked,
    statuses,
  };
}

export function line(name: string, hub: LoadResult, baseline: LoadResult): string {
  const ratio = hub.rps / baseline.rps;
  return `${name}: hub ${Math.round(hub.rps)} req/s p99 ${hub.p99} ms, baseline ${Math.round(baseline.rps)} req/s, ratio ${ratio.toFixed(2)}`;
}

/** The middle value; of an even count, the mean of the middle two (BENCH_PAIRS=2 must not report the larger pair). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
