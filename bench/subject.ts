// One hub under a scenario's load, measured round by round. The plain bench puts one beside a
// bare baseline; `--against <ref>` puts two side by side, the current build's and the ref's.
import { cpuPerRequest, hubProcesses } from './cpu.js';
import { newTarget, type Target } from './targets.js';
import { load, startHub, WARM_UP_SECONDS, type BenchSettings, type LoadResult, type Running } from './lib.js';

export interface Round {
  /** Events handled per second: requests, deliveries or redirects. */
  rate: number;
  /** µs of CPU per event of each process measured, by name (`hub`, `PostgreSQL`, …). */
  cpu: Record<string, number>;
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

/** A hub driven by autocannon with distinct requests, each round's from an index of its own. */
export function loadedHub(cli: string, settings: BenchSettings, postgresUrl: string, options: LoadedHubOptions): LoadedHub {
  let target: Target | undefined;
  let hub: Running | undefined;
  let nextRequest: ((i: number) => HubRequest) | undefined;
  const acked: number[] = [];
  const answers = { non2xx: 0, errors: 0 };
  const drive = (running: Running, seconds: number, firstIndex: number) =>
    load({ url: running.url, connections: settings.connections, pipelining: settings.pipelining, method: options.method, nextRequest: nextRequest!, seconds, firstIndex });
  return {
    request: (i) => nextRequest!(i),
    async start() {
      target = await newTarget(options.kind, postgresUrl);
      hub = await startHub({ ...target.env, ...options.env }, cli);
      nextRequest = await options.seed(hub.url);
      acked.push(...(await drive(hub, WARM_UP_SECONDS, 0)).acked);
    },
    async round(index, seconds) {
      const running = hub!;
      const cpu = cpuPerRequest(hubProcesses(running.pid, options.kind));
      const result = await drive(running, seconds, (index + 1) * 10_000_000);
      acked.push(...result.acked);
      answers.non2xx += result.non2xx;
      answers.errors += result.errors;
      return { rate: result.rps, cpu: cpu(result.total), result };
    },
    async finish() {
      await hub!.stop();
      return options.check(target!, acked, answers);
    },
    async cleanup() {
      await hub?.stop();
      await target?.cleanup();
    },
  };
}
