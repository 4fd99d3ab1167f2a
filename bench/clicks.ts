// click-redirect-<store>: GET /c/:link (a click recorded, a 302 to the filled target) against a
// bare node:http server answering the same requests with a 302 to a fresh random id; then
// every click id handed out is looked for in the store after a clean stop.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import type { BenchSettings } from './inbound.js';
import { postgresTarget, sqliteTarget, type Target } from './inbound.js';
import { cpuLine, cpuPerRequest, postgresCpu, processCpu } from './cpu.js';
import { adminPost, freePort, median, startHub, WARM_UP_SECONDS } from './lib.js';

const ROUNDS = 3;

const TARGET = 'https://gg3.xyz/quests/complete-50-quests?click_id={click_id}&provider={partner}';

/** Runs autocannon on distinct click URLs; returns req/s, p99 and the click ids in the answers. */
async function drive(url: string, settings: BenchSettings, seconds: number): Promise<{ rps: number; p99: number; non3xx: number; ids: string[] }> {
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
  return { rps: result.requests.average, p99: result.latency.p99, non3xx, ids };
}

async function startRedirectBaseline(): Promise<{ url: string; pid: number; stop: () => void }> {
  const port = await freePort();
  const source = `
    const http = require('node:http');
    const { randomBytes } = require('node:crypto');
    http.createServer((req, res) => {
      const id = Date.now().toString(36) + randomBytes(12).toString('base64url');
      res.writeHead(302, { location: 'https://gg3.xyz/quests/complete-50-quests?click_id=' + id + '&provider=aff-1', 'content-length': 0 });
      res.end();
    }).listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', source], { stdio: 'ignore' });
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

export async function clickScenario(kind: 'sqlite' | 'postgres', settings: BenchSettings, postgresUrl: string): Promise<string[]> {
  const target: Target = kind === 'sqlite' ? sqliteTarget() : await postgresTarget(postgresUrl);
  const hub = await startHub(target.env);
  const baseline = await startRedirectBaseline();
  try {
    await adminPost(hub.url, '/offers', { id: 'gg3_quest' });
    await adminPost(hub.url, '/links', { id: 'bench', offerId: 'gg3_quest', partner: 'aff-1', config: { target: TARGET } });
    await drive(hub.url, settings, WARM_UP_SECONDS); // warm-up (its clicks are checked below too)
    await drive(baseline.url, settings, WARM_UP_SECONDS);
    // Alternating rounds, each figure the median of its rounds: a shared machine's load shifts
    // within seconds, and one long run of each would compare two different machines.
    const hubRuns: Awaited<ReturnType<typeof drive>>[] = [];
    const baseRuns: Awaited<ReturnType<typeof drive>>[] = [];
    const roundSeconds = Math.max(1, Math.round(settings.seconds / ROUNDS));
    // CPU per request of the server (and PostgreSQL) and of the load generator (this process).
    const hubCpu: Array<Record<string, number>> = [];
    const baseCpu: Array<Record<string, number>> = [];
    const load = () => processCpu(process.pid);
    const measured = async (url: string, processes: Record<string, () => number | null>, runs: Awaited<ReturnType<typeof drive>>[], cpu: typeof hubCpu) => {
      const perRequest = cpuPerRequest({ ...processes, 'load generator': load });
      const run = await drive(url, settings, roundSeconds);
      cpu.push(perRequest(run.ids.length + run.non3xx));
      runs.push(run);
    };
    for (let round = 0; round < ROUNDS; round++) {
      await measured(hub.url, { hub: () => processCpu(hub.pid), ...(kind === 'postgres' ? { PostgreSQL: postgresCpu } : {}) }, hubRuns, hubCpu);
      await measured(baseline.url, { baseline: () => processCpu(baseline.pid) }, baseRuns, baseCpu);
    }
    await hub.stop(); // a clean stop: every click handed out must be written
    const stored = new Set(await target.column('SELECT id FROM clicks'));
    const handedOut = hubRuns.flatMap((r) => r.ids);
    const missing = handedOut.filter((id) => !stored.has(id)).length;
    const hubRate = median(hubRuns.map((r) => r.rps));
    const baseRate = median(baseRuns.map((r) => r.rps));
    // Each round's hub run is paired with the baseline run right after it: their ratio is the
    // least disturbed by the machine's load, and the figure is the median of those.
    const ratios = hubRuns.map((r, i) => r.rps / baseRuns[i]!.rps);
    return [
      `click-redirect-${kind}: hub ${Math.round(hubRate)} redirects/s p99 ${median(hubRuns.map((r) => r.p99))} ms, baseline ${Math.round(baseRate)} redirects/s p99 ${median(baseRuns.map((r) => r.p99))} ms, ratio ${median(ratios).toFixed(2)} (medians of ${ROUNDS} alternating rounds; per round ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
      `  CPU per redirect, medians of the rounds (from /proc, kernel time included): ${cpuLine(hubCpu)}; ${cpuLine(baseCpu)}`,
      `  ${handedOut.length} click ids handed out in the measured rounds, ${missing} missing from the store after a clean stop (${stored.size} stored in all), ${hubRuns.reduce((n, r) => n + r.non3xx, 0)} answers not 302`,
    ];
  } finally {
    baseline.stop();
    await hub.stop();
    await target.cleanup();
  }
}
