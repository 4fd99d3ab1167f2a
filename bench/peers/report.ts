// npm run bench -- peers: the hub against the plain apps a Node engineer would write instead of
// it, side by side in alternating rounds (compare.ts `alternate`; the hub first in each pair),
// with the same load generator and the same requests. Printed per scenario: each pair as it
// ends, then each side's medians (throughput, latency, CPU per event of each process, the app
// process's RSS after the rounds), the ratios hub/peer (median of the pairs, and each pair),
// and each side's check of what it stored.
import { alternate, QUIET_SECONDS, ratio, ratios, whole, type Alternation } from '../compare.js';
import { median } from '../lib.js';
import type { Round, Subject } from '../subject.js';

export interface PeerSide {
  label: string;
  subject: Subject;
}

export interface PeerScenario {
  name: string;
  run(pairs: number, seconds: number, print: (text: string) => void): Promise<void>;
}

interface Units {
  /** What an event is called (`req`), and its rate (`req/s`). */
  event: string;
  rate: string;
}

/**
 * Processes that do the same work whichever side is measured (autocannon in this process, the
 * receiver of deliveries): printed, but left out of a side's CPU per event and of its ratios.
 */
const SHARED = new Set(['load generator', 'receiver']);

/** µs of CPU per event of the side's own processes (the app, and PostgreSQL where it runs on it); NaN without /proc. */
function ownCpu(round: Round): number {
  const own = Object.entries(round.cpu).filter(([name]) => !SHARED.has(name));
  return own.length === 0 ? NaN : own.reduce((sum, [, us]) => sum + us, 0);
}

export const ms = (n: number) => (n < 10 ? n.toFixed(1) : String(Math.round(n)));
export const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MB`);

function latencyText(rounds: Round[]): string {
  const latencies = rounds.flatMap((r) => (r.latency === undefined ? [] : [r.latency]));
  if (latencies.length < rounds.length) return 'latency n/a (a drain)';
  return `p50 ${ms(median(latencies.map((l) => l.p50)))} ms, p99 ${ms(median(latencies.map((l) => l.p99)))} ms`;
}

/** Each process's median µs per event: the side's own, their sum, then the shared ones. */
function cpuText(rounds: Round[]): string {
  const names = Object.keys(rounds[0]?.cpu ?? {});
  if (names.length === 0) return 'not measured (no /proc)';
  const each = (name: string) => median(rounds.map((r) => r.cpu[name] ?? 0));
  const own = names.filter((name) => !SHARED.has(name));
  const shared = names.filter((name) => SHARED.has(name));
  const total = own.reduce((sum, name) => sum + each(name), 0);
  const sides = shared.length === 0 ? '' : ` (+ ${shared.map((name) => `${name} ${whole(each(name))} µs`).join(', ')})`;
  const parts = own.map((name) => `${name} ${whole(each(name))}`).join(' + ');
  return `${own.length === 1 ? parts : `${parts} = ${whole(total)}`} µs${sides}`;
}

function pairLine(name: string, units: Units, sides: readonly PeerSide[], pair: number, rounds: Round[]): string {
  const figure = (side: PeerSide, round: Round) =>
    `${side.label} ${whole(round.rate)} ${units.rate}${round.latency === undefined ? '' : ` p99 ${ms(round.latency.p99)} ms`}, ${whole(ownCpu(round))} µs CPU/${units.event}`;
  const hub = rounds[0]!;
  const against = sides.slice(1).map((side, k) => {
    const peer = rounds[k + 1]!;
    return `${sides[0]!.label}/${side.label} ${ratio(hub.rate / peer.rate)}, CPU ${ratio(ownCpu(hub) / ownCpu(peer))}`;
  });
  return `${name} pair ${pair + 1}: ${sides.map((side, k) => figure(side, rounds[k]!)).join('; ')}; ${against.join('; ')}`;
}

function summary(name: string, units: Units, sides: readonly PeerSide[], { rounds, rss, rssQuiet }: Alternation, quiet: boolean): string[] {
  const pairs = rounds[0]!.length;
  const lines = [
    `${name}: medians of ${pairs} round${pairs === 1 ? '' : 's'} per side; CPU per ${units.event} from /proc; RSS of the app process after the rounds${quiet ? `, then ${QUIET_SECONDS} s later` : ''}`,
  ];
  for (const [k, side] of sides.entries()) {
    const own = rounds[k]!;
    lines.push(
      `  ${side.label}: ${whole(median(own.map((r) => r.rate)))} ${units.rate}, ${latencyText(own)}; CPU per ${units.event}: ${cpuText(own)}; RSS ${mb(rss[k]!)}${quiet ? `, ${mb(rssQuiet[k]!)} later` : ''}`,
    );
  }
  const hub = rounds[0]!;
  for (const [k, side] of sides.slice(1).entries()) {
    const peer = rounds[k + 1]!;
    const memory = rss[0] == null || rss[k + 1] == null ? 'n/a' : ratio(rss[0] / rss[k + 1]!);
    lines.push(
      `  ${sides[0]!.label}/${side.label}: throughput ${ratios(hub.map((r, i) => r.rate / peer[i]!.rate))}, ` +
        `CPU per ${units.event} ${ratios(hub.map((r, i) => ownCpu(r) / ownCpu(peer[i]!)))}, RSS ${memory}`,
    );
  }
  return lines;
}

/**
 * A peers scenario: `sides()` makes the hub's side first, then each peer's (or any sides the
 * first is compared with). `quiet: false`: no second memory reading, no wait for it.
 */
export function peersScenario(name: string, units: Units, sides: () => PeerSide[], { quiet = true } = {}): PeerScenario {
  return {
    name,
    async run(pairs, seconds, print) {
      const list = sides();
      const checks = await alternate(
        list.map((side) => side.subject),
        pairs,
        seconds,
        {
          pair: (pair, rounds) => print(pairLine(name, units, list, pair, rounds)),
          done: (result) => summary(name, units, list, result, quiet).forEach((text) => print(text)),
          quiet,
        },
      );
      for (const [k, lines] of checks.entries()) for (const text of lines) print(`  ${list[k]!.label}: ${text.trimStart()}`);
    },
  };
}
