// Where does an inbound postback's time go? Runs the built hub, drives it like the inbound
// bench, and prints CPU per request for each of the hub's threads (from /proc, so kernel time
// counts), PostgreSQL's, and the group-commit statistics. Linux only.
//   node --import tsx bench/diagnose.ts [connections] [pipelining] [sqlite|postgres]
import { postgresCpu, threadCpu } from './cpu.js';
import { adminPost, load, startHub } from './lib.js';
import { newTarget } from './targets.js';

const connections = Number(process.argv[2] ?? 64);
const pipelining = Number(process.argv[3] ?? 1);
const kind = process.argv[4] === 'postgres' ? 'postgres' : 'sqlite';
const target = await newTarget(kind, process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const hub = await startHub(target.env);
try {
  const { pid } = hub;
  await adminPost(hub.url, '/apps', { pid: 'p' });
  await adminPost(hub.url, '/offers', { id: 'g' });
  const users: string[] = [];
  for (let i = 0; i < 500; i++) users.push((await adminPost(hub.url, '/users', {})).id);
  const { secret } = await adminPost(hub.url, '/api-secrets', {});
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${secret}` };

  const threads = () => threadCpu(pid);
  const commits = async () => {
    const m = await (await fetch(`${hub.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(m)?.[1] ?? 0);
    return { batches: value('postback_hub_store_commit_batch_size_count'), writes: value('postback_hub_store_commit_batch_size_sum'), seconds: value('postback_hub_store_commit_duration_seconds_sum') };
  };
  const before = threads();
  const pg0 = kind === 'postgres' ? postgresCpu() : null;
  const c0 = await commits();
  const result = await load({
    url: hub.url,
    connections,
    pipelining,
    seconds: 5,
    method: 'POST',
    nextRequest: (i) => ({ path: '/api/postback', headers, body: JSON.stringify({ pid: 'p', uid: users[i % 500], gid: 'g', level_number: Math.floor(i / 500) + 1 }) }),
  });
  const after = threads();
  const pg1 = kind === 'postgres' ? postgresCpu() : null;
  const c1 = await commits();
  console.log(`${Math.round(result.rps)} req/s, p99 ${result.p99} ms, ${connections} connections, pipelining ${pipelining}`);
  for (const [t, micros] of after) {
    const used = micros - (before.get(t) ?? 0);
    if (used > 20_000) console.log(`  thread ${t}: ${(used / 1e6).toFixed(2)} s CPU, ${(used / result.total).toFixed(0)} µs per request`);
  }
  if (pg0 !== null && pg1 !== null) console.log(`  PostgreSQL: ${((pg1 - pg0) / result.total).toFixed(0)} µs per request`);
  const batches = c1.batches - c0.batches;
  console.log(`  group commit: ${batches} commits, ${((c1.writes - c0.writes) / batches).toFixed(1)} writes each, ${(((c1.seconds - c0.seconds) / batches) * 1000).toFixed(2)} ms round trip each`);
} finally {
  await hub.stop();
  await target.cleanup();
}
