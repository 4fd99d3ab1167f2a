// peers-processes-postgres: the hub split into processes on one PostgreSQL database (issue 18):
// 1, 2 and 3 `api` processes with one `worker`, then one `serve` process for reference, under the
// same total load (the inbound scenario's distinct POST /api/postback requests, the connections
// split evenly across the api processes), in alternating rounds (compare.ts `alternate`). The
// three split configurations are one deployment (deployment.ts): three api processes and a
// worker, up together on one schema, a configuration loading the first one, two or three api
// processes (an idle api process does no background work of its own). Two workers on one schema
// would share its deliveries, so the serve process, which delivers as well, has a schema of its
// own, seeded the same. A round lasts until every postback it acknowledged has been delivered:
// its CPU per postback is the intake's and the delivery's. What must hold is that this CPU does
// not grow with the number of processes, and that every postback is stored and delivered once.
import { alternate, ratio, ratios, whole } from '../compare.js';
import { processRss } from '../cpu.js';
import { median, WARM_UP_SECONDS, type BenchSettings } from '../lib.js';
import type { Subject } from '../subject.js';
import { deployment, POOL_SIZE, type Deployment, type ProcessRound } from './deployment.js';
import { mb, ms, type PeerScenario } from './report.js';

const NAME = 'peers-processes-postgres';

interface Configuration {
  label: string;
  deployment: Deployment;
  /** How many of the deployment's HTTP processes take the load. */
  apis: number;
  subject: Subject<ProcessRound>;
}

/** Run by the load generator and the receiver whichever configuration is measured: shown, left out of the sums. */
const SHARED = new Set(['load generator', 'receiver']);
const isHub = (name: string) => name !== 'PostgreSQL' && !SHARED.has(name);

/** µs of CPU per postback: the hub's processes, PostgreSQL's, and both. */
function cpuOf(round: ProcessRound): { hub: number; postgres: number; both: number } {
  const hub = Object.entries(round.cpu).reduce((sum, [name, us]) => (isHub(name) ? sum + us : sum), 0);
  const postgres = round.cpu.PostgreSQL ?? NaN;
  return Object.keys(round.cpu).length === 0 ? { hub: NaN, postgres: NaN, both: NaN } : { hub, postgres, both: hub + postgres };
}

/** One configuration as a side of the alternation: its warm-up and rounds on its deployment, its own acknowledged postbacks checked. */
function configuration(label: string, deploy: Deployment, apis: number, checksStore: boolean): Configuration {
  const acked: number[] = [];
  const answers = { non2xx: 0, errors: 0 };
  const statuses = new Map<string, number>();
  const run = async (seconds: number) => {
    const round = await deploy.run(apis, seconds);
    acked.push(...round.result.acked);
    answers.non2xx += round.result.non2xx;
    answers.errors += round.result.errors;
    for (const [status, n] of Object.entries(round.result.statuses ?? {})) statuses.set(status, (statuses.get(status) ?? 0) + n);
    return round;
  };
  const subject: Subject<ProcessRound> = {
    appPid: () => undefined,
    async start() {
      await deploy.start();
      await run(WARM_UP_SECONDS);
    },
    round: (_index, seconds) => run(seconds),
    async finish() {
      const inspection = await deploy.finish();
      const missing = acked.filter((i) => !inspection.stored(i)).length;
      const which = statuses.size === 0 ? '' : ` (${[...statuses].map(([status, n]) => `${n} × ${status}`).join(', ')})`;
      const own = `  checked: ${acked.length} acknowledged, ${missing} missing, ${answers.non2xx} non-2xx${which}, ${answers.errors} errors`;
      return checksStore ? [own, ...inspection.lines] : [own];
    },
    cleanup: () => deploy.cleanup(),
  };
  return { label, deployment: deploy, apis, subject };
}

function pairLine(sides: Configuration[], pair: number, rounds: ProcessRound[]): string {
  const figure = (side: Configuration, round: ProcessRound) => {
    const cpu = cpuOf(round);
    return (
      `${side.label} ${whole(round.rate)} req/s p99 ${ms(round.latency!.p99)} ms, ` +
      `hub ${whole(cpu.hub)} + PostgreSQL ${whole(cpu.postgres)} µs CPU/postback, ${whole(round.deliveries)} deliveries/s`
    );
  };
  const [first, ...others] = rounds;
  const against = others.map((round, k) => `${sides[k + 1]!.label}/${sides[0]!.label} ${ratio(round.rate / first!.rate)}, CPU ${ratio(cpuOf(round).both / cpuOf(first!).both)}`);
  return `${NAME} pair ${pair + 1}: ${sides.map((side, k) => figure(side, rounds[k]!)).join('; ')}; ${against.join('; ')}`;
}

