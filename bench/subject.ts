// One server under a scenario's load, measured round by round. The plain bench puts a hub
// beside a bare baseline; `--against <ref>` puts two hubs side by side, the current build's and
// the ref's; `peers` puts the hub beside the plain apps written instead of it (bench/peers/).
import { cpuPerRequest, hubProcesses } from './cpu.js';
import { newTarget, type Target } from './targets.js';
import { load, startHub, WARM_UP_SECONDS, type BenchSettings, type LoadResult, type Running } from './lib.js';

export interface Round {
  /** Events handled per second: requests, deliveries or redirects. */
  rate: number;
  /** µs of CPU per event of each process measured, by name (`hub`, `PostgreSQL`, …). */
  cpu: Record<string, number>;
  /** Request latency in ms, where the load is requests (a drain has none). */
  latency?: { p50: number; p99: number };
}

export interface Subject<R extends Round = Round> {
  /** Starts the hub, sets up what the scenario needs, and warms it up. */
  start(): Promise<void>;
  /** One measured round; `seconds` where the scenario's load is timed (a drain is not). */
  round(index: number, seconds: number): Promise<R>;
  /** Stops the hub cleanly and checks what it stored: lines to print. */
  finish(): Promise<string[]>;
  /** Stops and removes whatever is still there; also after a failure. */
  cleanup(): Promise<void>;
  /** The process serving the load (the hub, or a peer app), once started: its memory is reported. */
  appPid(): number | undefined;
}

export interface HubRequest {
  path: string;
  body?: string;
  headers: Record<string, string>;
}

export interface LoadedHubOptions {
  kind: 'sqlite' | 'postgres';
  method: 'GET' | 'POST';
  /** Environment for the hub besides its store's. */
  env?: Record<string, string>;
  /** Sets up the running hub; gives the i-th request, a distinct one for each i. */
  seed(hubUrl: string): Promise<(i: number) => HubRequest>;
  /** After the clean stop: the lines checking that every acknowledged request was stored. */
  check(target: Target, acked: number[], answers: { non2xx: number; errors: number }): Promise<string[]>;
}

export interface LoadRound extends Round {
  result: LoadResult;
}

export interface LoadedHub extends Subject<LoadRound> {
  /** The i-th request, once the hub is set up: what a bare baseline is to be sent too. */
  request(i: number): HubRequest;
}

export interface LoadedServerOptions {
  settings: BenchSettings;
  method: 'GET' | 'POST';
  /** Starts the server (its store first): stopped by `cleanup` from then on, even if `seed` fails. */
  start(): Promise<Running>;
  /** Sets up the running server; gives the i-th request, a distinct one for each i. */
  seed(running: Running): Promise<(i: number) => HubRequest>;
  /** The processes whose CPU a round counts, by name. */
  processes(running: Running): Record<string, () => number | null>;
  /** After the clean stop: the lines checking that every acknowledged request was stored. */
  check(acked: number[], answers: { non2xx: number; errors: number }): Promise<string[]>;
  /** Removes the server's store. */
  remove(): Promise<void>;
}

/** A server driven by autocannon with distinct requests, each round's from an index of its own. */
export function loadedServer(options: LoadedServerOptions): LoadedHub {
  const { settings } = options;
  let server: Running | undefined;
  let nextRequest: ((i: number) => HubRequest) | undefined;
  const acked: number[] = [];
  const answers = { non2xx: 0, errors: 0 };
  const drive = (running: Running, seconds: number, firstIndex: number) =>
    load({ url: running.url, connections: settings.connections, pipelining: settings.pipelining, method: options.method, nextRequest: nextRequest!, seconds, firstIndex });
  return {
    request: (i) => nextRequest!(i),
    appPid: () => server?.pid,
    async start() {
      server = await options.start();
      nextRequest = await options.seed(server);
      for (const i of (await drive(server, WARM_UP_SECONDS, 0)).acked) acked.push(i);
    },
    async round(index, seconds) {
      const running = server!;
      const cpu = cpuPerRequest(options.processes(running));
      const result = await drive(running, seconds, (index + 1) * 10_000_000);
      for (const i of result.acked) acked.push(i);
      answers.non2xx += result.non2xx;
      answers.errors += result.errors;
      return { rate: result.rps, cpu: cpu(result.total), latency: { p50: result.p50, p99: result.p99 }, result };
    },
    async finish() {
      await server!.stop();
      return options.check(acked, answers);
    },
    async cleanup() {
      await server?.stop();
      await options.remove();
    },
  };
}

/** A hub driven by autocannon with distinct requests, each round's from an index of its own. */
export function loadedHub(cli: string, settings: BenchSettings, postgresUrl: string, options: LoadedHubOptions): LoadedHub {
  let target: Target | undefined;
  return loadedServer({
    settings,
    method: options.method,
    async start() {
      target = await newTarget(options.kind, postgresUrl);
      return startHub({ ...target.env, ...options.env }, cli);
    },
    seed: (hub) => options.seed(hub.url),
    processes: (hub) => hubProcesses(hub.pid, options.kind),
    check: (acked, answers) => options.check(target!, acked, answers),
    remove: async () => target?.cleanup(),
  });
}
