// peers-click-postgres: the hub's click redirect on PostgreSQL (bench/clicks.ts) against the
// bare node:http server of the click-redirect scenario (a 302 to the target with a fresh
// random id, nothing stored), driven by the same autocannon load. Both sides' CPU lines show
// the load generator (this process), which shares the two cores, outside their own total.
import { drive, clickSubject, startRedirectBaseline } from '../clicks.js';
import { processCpu, cpuPerRequest } from '../cpu.js';
import { CLI, WARM_UP_SECONDS, type BenchSettings } from '../lib.js';
import type { Subject } from '../subject.js';
import { peersScenario, type PeerScenario } from './report.js';

function bareRedirects(settings: BenchSettings): Subject {
  let server: Awaited<ReturnType<typeof startRedirectBaseline>> | undefined;
  let answered = 0;
  let non3xx = 0;
  return {
    appPid: () => server?.pid,
    async start() {
      server = await startRedirectBaseline();
      await drive(server.url, settings, WARM_UP_SECONDS);
    },
    async round(_index, seconds) {
      const running = server!;
      const cpu = cpuPerRequest({ app: () => processCpu(running.pid), 'load generator': () => processCpu(process.pid) });
      const run = await drive(running.url, settings, seconds);
      answered += run.ids.length;
      non3xx += run.non3xx;
      return { rate: run.rps, cpu: cpu(run.ids.length + run.non3xx), latency: { p50: run.p50, p99: run.p99 } };
    },
    finish() {
      server?.stop();
      return Promise.resolve([`  ${answered} redirects with a click id, ${non3xx} answers not 302; node:http stores nothing to check`]);
    },
    cleanup() {
      server?.stop();
      return Promise.resolve();
    },
  };
}

export function clickPostgresPeers(settings: BenchSettings, postgresUrl: string): PeerScenario {
  return peersScenario('peers-click-postgres', { event: 'redirect', rate: 'redirects/s' }, () => [
    { label: 'hub', subject: clickSubject('postgres', settings, postgresUrl, CLI) },
    { label: 'node:http', subject: bareRedirects(settings) },
  ]);
}
