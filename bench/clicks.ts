// click-redirect-<store>: GET /c/:link (a click recorded, a 302 to the filled target) against a
// bare node:http server answering the same requests with a 302 to a fresh random id; then
// every click id handed out is looked for in the store after a clean stop.
import autocannon from 'autocannon';
import { cpuLine, cpuPerRequest, hubProcesses, processCpu } from './cpu.js';
import { adminPost, freePort, median, spawnChild, startHub, WARM_UP_SECONDS, type BenchSettings, type Running } from './lib.js';
import type { Round, Subject } from './subject.js';
import { newTarget, type Target } from './targets.js';

const ROUNDS = 3;

const TARGET = 'https://gg3.xyz/quests/complete-50-quests?click_id={click_id}&provider={partner}';

export interface Drive {
  rps: number;
  p50: number;
  p99: number;
  non3xx: number;
  ids: string[];
}

/** Runs autocannon on distinct click URLs; returns req/s, p99 and the click ids in the answers. */
export async function drive(url: string, settings: BenchSettings, seconds: number): Promise<Drive> {
  let next = 0;
  const ids: string[] = [];
  let non3xx = 0;
  const result = await autocannon({
    url,
    connections: settings.connections,
    duration: seconds,
    pipelining: settings.pipelining,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const i = next++;
          return { ...request, path: `/c/bench?click_id=p${i}&user_id=u${i % 5000}` };
        },
        onResponse: (status, _body, _context, headers) => {
          const location = headers?.location;
          if (status !== 302 || typeof location !== 'string') {
            non3xx++;
            return;
          }
          const id = /click_id=([^&]+)/.exec(location)?.[1];
          if (id !== undefined) ids.push(id);
        },
      },
    ],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non3xx, ids };
}

export async function startRedirectBaseline(): Promise<{ url: string; pid: number; stop: () => void }> {
  const port = await freePort();
  const source = `
    const http = require('node:http');
    const { randomBytes } = require('node:crypto');
    http.createServer((req, res) => {
      const id = Date.now().toString(36) + randomBytes(12).toString('base64url');
      res.writeHead(302, { location: 'https://gg3.xyz/quests/complete-50-quests?click_id=' + id + '&provider=aff-1', 'content-length': 0 });
      res.end();
    }).listen(${port}, '127.0.0.1');`;
  const child = spawnChild(process.execPath, ['-e', source], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url, { redirect: 'manual' });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { url, pid: child.pid!, stop: () => child.kill() };
}

export interface ClickRound extends Round {
  run: Drive;
}

/** The hub built at `cli`, on a fresh store, with a link to click, warmed up. CPU counts the load generator (this process) too. */
export function clickSubject(kind: 'sqlite' | 'postgres', settings: BenchSettings, postgresUrl: string, cli: string): Subject<ClickRound> {
  let target: Target | undefined;
  let hub: Running | undefined;
  const handedOut: string[] = [];
  let non3xx = 0;
  return {
    appPid: () => hub?.pid,
    async start() {
      target = await newTarget(kind, postgresUrl);
      hub = await startHub(target.env, cli);
      await adminPost(hub.url, '/offers', { id: 'gg3_quest' });
      await adminPost(hub.url, '/links', { id: 'bench', offerId: 'gg3_quest', partner: 'aff-1', config: { target: TARGET } });
      await drive(hub.url, settings, WARM_UP_SECONDS); // its clicks are not checked, only stored
    },
    async round(_index, seconds) {
      const running = hub!;
      const cpu = cpuPerRequest({ ...hubProcesses(running.pid, kind), 'load generator': () => processCpu(process.pid) });
      const run = await drive(running.url, settings, seconds);
      for (const id of run.ids) handedOut.push(id);
      non3xx += run.non3xx;
      return { rate: run.rps, cpu: cpu(run.ids.length + run.non3xx), latency: { p50: run.p50, p99: run.p99 }, run };
    },
    async finish() {
      await hub!.stop(); // a clean stop: every click handed out must be written
      const stored = new Set(await target!.column('SELECT id FROM clicks'));
      const missing = handedOut.filter((id) => !stored.has(id)).length;
      return [`  ${handedOut.length} click ids handed out in the measured rounds, ${missing} missing from the store after a clean stop (${stored.size} stored in all), ${non3xx} answers not 302`];
    },
    async cleanup() {
      await hub?.stop();
      await target?.cleanup();
    },
  };
}

export async function clickScenario(kind: 'sqlite' | 'postgres', settings: BenchSettings, postgresUrl: string, cli: string): Promise<string[]> {
  const hub = clickSubject(kind, settings, postgresUrl, cli);
  let baseline: Awaited<ReturnType<typeof startRedirectBaseline>> | undefined;
  try {
    await hub.start();
    baseline = await startRedirectBaseline();
    await drive(baseline.url, settings, WARM_UP_SECONDS);
    // Alternating rounds, each figure the median of its rounds: a shared machine's load shifts
    // within seconds, and one long run of each would compare two different machines.
    const hubRounds: ClickRound[] = [];
    const baseRuns: Drive[] = [];
    const roundSeconds = Math.max(1, Math.round(settings.seconds / ROUNDS));
    // CPU per request of the server (and PostgreSQL) and of the load generator (this process).
    const baseCpu: Array<Record<string, number>> = [];
    const load = () => processCpu(process.pid);
    for (let round = 0; round < ROUNDS; round++) {
      hubRounds.push(await hub.round(round, roundSeconds));
      const perRequest = cpuPerRequest({ baseline: () => processCpu(baseline!.pid), 'load generator': load });
      const run = await drive(baseline.url, settings, roundSeconds);
      baseCpu.push(perRequest(run.ids.length + run.non3xx));
      baseRuns.push(run);
    }
    const checked = await hub.finish();
    const hubRuns = hubRounds.map((r) => r.run);
    const hubRate = median(hubRuns.map((r) => r.rps));
    const baseRate = median(baseRuns.map((r) => r.rps));
    // Each round's hub run is paired with the baseline run right after it: their ratio is the
    // least disturbed by the machine's load, and the figure is the median of those.
    const ratios = hubRuns.map((r, i) => r.rps / baseRuns[i]!.rps);
    return [
      `click-redirect-${kind}: hub ${Math.round(hubRate)} redirects/s p99 ${median(hubRuns.map((r) => r.p99))} ms, baseline ${Math.round(baseRate)} redirects/s p99 ${median(baseRuns.map((r) => r.p99))} ms, ratio ${median(ratios).toFixed(2)} (medians of ${ROUNDS} alternating rounds; per round ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
      `  CPU per redirect, medians of the rounds (from /proc, kernel time included): ${cpuLine(hubRounds.map((r) => r.cpu))}; ${cpuLine(baseCpu)}`,
      ...checked,
    ];
  } finally {
    baseline?.stop();
    await hub.cleanup();
  }
}
