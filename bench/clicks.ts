// click-redirect-<store>: GET /c/:link (a click recorded, a 302 to the filled target) against a
// bare node:http server answering the same requests with a 302 to a fresh random id; then
// every click id handed out is looked for in the store after a clean stop.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import type { BenchSettings } from './inbound.js';
import { postgresTarget, sqliteTarget, type Target } from './inbound.js';
import { adminPost, freePort, startHub } from './lib.js';

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

async function startRedirectBaseline(): Promise<{ url: string; stop: () => void }> {
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
  return { url, stop: () => child.kill() };
}

export async function clickScenario(kind: 'sqlite' | 'postgres', settings: BenchSettings, postgresUrl: string): Promise<string[]> {
  const target: Target = kind === 'sqlite' ? sqliteTarget() : await postgresTarget(postgresUrl);
  const hub = await startHub(target.env);
  const baseline = await startRedirectBaseline();
  try {
    await adminPost(hub.url, '/offers', { id: 'gg3_quest' });
    await adminPost(hub.url, '/links', { id: 'bench', offerId: 'gg3_quest', partner: 'aff-1', config: { target: TARGET } });
    await drive(hub.url, settings, 1); // warm-up (its clicks are counted below too)
    await drive(baseline.url, settings, 1);
    const hubRun = await drive(hub.url, settings, settings.seconds);
    const baseRun = await drive(baseline.url, settings, settings.seconds);
    await hub.stop(); // a clean stop: every click handed out must be written
    const stored = new Set(await target.column('SELECT id FROM clicks'));
    const missing = hubRun.ids.filter((id) => !stored.has(id)).length;
    return [
      `click-redirect-${kind}: hub ${Math.round(hubRun.rps)} redirects/s p99 ${hubRun.p99} ms, baseline ${Math.round(baseRun.rps)} redirects/s p99 ${baseRun.p99} ms, ratio ${(hubRun.rps / baseRun.rps).toFixed(2)}`,
      `  ${hubRun.ids.length} click ids handed out in the measured run, ${missing} missing from the store after a clean stop (${stored.size} stored in all), ${hubRun.non3xx} answers not 302`,
    ];
  } finally {
    baseline.stop();
    await hub.stop();
    await target.cleanup();
  }
}
