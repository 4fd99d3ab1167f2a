// npm run bench -- --against <ref>: each scenario's load on two builds of the hub, the current
// one and a git ref's, in alternating rounds (current, ref, current, ref, …). Both hubs are up
// for the whole scenario, each on its own store, and only one is under load at a time; each
// round of the current build is paired with the ref's round right after it, so the machine's
// drift between pairs cancels out of each pair's ratio.
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

const whole = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : 'n/a');
const ratio = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const ratios = (values: number[]) => `${ratio(median(values))} (pairs ${values.map(ratio).join(', ')})`;

export async function compareScenario(scenario: Compared, sides: readonly [Side, Side], pairs: number, seconds: number, print: (text: string) => void): Promise<void> {
  const [current, ref] = sides;
  const subjects = sides.map((side) => scenario.subject(side.cli));
  const figure = (side: Side, round: Round) => `${side.label} ${whole(round.rate)} ${scenario.rate}, ${whole(hubCpu(round))} µs CPU/${scenario.event}`;
  try {
    for (const subject of subjects) await subject.start();
    const rounds: [Round[], Round[]] = [[], []];
    for (let pair = 0; pair < pairs; pair++) {
      for (const [k, subject] of subjects.entries()) rounds[k as 0 | 1].push(await subject.round(pair, seconds));
      const [a, b] = [rounds[0][pair]!, rounds[1][pair]!];
      print(`${scenario.name} pair ${pair + 1}: ${figure(current, a)}; ${figure(ref, b)}; ${current.label}/${ref.label} ${ratio(a.rate / b.rate)}, CPU ${ratio(hubCpu(a) / hubCpu(b))}`);
    }
    const [a, b] = rounds;
    const side = (s: Side, r: Round[]) => `${s.label} ${whole(median(r.map((x) => x.rate)))} ${scenario.rate}, ${whole(median(r.map(hubCpu)))} µs CPU/${scenario.event}`;
    print(
      `${scenario.name}: ${side(current, a)}; ${side(ref, b)} (medians of ${pairs} round${pairs === 1 ? '' : 's'} each); ${current.label}/${ref.label}: ` +
        `throughput ${ratios(a.map((r, i) => r.rate / b[i]!.rate))}, CPU per ${scenario.event} ${ratios(a.map((r, i) => hubCpu(r) / hubCpu(b[i]!)))}`,
    );
    for (const [k, subject] of subjects.entries()) for (const text of await subject.finish()) print(`  ${sides[k]!.label}: ${text.trimStart()}`);
  } finally {
    for (const subject of subjects) await subject.cleanup();
  }
}
