// The hub as an operator deploys it on PostgreSQL, for peers-processes-postgres: a fresh schema
// of the local database seeded as the inbound scenario's (bench/inbound.ts), one enabled
// destination wanting the level postbacks (event type `level`) and pointed at a bare receiver
// of its own (bench/outbound.ts), and the hub's processes on that schema, every one with the
// same DATABASE_URL, ADMIN_TOKEN and SECRET_KEY: `api` processes and one `worker`, or one
// `serve`. A run loads the first n HTTP processes (the connections split among them) and lasts
// until the receiver has counted a delivery for every postback acknowledged, so that the
// worker's share of a postback is measured in the run that caused it.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { cpuPerRequest, postgresCpu, processCpu } from '../cpu.js';
import { seedLevelPostbacks, type LevelPostbacks } from '../inbound.js';
import { adminPost, CLI, loadAcross, startHub, type BenchSettings, type LoadResult, type Running } from '../lib.js';
import { startReceiver, type Receiver } from '../outbound.js';
import type { Round } from '../subject.js';
import { postgresTarget, type Target } from '../targets.js';

/** A run's delivery drain, like outbound's, is bounded. */
const DRAIN_MS = 120_000;

/**
 * PG_POOL_SIZE of every process. Three api processes, a worker and a serve process at the
 * inbound scenario's 32 each took 96 of PostgreSQL's default max_connections of 100 (an api
 * process under load fills its pool), leaving other clients none; at 12 they stay near 50.
 */
export const POOL_SIZE = Number(process.env.BENCH_PROCESS_POOL_SIZE ?? 12);

export interface ProcessRound extends Round {
  result: LoadResult;
  /** Deliveries the receiver counted per second, from the load's start until it had them all. */
  deliveries: number;
  /** Seconds from the load's end until the receiver had counted them all. */
  tail: number;
}

/** What a clean stop left: whether the i-th request's postback is stored, and the lines checking the whole store. */
export interface Inspection {
  stored(i: number): boolean;
  lines: string[];
}

