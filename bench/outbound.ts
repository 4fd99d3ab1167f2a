// outbound-<store>: deliveries/s draining a backlog to a local receiver (each attempt recorded)
// against a bare undici client sending the same requests (both warmed up, then three alternating
// rounds), and the delay from an event's record to its first attempt at a steady 1,000 events/s.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { postgresTarget, sqliteTarget, type BenchSettings, type Target } from './inbound.js';
import { cpuLine, cpuPerRequest, postgresCpu, processCpu } from './cpu.js';
import { adminPost, freePort, median, startHub, type Running } from './lib.js';

/**
 * Deliveries (and bare requests) sent before measuring. V8 goes on compiling for a while: with
 * a warm-up of 2,000, the first measured drain of 10,000 ran 198 optimizations (--trace-opt)
 * and the hub's V8 helper threads, compiling, used ~36 µs per delivery; the next drains 40,
 * then 6-20. See WARM_UP_SECONDS in lib.ts.
 */
const WARM_UP = Number(process.env.BENCH_WARM_UP_DELIVERIES ?? 30_000);
const BACKLOG = 10_000;
const ROUNDS = 3;
const CONCURRENCY = 32;

/** A bare receiver in its own process: counts requests, and the delay since {timestamp}. */
async function startReceiver(): Promise<{
  url: string;
  pid: number;
  count: () => Promise<number>;
  stats: () => Promise<{ count: number; delays: number[] }>;
  reset: () => Promise<void>;
  stop: () => void;
}> {
  const port = await freePort();
  const source = `
    const http = require('node:http');
    let count = 0, delays = [];
    http.createServer((req, res) => {
      if (req.url === '/stats') { res.end(JSON.stringify({ count, delays })); return; }
      if (req.url === '/count') { res.end(String(count)); return; }
      if (req.url === '/reset') { count = 0; delays = []; res.end('ok'); return; }
      count++;
      const at = new URL(req.url, 'http://x').searchParams.get('at');
      if (at) delays.push(Date.now() - Date.parse(at));
      req.resume(); req.on('end', () => res.end('OK'));
    }).listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', source], { stdio: 'ignore' });
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

export async function outboundScenario(kind: 'sqlite' | 'postgres', _settings: BenchSettings, postgresUrl: string): Promise<string[]> {
  const target: Target = kind === 'sqlite' ? sqliteTarget() : await postgresTarget(postgresUrl);
  const receiver = await startReceiver();
  const pool = new Pool(receiver.url, { connections: CONCURRENCY });
  let hub: Running | undefined;
  try {
    hub = await startHub({ ...target.env, OUTBOUND_ALLOW: '127.0.0.0/8' });
    const hubUrl = hub.url;
    const { secret } = await adminPost(hubUrl, '/api-secrets', {});
    const destination = await adminPost(hubUrl, '/destinations', {
      name: 'receiver',
      config: { url: `${receiver.url}/hook?user={user_id}&event={event}&id={delivery_id}&at={timestamp}`, match: { eventTypes: ['registration'] } },
    });

    const hubPid = hub.pid;
    const hubCpu: Array<Record<string, number>> = [];
    const bareCpu: Array<Record<string, number>> = [];

    /** A backlog of n, queued while the destination is paused, then resumed: seconds to drain it. */
    const drain = async (n: number): Promise<number> => {
      await adminPost(hubUrl, `/destinations/${destination.id}/pause`, {});
      await emit(hubUrl, secret, n);
      await receiver.reset();
      const cpu = cpuPerRequest({ hub: () => processCpu(hubPid), ...(kind === 'postgres' ? { PostgreSQL: postgresCpu } : {}), receiver: () => processCpu(receiver.pid) });
      const started = performance.now();
      await adminPost(hubUrl, `/destinations/${destination.id}/resume`, {});
      const deadline = Date.now() + 120_000;
      while ((await receiver.count()) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const seconds = (performance.now() - started) / 1000;
      hubCpu.push(cpu(n));
      if ((await receiver.count()) < n) throw new Error(`drained ${await receiver.count()} of ${n} in 120 s`);
      return seconds;
    };
    /** The same requests from a bare undici client, CONCURRENCY at a time. */
    const bare = async (n: number): Promise<number> => {
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
      const seconds = (performance.now() - started) / 1000;
      bareCpu.push(cpu(n));
      return seconds;
    };

    // Both sides warmed up first (JIT, connections): a backlog is measured in its steady state.
    await drain(WARM_UP);
    await bare(WARM_UP);
    hubCpu.length = bareCpu.length = 0;
    // Alternating rounds, each hub drain paired with the baseline run right after it.
    const hubRates: number[] = [];
    const baseRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      hubRates.push(BACKLOG / (await drain(BACKLOG)));
      baseRates.push(BACKLOG / (await bare(BACKLOG)));
    }
    const ratios = hubRates.map((rate, i) => rate / baseRates[i]!);

    // Steady 1,000 events/s for 3 s: delay from record to first attempt.
    await receiver.reset();
    for (let tick = 0; tick < 300; tick++) {
      const due = performance.now() + 10;
      void emit(hubUrl, secret, 10);
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const settle = Date.now() + 10_000;
    while ((await receiver.count()) < 3000 && Date.now() < settle) await new Promise((r) => setTimeout(r, 50));
    const { delays } = await receiver.stats();

    return [
      `outbound-${kind}: hub ${Math.round(median(hubRates))} deliveries/s (every attempt recorded), baseline ${Math.round(median(baseRates))} req/s, ratio ${median(ratios).toFixed(2)} (medians of ${ROUNDS} alternating rounds of ${BACKLOG} after a warm-up of ${WARM_UP}; per round ${ratios.map((r, i) => `${r.toFixed(2)} (${Math.round(hubRates[i]!)}/${Math.round(baseRates[i]!)})`).join(', ')})`,
      `  delay from record to first attempt at 1000 events/s: p50 ${percentile(delays, 50)} ms, p99 ${percentile(delays, 99)} ms (${delays.length} deliveries)`,
      `  CPU per delivery, medians of the rounds (from /proc, kernel time included): ${cpuLine(hubCpu)}; bare: ${cpuLine(bareCpu)}`,
    ];
  } finally {
    await pool.close();
    await hub?.stop();
    receiver.stop();
    await target.cleanup();
  }
}
