// outbound-<store>: deliveries/s draining a backlog to a local receiver (each attempt recorded)
// against a bare undici client sending the same requests (both warmed up, then three alternating
// rounds), and the delay from an event's record to its first attempt at a steady 1,000 events/s.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { cpuLine, cpuPerRequest, hubProcesses, processCpu } from './cpu.js';
import { adminPost, freePort, median, spawnChild, startHub, type BenchSettings, type Running } from './lib.js';
import type { Round, Subject } from './subject.js';
import { newTarget, type Target } from './targets.js';

/**
 * Deliveries (and bare requests) sent before measuring. V8 goes on compiling for a while: with
 * a warm-up of 2,000, the first measured drain of 10,000 ran 198 optimizations (--trace-opt)
 * and the hub's V8 helper threads, compiling, used ~36 µs per delivery; the next drains 40,
 * then 6-20. See WARM_UP_SECONDS in lib.ts.
 */
export const WARM_UP = Number(process.env.BENCH_WARM_UP_DELIVERIES ?? 30_000);
export const BACKLOG = 10_000;
const ROUNDS = 3;
const CONCURRENCY = 32;

/** A bare receiver in its own process: counts requests, the delay since {timestamp} (`at`), and each `key` it was sent. */
export interface Receiver {
  url: string;
  pid: number;
  count: () => Promise<number>;
  /** How many times each `key` query parameter came (since the last reset). */
  keys: () => Promise<Map<string, number>>;
  stats: () => Promise<{ count: number; delays: number[] }>;
  reset: () => Promise<void>;
  stop: () => void;
}

