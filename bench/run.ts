// npm run bench: every scenario prints the hub's figure, a bare baseline measured in the same
// run, and their ratio. npm run bench -- --against <git ref>: every scenario on the current
// build and on the ref's, in alternating rounds (compare.ts). Either way, scenario prefixes may
// follow to run only those. npm run bench -- peers: the hub against the plain apps written
// instead of it (bench/peers/), only when named; so is inbound-goals (10 goals against none).
// Targets 127.0.0.1 only; each scenario is bounded in time.
import { parseArgs } from 'node:util';
import { RefTree } from './against.js';
import { clickScenario, clickSubject } from './clicks.js';
import { compareScenario, type Compared, type Side } from './compare.js';
import { inboundGoalsScenario } from './inbound-goals.js';
import { inboundHmacScenario, inboundHmacSubject } from './inbound-hmac.js';
import { inboundScenario, inboundSubject } from './inbound.js';
import { CLI, signalChildren, WARM_UP_SECONDS, type BenchSettings } from './lib.js';
import { outboundScenario, outboundSubject } from './outbound.js';
import { clickPostgresPeers } from './peers/click-postgres.js';
import { inboundPostgresPeers } from './peers/inbound-postgres.js';
import { inboundSqlitePeers } from './peers/inbound-sqlite.js';
import { outboundPostgresPeers } from './peers/outbound-postgres.js';
import { idleRssPeers } from './peers/idle-rss.js';
import { processesPostgresPeers } from './peers/processes.js';
import type { PeerScenario } from './peers/report.js';
import { postgresReachable, removeTargetDirs } from './targets.js';

interface Scenario extends Compared {
  plain(): Promise<string[]>;
}

const settings: BenchSettings = {
  seconds: Number(process.env.BENCH_SECONDS ?? 5),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 64),
  // Partners do not pipeline; >1 only to compare with pipelined measurements.
  pipelining: Number(process.env.BENCH_PIPELINING ?? 1),
};
const pairs = Number(process.env.BENCH_PAIRS ?? 3);
const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const { values, positionals: only } = parseArgs({ options: { against: { type: 'string' } }, allowPositionals: true });
const wanted = (name: string) => only.length === 0 || only.some((o) => name.startsWith(o));

const stores = ['sqlite', ...(await postgresReachable(postgresUrl)) ? (['postgres'] as const) : []] as const;
const inbound = (kind: 'sqlite' | 'postgres'): Scenario => ({
  name: `inbound-${kind}`, event: 'req', rate: 'req/s',
  subject: (cli) => inboundSubject(kind, settings, postgresUrl, cli),
  plain: () => inboundScenario(kind, settings, postgresUrl, CLI),
});
const outbound = (kind: 'sqlite' | 'postgres'): Scenario => ({
  name: `outbound-${kind}`, event: 'delivery', rate: 'deliveries/s',
  subject: (cli) => outboundSubject(kind, postgresUrl, cli),
  plain: () => outboundScenario(kind, settings, postgresUrl, CLI),
});
const clicks = (kind: 'sqlite' | 'postgres'): Scenario => ({
  name: `click-redirect-${kind}`, event: 'redirect', rate: 'redirects/s',
  subject: (cli) => clickSubject(kind, settings, postgresUrl, cli),
  plain: () => clickScenario(kind, settings, postgresUrl, CLI),
});
const scenarios: Scenario[] = [
  ...stores.map(inbound),
  { name: 'inbound-generic-hmac', event: 'req', rate: 'req/s', subject: (cli) => inboundHmacSubject(settings, postgresUrl, cli), plain: () => inboundHmacScenario(settings, postgresUrl, CLI) },
  ...stores.map(outbound),
  ...stores.map(clicks),
];
const postgres = stores.length === 2;
const peers: PeerScenario[] = [
  ...(postgres ? [inboundPostgresPeers(settings, postgresUrl)] : []),
  inboundSqlitePeers(settings, postgresUrl),
  ...(postgres ? [outboundPostgresPeers(postgresUrl), clickPostgresPeers(settings, postgresUrl), processesPostgresPeers(settings, postgresUrl)] : []),
  idleRssPeers(stores, postgresUrl),
];
const goals = stores.map((kind) => inboundGoalsScenario(kind, settings, postgresUrl));
// Minutes of their own each: run when named (`peers`, `peers-inbound`, `inbound-goals`, …), not
// by default, nor by a prefix that names a scenario run by default (`inbound`).
const named = (list: PeerScenario[]) => list.filter((s) => only.some((o) => s.name.startsWith(o) && !scenarios.some((d) => d.name.startsWith(o))));
const wantedPeers = named(peers);

