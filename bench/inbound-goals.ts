// inbound-goals-<store>: the inbound load (bench/inbound.ts) on two hubs of the same build, one
// with 10 goals that every level postback advances and one with none, in alternating rounds (the
// goals side first in each pair). An event costs one statement more per goal it advances (an
// upsert of the user's progress, features/goals/goal-sql.ts); none of these goals completes
// during a run (checked), so goals/none is the cost of advancing them and nothing else.
import { inboundSubject, type InboundExtras } from './inbound.js';
import { adminPost, CLI, type BenchSettings } from './lib.js';
import { peersScenario, type PeerScenario } from './peers/report.js';

/**
 * A level no request reaches: request i has level i div USERS + 1, and round r's indices run
 * from (r + 1) × 10,000,000, so a run's levels stay below (BENCH_PAIRS + 1) × 5,000.
 */
const UNREACHED_LEVEL = 1_000_000;

// Each user gets ~100 postbacks in a run: no count here is reached. The conditions vary as
// operators' would (and so do the statements: a window, a repeat, a group's bits), but every
// level postback meets each goal's (a group's: all but its unreached level).
const level = { eventType: 'level' };
const count = (n: number, condition: object, more: object = {}) => ({ name: `${n} postbacks`, config: { kind: 'count', condition, count: n, ...more } });
const ALL_GOALS = [
  count(1_000_000, level),
  count(900_000, { ...level, offer: 'my_game' }),
  count(800_000, { source: 'reward-levels' }),
  count(700_000, { ...level, levelAtLeast: 1 }),
  count(600_000, level, { repeat: true }),
  count(500_000, level, { windowSeconds: 86_400 }),
  count(400_000, level, { bonusCoins: 100 }),
  count(300_000, { ...level, offer: 'my_game', source: 'reward-levels' }),
  { name: 'level 1 to the unreached', config: { kind: 'all', conditions: [{ ...level, levelAtLeast: 1 }, { ...level, levelAtLeast: UNREACHED_LEVEL }] } },
  {
    name: 'the game, then the unreached',
    config: { kind: 'all', conditions: [{ ...level, offer: 'my_game' }, { source: 'reward-levels', levelAtLeast: 1 }, { ...level, levelAtLeast: UNREACHED_LEVEL }], windowSeconds: 86_400 },
  },
];
/** BENCH_GOALS=n: the first n of them, to see what the count of goals changes. */
const GOALS = ALL_GOALS.slice(0, Number(process.env.BENCH_GOALS ?? ALL_GOALS.length));

/** Every user's progress toward every goal equals their accepted postbacks when each advanced each goal once. */
const PROGRESS_OFF = `SELECT count(*) FROM goal_progress p
  LEFT JOIN (SELECT user_id, count(*) AS n FROM events WHERE source = 'reward-levels' AND outcome = 'accepted' GROUP BY user_id) e ON e.user_id = p.user_id
  WHERE p.count <> coalesce(e.n, 0)`;

const goals: InboundExtras = {
  async seed(url) {
    for (const goal of GOALS) await adminPost(url, '/goals', goal);
  },
  async check(target) {
    const [rows] = await target.column('SELECT count(*) FROM goal_progress');
    const [users] = await target.column("SELECT count(DISTINCT user_id) FROM events WHERE source = 'reward-levels' AND outcome = 'accepted'");
    const [off] = await target.column(PROGRESS_OFF);
    const [completed] = await target.column("SELECT count(*) FROM events WHERE type = 'goal'");
    return [
      `  progress: ${rows} rows (${GOALS.length} × ${users} users with postbacks), ${off} counting other than the user's accepted postbacks; ${completed} goals completed`,
    ];
  },
};

export function inboundGoalsScenario(kind: 'sqlite' | 'postgres', settings: BenchSettings, postgresUrl: string): PeerScenario {
  const name = `inbound-goals-${kind}`;
  const scenario = peersScenario(
    name,
    { event: 'postback', rate: 'req/s' },
    () => [
      { label: 'goals', subject: inboundSubject(kind, settings, postgresUrl, CLI, goals) },
      { label: 'none', subject: inboundSubject(kind, settings, postgresUrl, CLI) },
    ],
    { quiet: false },
  );
  return {
    name,
    run(pairs, seconds, print) {
      print(
        `${name}: inbound-${kind}'s load on two hubs of this build, ${GOALS.length} goal${GOALS.length === 1 ? '' : 's'} that every level postback advances against none, ` +
          `${pairs} alternating round${pairs === 1 ? '' : 's'} each (goals first); no goal completes during the run, so goals/none is the cost of advancing them alone`,
      );
      return scenario.run(pairs, seconds, print);
    },
  };
}