/** A configuration's medians: throughput, latency, CPU per postback of each process, deliveries, memory. */
function sideLine(side: Configuration, rounds: ProcessRound[], rss: Array<[string, number | null]>): string {
  const names = Object.keys(rounds[0]!.cpu);
  const each = (name: string) => median(rounds.map((r) => r.cpu[name] ?? 0));
  const hubNames = names.filter(isHub);
  const cpu =
    names.length === 0
      ? 'not measured (no /proc)'
      : `${hubNames.map((name) => `${name} ${whole(each(name))}`).join(' + ')} = hub ${whole(median(rounds.map((r) => cpuOf(r).hub)))} µs, ` +
        `PostgreSQL ${whole(each('PostgreSQL'))} µs, together ${whole(median(rounds.map((r) => cpuOf(r).both)))} µs ` +
        `(+ ${names.filter((name) => SHARED.has(name)).map((name) => `${name} ${whole(each(name))} µs`).join(', ')})`;
  const latency = `p50 ${ms(median(rounds.map((r) => r.latency!.p50)))} ms, p99 ${ms(median(rounds.map((r) => r.latency!.p99)))} ms`;
  const deliveries = `${whole(median(rounds.map((r) => r.deliveries)))} deliveries/s, caught up ${median(rounds.map((r) => r.tail)).toFixed(2)} s after the load`;
  const memory = rss.map(([name, bytes]) => `${name} ${mb(bytes)}`).join(', ');
  return `  ${side.label}: ${whole(median(rounds.map((r) => r.rate)))} req/s, ${latency}; CPU per postback: ${cpu}; ${deliveries}; RSS ${memory}`;
}

function summary(sides: Configuration[], rounds: ProcessRound[][]): string[] {
  const pairs = rounds[0]!.length;
  const lines = [
    `${NAME}: medians of ${pairs} round${pairs === 1 ? '' : 's'} per configuration; a round is the load and then the drain of the deliveries it caused; ` +
      'CPU per postback from /proc over both; RSS of each process after the rounds',
  ];
  for (const [k, side] of sides.entries()) {
    const rss = side.deployment.processes(side.apis).map(([name, pid]): [string, number | null] => [name, processRss(pid)]);
    lines.push(sideLine(side, rounds[k]!, rss));
  }
  const first = rounds[0]!;
  for (const [k, side] of sides.slice(1).entries()) {
    const own = rounds[k + 1]!;
    const against = (f: (r: ProcessRound) => number) => ratios(own.map((r, i) => f(r) / f(first[i]!)));
    lines.push(
      `  ${side.label} / ${sides[0]!.label}: throughput ${against((r) => r.rate)}, CPU per postback: hub ${against((r) => cpuOf(r).hub)}, ` +
        `PostgreSQL ${against((r) => cpuOf(r).postgres)}, together ${against((r) => cpuOf(r).both)}; deliveries/s ${against((r) => r.deliveries)}`,
    );
  }
  return lines;
}

export function processesPostgresPeers(settings: BenchSettings, postgresUrl: string): PeerScenario {
  return {
    name: NAME,
    async run(pairs, seconds, print) {
      const split = deployment({ apis: 3 }, settings, postgresUrl);
      const serve = deployment('serve', settings, postgresUrl);
      const sides = [
        configuration('1 api + worker', split, 1, true),
        configuration('2 api + worker', split, 2, false),
        configuration('3 api + worker', split, 3, false),
        configuration('serve', serve, 1, true),
      ];
      print(
        `${NAME}: ${settings.connections} connections split evenly across the api processes, PG_POOL_SIZE=${POOL_SIZE} in every process; the 1, 2 and 3 api configurations share ` +
          'one schema, three api processes and a worker (the ones not in a configuration stay idle); serve has a schema of its own',
      );
      const checks = await alternate(
        sides.map((side) => side.subject),
        pairs,
        seconds,
        {
          pair: (pair, rounds) => print(pairLine(sides, pair, rounds)),
          done: ({ rounds }) => summary(sides, rounds).forEach((text) => print(text)),
        },
      );
      for (const [k, lines] of checks.entries()) for (const text of lines) print(`  ${sides[k]!.label}: ${text.trimStart()}`);
    },
  };
}