export async function startReceiver(): Promise<Receiver> {
  const port = await freePort();
  const source = `
    const http = require('node:http');
    let count = 0, delays = [], keys = new Map();
    http.createServer((req, res) => {
      if (req.url === '/stats') { res.end(JSON.stringify({ count, delays })); return; }
      if (req.url === '/count') { res.end(String(count)); return; }
      if (req.url === '/keys') { res.end(JSON.stringify([...keys])); return; }
      if (req.url === '/reset') { count = 0; delays = []; keys = new Map(); res.end('ok'); return; }
      count++;
      const query = new URL(req.url, 'http://x').searchParams;
      const at = query.get('at');
      if (at) delays.push(Date.now() - Date.parse(at));
      const key = query.get('key');
      if (key) keys.set(key, (keys.get(key) || 0) + 1);
      req.resume(); req.on('end', () => res.end('OK'));
    }).listen(${port}, '127.0.0.1');`;
  const child = spawnChild(process.execPath, ['-e', source], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/stats`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    pid: child.pid!,
    // Polled while a backlog drains: the count alone, so the receiver does not serialise every delay it holds each time.
    count: async () => Number(await (await fetch(`${url}/count`)).text()),
    keys: async () => new Map((await (await fetch(`${url}/keys`)).json()) as Array<[string, number]>),
    stats: async () => (await (await fetch(`${url}/stats`)).json()) as { count: number; delays: number[] },
    reset: async () => void (await fetch(`${url}/reset`)),
    stop: () => child.kill(),
  };
}

async function emit(url: string, secret: string, n: number): Promise<void> {
  for (let done = 0; done < n; done += 1000) {
    const events = Array.from({ length: Math.min(1000, n - done) }, () => ({ type: 'registration', idempotencyKey: randomUUID(), userId: `u-${randomUUID()}` }));
    const response = await fetch(`${url}/api/events/batch`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    if (!response.ok) throw new Error(`batch: ${response.status}`);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export interface OutboundSubject extends Subject {
  /** The hub's receiver, for a bare client to be measured against. */
  receiver(): Receiver;
  /** After `finish`: whether every delivery succeeded with exactly one attempt, as a line to print. */
  checkDeliveries(): Promise<string>;
  /** Delays from an event's record to its first attempt, at a steady 1,000 events/s for 3 s. */
  steadyDelays(): Promise<number[]>;
}

/**
 * The hub built at `cli`, on a fresh store, delivering to a receiver of its own, warmed up.
 * A round drains a backlog of BACKLOG; its CPU counts the hub, PostgreSQL and the receiver.
 */
export function outboundSubject(kind: 'sqlite' | 'postgres', postgresUrl: string, cli: string): OutboundSubject {
  let target: Target | undefined;
  let receiver: Receiver | undefined;
  let hub: Running | undefined;
  let secret = '';
  let destination = '';

  /** A backlog of n, queued while the destination is paused, then resumed: its drain's rate. */
  const drain = async (n: number): Promise<Round> => {
    const running = hub!;
    const into = receiver!;
    await adminPost(running.url, `/destinations/${destination}/pause`, {});
    await emit(running.url, secret, n);
    await into.reset();
    const cpu = cpuPerRequest({ ...hubProcesses(running.pid, kind), receiver: () => processCpu(into.pid) });
    const started = performance.now();
    await adminPost(running.url, `/destinations/${destination}/resume`, {});
    const deadline = Date.now() + 120_000;
    while ((await into.count()) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const seconds = (performance.now() - started) / 1000;
    const used = cpu(n);
    if ((await into.count()) < n) throw new Error(`drained ${await into.count()} of ${n} in 120 s`);
    return { rate: n / seconds, cpu: used };
  };

  return {
    receiver: () => receiver!,
    appPid: () => hub?.pid,
    async checkDeliveries() {
      const count = async (sql: string) => Number((await target!.column(sql))[0]);
      const deliveries = await count('SELECT count(*) FROM deliveries');
      const unfinished = await count("SELECT count(*) FROM deliveries WHERE state <> 'succeeded'");
      const notOnce = await count('SELECT count(*) FROM deliveries d WHERE (SELECT count(*) FROM delivery_attempts a WHERE a.delivery_id = d.id) <> 1');
      return `  checked: ${deliveries} deliveries, ${unfinished} not succeeded, ${notOnce} not attempted exactly once`;
    },
    async start() {
      target = await newTarget(kind, postgresUrl);
      receiver = await startReceiver();
      hub = await startHub({ ...target.env, OUTBOUND_ALLOW: '127.0.0.0/8' }, cli);
      ({ secret } = await adminPost(hub.url, '/api-secrets', {}));
      const created = await adminPost(hub.url, '/destinations', {
        name: 'receiver',
        config: { url: `${receiver.url}/hook?user={user_id}&event={event}&id={delivery_id}&at={timestamp}`, match: { eventTypes: ['registration'] } },
      });
      destination = created.id as string;
      // Warmed up first (JIT, connections): a backlog is measured in its steady state.
      await drain(WARM_UP);
    },
    round: () => drain(BACKLOG),
    async steadyDelays() {
      const running = hub!;
      const into = receiver!;
      await into.reset();
      for (let tick = 0; tick < 300; tick++) {
        const due = performance.now() + 10;
        void emit(running.url, secret, 10);
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const settle = Date.now() + 10_000;
      while ((await into.count()) < 3000 && Date.now() < settle) await new Promise((r) => setTimeout(r, 50));
      return (await into.stats()).delays;
    },
    async finish() {
      await hub!.stop();
      return [];
    },
    async cleanup() {
      await hub?.stop();
      receiver?.stop();
      await target?.cleanup();
    },
  };
}

/** The same requests from a bare undici client, CONCURRENCY at a time: seconds taken, and CPU per request. */
async function bare(pool: Pool, receiver: Receiver, n: number): Promise<{ seconds: number; cpu: Record<string, number> }> {
  await receiver.reset();
  const cpu = cpuPerRequest({ client: () => processCpu(process.pid), receiver: () => processCpu(receiver.pid) });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next++;
        const response = await pool.request({ path: `/hook?user=u-${next}&event=registration&id=${randomUUID()}&at=`, method: 'GET' });
        await response.body.text();
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, cpu: cpu(n) };
}

export async function outboundScenario(kind: 'sqlite' | 'postgres', _settings: BenchSettings, postgresUrl: string, cli: string): Promise<string[]> {
  const hub = outboundSubject(kind, postgresUrl, cli);
  let pool: Pool | undefined;
  try {
    await hub.start();
    pool = new Pool(hub.receiver().url, { connections: CONCURRENCY });
    await bare(pool, hub.receiver(), WARM_UP);
    // Alternating rounds, each hub drain paired with the baseline run right after it.
    const hubRounds: Round[] = [];
    const bareRuns: Array<Awaited<ReturnType<typeof bare>>> = [];
    for (let round = 0; round < ROUNDS; round++) {
      hubRounds.push(await hub.round(round, 0));
      bareRuns.push(await bare(pool, hub.receiver(), BACKLOG));
    }
    const hubRates = hubRounds.map((r) => r.rate);
    const baseRates = bareRuns.map((r) => BACKLOG / r.seconds);
    const ratios = hubRates.map((rate, i) => rate / baseRates[i]!);
    const delays = await hub.steadyDelays();
    return [
      `outbound-${kind}: hub ${Math.round(median(hubRates))} deliveries/s (every attempt recorded), baseline ${Math.round(median(baseRates))} req/s, ratio ${median(ratios).toFixed(2)} (medians of ${ROUNDS} alternating rounds of ${BACKLOG} after a warm-up of ${WARM_UP}; per round ${ratios.map((r, i) => `${r.toFixed(2)} (${Math.round(hubRates[i]!)}/${Math.round(baseRates[i]!)})`).join(', ')})`,
      `  delay from record to first attempt at 1000 events/s: p50 ${percentile(delays, 50)} ms, p99 ${percentile(delays, 99)} ms (${delays.length} deliveries)`,
      `  CPU per delivery, medians of the rounds (from /proc, kernel time included): ${cpuLine(hubRounds.map((r) => r.cpu))}; bare: ${cpuLine(bareRuns.map((r) => r.cpu))}`,
    ];
  } finally {
    await pool?.close();
    await hub.cleanup();
  }
}
