// npm run bench -- --against <ref>: each scenario's load on two builds of the hub, the current
// one and a git ref's, in alternating rounds (current, ref, current, ref, …). Both hubs are up
// for the whole scenario, each on its own store, and only one is under load at a time; each
// round of the current build is paired with the ref's round right after it, so the machine's
// drift between pairs cancels out of each pair's ratio. `alternate` does the same for any
// number of sides (bench/peers/: the hub and the plain apps written instead of it).
import { processRss } from './cpu.js';
import { median } from './lib.js';
import type { Round, Subject } from './subject.js';

export interface Side {
  label: string;
  cli: string;
}

export interface Compared {
  name: string;
  /** What an event is called (`req`), and its rate (`req/s`). */
  event: string;
  rate: string;
  subject(cli: string): Subject;
}

/** µs of CPU per event on the hub's side: the hub process and, on PostgreSQL, every postgres process; NaN without /proc. */
function hubCpu(round: Round): number {
  return (round.cpu.hub ?? NaN) + (round.cpu.PostgreSQL ?? 0);
}

export const whole = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : 'n/a');
export const ratio = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
export const ratios = (values: number[]) => `${ratio(median(values))} (pairs ${values.map(ratio).join(', ')})`;

/**
 * Every side's rounds, in order, and each side's resident memory right after them and after
 * `QUIET_SECONDS` without load (null: not read).
 */
export interface Alternation<R extends Round = Round> {
  rounds: R[][];
  rss: Array<number | null>;
  rssQuiet: Array<number | null>;
}

/** Seconds without load before the second memory reading: does a side give back what the load took? */
export const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 15);

/**
 * Any number of sides, each up for the whole scenario: started in order, then `pairs` times one
 * round of each in turn (so a pair is a set of rounds, one per side, taken back to back). Tells
 * `pair` each pair as it ends and `done` the whole, then stops each side cleanly: gives each
 * side's check lines. Every side is cleaned up at the end, on failure too.
 */
export async function alternate<R extends Round = Round>(
  subjects: ReadonlyArray<Subject<R>>,
  pairs: number,
  seconds: number,
  /** `quiet`: read each side's memory again after QUIET_SECONDS without load. */
  report: { pair(index: number, rounds: R[]): void; done(result: Alternation<R>): void; quiet?: boolean },
): Promise<string[][]> {
  try {
    for (const subject of subjects) await subject.start();
    const rounds: R[][] = subjects.map(() => []);
    for (let pair = 0; pair < pairs; pair++) {
      for (const [k, subject] of subjects.entries()) rounds[k]!.push(await subject.round(pair, seconds));
      report.pair(pair, rounds.map((side) => side[pair]!));
    }
    const rss = subjects.map((subject) => rssOf(subject.appPid()));
    const rssQuiet = report.quiet === true ? await quietRss(subjects) : subjects.map(() => null);
    report.done({ rounds, rss, rssQuiet });
    const checks: string[][] = [];
    for (const subject of subjects) checks.push(await subject.finish());
    return checks;
  } finally {
    for (const subject of subjects) await subject.cleanup();
  }
}

const rssOf = (pid: number | undefined) => (pid === undefined ? null : processRss(pid));

async function quietRss(subjects: readonly Subject[]): Promise<Array<number | null>> {
  await new Promise((resolve) => setTimeout(resolve, QUIET_SECONDS * 1000));
  return subjects.map((subject) => rssOf(subject.appPid()));
}

export async function compareScenario(scenario: Compared, sides: readonly [Side, Side], pairs: number, seconds: number, print: (text: string) => void): Promise<void> {
  const [current, ref] = sides;
  const figure = (side: Side, round: Round) => `${side.label} ${whole(round.rate)} ${scenario.rate}, ${whole(hubCpu(round))} µs CPU/${scenario.event}`;
  const side = (s: Side, r: Round[]) => `${s.label} ${whole(median(r.map((x) => x.rate)))} ${scenario.rate}, ${whole(median(r.map(hubCpu)))} µs CPU/${scenario.event}`;
  const checks = await alternate(
    sides.map((s) => scenario.subject(s.cli)),
    pairs,
    seconds,
    {
      pair: (pair, [a, b]) =>
        print(`${scenario.name} pair ${pair + 1}: ${figure(current, a!)}; ${figure(ref, b!)}; ${current.label}/${ref.label} ${ratio(a!.rate / b!.rate)}, CPU ${ratio(hubCpu(a!) / hubCpu(b!))}`),
      done: ({ rounds: [a, b] }) =>
        print(
          `${scenario.name}: ${side(current, a!)}; ${side(ref, b!)} (medians of ${pairs} round${pairs === 1 ? '' : 's'} each); ${current.label}/${ref.label}: ` +
            `throughput ${ratios(a!.map((r, i) => r.rate / b![i]!.rate))}, CPU per ${scenario.event} ${ratios(a!.map((r, i) => hubCpu(r) / hubCpu(b![i]!)))}`,
        ),
    },
  );
  for (const [k, lines] of checks.entries()) for (const text of lines) print(`  ${sides[k]!.label}: ${text.trimStart()}`);
}
