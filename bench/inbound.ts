// inbound-<store>: the partner postback API's POST /api/postback with distinct valid
// postbacks, against the same requests answered by a bare node:http server.
import { adminPost, line, load, startBaseline, WARM_UP_SECONDS, type BenchSettings } from './lib.js';
import { loadedHub, type HubRequest, type LoadedHub } from './subject.js';
import type { Target } from './targets.js';

export const USERS = 2000;

/** The inbound load on a seeded hub: the i-th request, and the key (`uid:gid:level`) its postback is stored under. */
export interface LevelPostbacks {
  request: (i: number) => HubRequest;
  key: (i: number) => string;
}

/**
 * Seeds a running hub (an app, an offer, USERS users, an API secret) through its admin API.
 * Request i: user i mod USERS, level i div USERS + 1 — never the same postback twice.
 */
export async function seedLevelPostbacks(url: string): Promise<LevelPostbacks> {
  const users: string[] = [];
  await adminPost(url, '/apps', { pid: 'cashgiraffe' });
  await adminPost(url, '/offers', { id: 'my_game' });
  // BENCH_APP_USERS=1: the users belong to the store app, so each credit is also an entry of its credit feed.
  const user = process.env.BENCH_APP_USERS === '1' ? { appId: 'cashgiraffe' } : {};
  for (let i = 0; i < USERS; i += 100) {
    const batch = await Promise.all(Array.from({ length: 100 }, () => adminPost(url, '/users', user)));
    users.push(...batch.map((u: { id: string }) => u.id));
  }
  const { secret } = await adminPost(url, '/api-secrets', { name: 'bench' });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${secret}` };
  return {
    request: (i) => ({
      path: '/api/postback',
      headers,
      body: JSON.stringify({ pid: 'cashgiraffe', uid: users[i % USERS], gid: 'my_game', level_number: Math.floor(i / USERS) + 1 }),
    }),
    key: (i) => `${users[i % USERS]}:my_game:${Math.floor(i / USERS) + 1}`,
  };
}

/** More set up on the seeded hub before its warm-up, and more checked after its clean stop. */
export interface InboundExtras {
  seed(hubUrl: string): Promise<void>;
  check(target: Target): Promise<string[]>;
}

/** The hub built at `cli`, on a fresh store, seeded and warmed up for the scenario's load. */
export function inboundSubject(kind: 'sqlite' | 'postgres', settings: BenchSettings, postgresUrl: string, cli: string, extras?: InboundExtras): LoadedHub {
  let postbacks: LevelPostbacks | undefined;
  return loadedHub(cli, settings, postgresUrl, {
    kind,
    method: 'POST',
    env: kind === 'postgres' ? { PG_POOL_SIZE: '32' } : {},
    async seed(url) {
      postbacks = await seedLevelPostbacks(url);
      await extras?.seed(url);
      return postbacks.request;
    },
    async check(target, acked, answers) {
      const { accepted, duplicates, badBalances } = await target.inspect();
      const missing = acked.filter((i) => !accepted.has(postbacks!.key(i))).length;
      return [
        `  checked: ${acked.length} acknowledged, ${missing} missing, ${accepted.size} stored, ${duplicates} duplicates, ` +
          `${badBalances} balances off their ledger, ${answers.non2xx} non-2xx, ${answers.errors} errors`,
        ...((await extras?.check(target)) ?? []),
      ];
    },
  });
}

export async function inboundScenario(kind: 'sqlite' | 'postgres', settings: BenchSettings, postgresUrl: string, cli: string): Promise<string[]> {
  const hub = inboundSubject(kind, settings, postgresUrl, cli);
  try {
    await hub.start();
    const { result } = await hub.round(0, settings.seconds);
    const checked = await hub.finish();
    const baseline = await runBaseline(settings, (i) => hub.request(i));
    return [line(`inbound-${kind}`, result, baseline), ...checked];
  } finally {
    await hub.cleanup();
  }
}

export async function runBaseline(settings: BenchSettings, nextRequest: (i: number) => HubRequest, method: 'GET' | 'POST' = 'POST') {
  const baseline = await startBaseline();
  try {
    const base = { url: baseline.url, connections: settings.connections, pipelining: settings.pipelining, method, nextRequest };
    await load({ ...base, seconds: WARM_UP_SECONDS });
    return await load({ ...base, seconds: settings.seconds });
  } finally {
    await baseline.stop();
  }
}