export interface Deployment {
  /** Starts everything and seeds the store, once however often it is called. */
  start(): Promise<void>;
  /** The processes doing the work of `apis` HTTP processes, by name (`api 1`, `worker`; `serve`), with their pids. */
  processes(apis: number): Array<[string, number]>;
  run(apis: number, seconds: number): Promise<ProcessRound>;
  /** Stops every process cleanly and inspects the store and the receiver, once. */
  finish(): Promise<Inspection>;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `apis` api processes and a worker, or one serve process. */
export type Layout = { apis: number } | 'serve';

export function deployment(layout: Layout, settings: BenchSettings, postgresUrl: string): Deployment {
  let target: Target | undefined;
  let receiver: Receiver | undefined;
  let postbacks: LevelPostbacks | undefined;
  const http: Running[] = [];
  let worker: Running | undefined;
  // Shared by every run and every HTTP process: no postback is ever sent twice.
  let next = 0;
  let started: Promise<void> | undefined;
  let finished: Promise<Inspection> | undefined;

  const stopAll = async () => {
    for (const running of [...http, worker]) await running?.stop();
  };
  const count = async (sql: string) => Number((await target!.column(sql))[0]);

  /** After a measured run, not measured: every delivery of the store has succeeded (or the run fails). */
  const settle = async () => {
    const deadline = Date.now() + DRAIN_MS;
    while ((await count("SELECT count(*) FROM deliveries WHERE state <> 'succeeded'")) > 0) {
      if (Date.now() > deadline) throw new Error(`deliveries still not succeeded after ${DRAIN_MS / 1000} s`);
      await sleep(100);
    }
  };

  const self: Deployment = {
    start() {
      started ??= (async () => {
        target = await postgresTarget(postgresUrl);
        receiver = await startReceiver();
        const env = { ...target.env, SECRET_KEY: randomBytes(32).toString('base64'), PG_POOL_SIZE: String(POOL_SIZE), OUTBOUND_ALLOW: '127.0.0.0/8' };
        // The first process applies the migrations; the others start on the migrated schema.
        http.push(await startHub(env, CLI, layout === 'serve' ? 'serve' : 'api'));
        postbacks = await seedLevelPostbacks(http[0]!.url);
        const url = `${receiver.url}/hook?key={external_id}&id={delivery_id}`;
        await adminPost(http[0]!.url, '/destinations', { name: 'receiver', config: { url, match: { eventTypes: ['level'] } } });
        if (layout === 'serve') return;
        while (http.length < layout.apis) http.push(await startHub(env, CLI, 'api'));
        worker = await startHub(env, CLI, 'worker');
      })();
      return started;
    },
    processes(apis) {
      if (layout === 'serve') return [['serve', http[0]!.pid]];
      return [...http.slice(0, apis).map((running, k): [string, number] => [`api ${k + 1}`, running.pid]), ['worker', worker!.pid]];
    },
    async run(apis, seconds) {
      const into = receiver!;
      const named = self.processes(apis).map(([name, pid]) => [name, () => processCpu(pid)] as const);
      const before = await into.count();
      const cpu = cpuPerRequest({
        ...Object.fromEntries(named),
        PostgreSQL: postgresCpu,
        'load generator': () => processCpu(process.pid),
        receiver: () => processCpu(into.pid),
      });
      const begun = performance.now();
      const { connections, pipelining } = settings;
      const urls = http.slice(0, apis).map((running) => running.url);
      const result = await loadAcross({ urls, connections, pipelining, seconds, method: 'POST', nextRequest: postbacks!.request, take: () => next++ });
      const loaded = performance.now();
      const expected = before + result.acked.length;
      const deadline = Date.now() + DRAIN_MS;
      let counted = await into.count();
      for (; counted < expected && Date.now() < deadline; counted = await into.count()) await sleep(10);
      const ended = performance.now();
      const used = cpu(result.total);
      const gone = self.processes(apis).filter(([, pid]) => processCpu(pid) === null);
      if (gone.length > 0) throw new Error(`${gone.map(([name, pid]) => `${name} (pid ${pid})`).join(', ')} exited during the round`);
      if (counted < expected) throw new Error(`the receiver counted ${counted - before} of ${result.acked.length} deliveries in ${DRAIN_MS / 1000} s`);
      await settle();
      const latency = { p50: result.p50, p99: result.p99 };
      return { rate: result.rps, cpu: used, latency, result, deliveries: (counted - before) / ((ended - begun) / 1000), tail: (ended - loaded) / 1000 };
    },
    finish() {
      finished ??= (async () => {
        await stopAll();
        return inspect(target!, receiver!, postbacks!);
      })();
      return finished;
    },
    async cleanup() {
      await stopAll();
      receiver?.stop();
      await target?.cleanup();
      target = undefined;
    },
  };
  return self;
}

/** Every acknowledged postback stored once, and every stored accepted postback delivered to the receiver (at least) once. */
async function inspect(target: Target, receiver: Receiver, postbacks: LevelPostbacks): Promise<Inspection> {
  const count = async (sql: string) => Number((await target.column(sql))[0]);
  const { accepted, duplicates, badBalances } = await target.inspect();
  const twiceStored = await count(
    "SELECT count(*) - count(DISTINCT external_id) FROM events WHERE source = 'reward-levels' AND outcome = 'accepted'",
  );
  const deliveries = await count('SELECT count(*) FROM deliveries');
  const unfinished = await count("SELECT count(*) FROM deliveries WHERE state <> 'succeeded'");
  const keys = await receiver.keys();
  let undelivered = 0;
  let repeated = 0;
  let copies = 0;
  for (const key of accepted) {
    const n = keys.get(key) ?? 0;
    if (n === 0) undelivered++;
    if (n > 1) {
      repeated++;
      copies += n - 1;
    }
  }
  const strays = [...keys.keys()].filter((key) => !accepted.has(key)).length;
  const received = [...keys.values()].reduce((sum, n) => sum + n, 0);
  return {
    stored: (i) => accepted.has(postbacks.key(i)),
    lines: [
      `  store: ${accepted.size} accepted postbacks, ${twiceStored} stored twice, ${duplicates} duplicates, ${badBalances} balances off their ledger; ` +
        `${deliveries} deliveries, ${unfinished} not succeeded`,
      `  receiver: ${received} deliveries received; ${undelivered} accepted postbacks never delivered, ${repeated} delivered more than once ` +
        `(${copies} extra copies), ${strays} received that are no accepted postback`,
    ],
  };
}