/** Runs each scenario; a failure is printed and the others still run. */
async function runAll<S extends { name: string }>(list: S[], run: (scenario: S) => Promise<void>): Promise<boolean> {
  let failed = false;
  for (const scenario of list) {
    try {
      await run(scenario);
    } catch (error) {
      failed = true;
      console.log(`${scenario.name}: failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failed;
}

/** On Ctrl-C (or SIGTERM): the hubs and baselines asked to stop, their SQLite files removed, then `more` (the ref's tree). */
function onInterrupt(more: () => Promise<void> = () => Promise.resolve()): void {
  const interrupted = (signal: NodeJS.Signals) => {
    signalChildren();
    removeTargetDirs();
    void more().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
}

const unreachable = stores.length === 1 ? `inbound-postgres: skipped, PostgreSQL not reachable at ${postgresUrl}` : undefined;
const load = `${settings.connections} connections, pipelining ${settings.pipelining}`;
if (values.against === undefined) {
  onInterrupt();
  console.log(`postback-hub bench: ${load}, ${settings.seconds} s per run after ${WARM_UP_SECONDS} s of warm-up, node ${process.version}`);
  if (unreachable !== undefined) console.log(unreachable);
  const plainFailed = await runAll(scenarios.filter((s) => wanted(s.name)), async (scenario) => void (await scenario.plain()).forEach((text) => console.log(text)));
  if (wantedPeers.length > 0) {
    console.log(
      `peers: the hub first, then each plain app, in alternating rounds, ${pairs} round${pairs === 1 ? '' : 's'} each (${settings.seconds} s of load, or a drain of 10,000); ` +
        "CPU per event of each process from /proc (PostgreSQL: every postgres process on the machine); a side's CPU and the ratios leave out the load generator and the receiver",
    );
  }
  const peersFailed = await runAll([...wantedPeers, ...named(goals)], (scenario) => scenario.run(pairs, settings.seconds, (text) => console.log(text)));
  process.exitCode = plainFailed || peersFailed ? 1 : 0;
} else {
  process.exitCode = (await compareWith(values.against)) ? 1 : 0;
}

/** The --against run; true if anything failed. */
async function compareWith(ref: string): Promise<boolean> {
  let tree: RefTree;
  try {
    tree = new RefTree(ref);
  } catch (error) {
    console.log(error instanceof Error ? error.message : String(error));
    return true;
  }
  onInterrupt(() => tree.dispose());
  process.once('exit', () => tree.abandon());
  try {
    const sides: [Side, Side] = [{ label: 'current', cli: CLI }, { label: tree.ref, cli: await tree.prepare((text) => console.log(text)) }];
    console.log(
      `postback-hub bench --against ${tree.ref} (${tree.commit.slice(0, 12)}): ${load}, ${settings.seconds} s per round after ${WARM_UP_SECONDS} s of warm-up, ` +
        `${pairs} pairs of rounds (current first in each); CPU per event is the hub process's (+ every postgres process's), from /proc; node ${process.version}`,
    );
    if (unreachable !== undefined) console.log(unreachable);
    return await runAll(scenarios.filter((s) => wanted(s.name)), (scenario) => compareScenario(scenario, sides, pairs, settings.seconds, (text) => console.log(text)));
  } catch (error) {
    console.log(`--against ${ref}: failed: ${error instanceof Error ? error.message : String(error)}`);
    return true;
  } finally {
    await tree.dispose();
  }
}
