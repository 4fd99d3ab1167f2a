// npm run bench: every scenario prints the hub's figure, a bare baseline measured in the same
// run, and their ratio. Targets 127.0.0.1 only; each scenario is bounded in time.
import { clickScenario } from './clicks.js';
import { inboundHmacScenario } from './inbound-hmac.js';
import { outboundScenario } from './outbound.js';
import { inboundScenario, postgresReachable } from './inbound.js';
import { WARM_UP_SECONDS } from './lib.js';

const settings = {
  seconds: Number(process.env.BENCH_SECONDS ?? 5),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 64),
  // Partners do not pipeline; >1 only to compare with pipelined measurements.
  pipelining: Number(process.env.BENCH_PIPELINING ?? 1),
};
const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.some((o) => name.startsWith(o));

console.log(
  `postback-hub bench: ${settings.connections} connections, pipelining ${settings.pipelining}, ${settings.seconds} s per run after ${WARM_UP_SECONDS} s of warm-up, node ${process.version}`,
);
const scenarios: Array<[string, () => Promise<string[]>]> = [['inbound-sqlite', () => inboundScenario('sqlite', settings, postgresUrl)]];
if (await postgresReachable(postgresUrl)) scenarios.push(['inbound-postgres', () => inboundScenario('postgres', settings, postgresUrl)]);
else console.log(`inbound-postgres: skipped, PostgreSQL not reachable at ${postgresUrl}`);
scenarios.push(['inbound-generic-hmac', () => inboundHmacScenario(settings)]);
scenarios.push(['outbound-sqlite', () => outboundScenario('sqlite', settings, postgresUrl)]);
if (scenarios.some(([name]) => name === 'inbound-postgres')) scenarios.push(['outbound-postgres', () => outboundScenario('postgres', settings, postgresUrl)]);
scenarios.push(['click-redirect-sqlite', () => clickScenario('sqlite', settings, postgresUrl)]);
if (scenarios.some(([name]) => name === 'inbound-postgres')) scenarios.push(['click-redirect-postgres', () => clickScenario('postgres', settings, postgresUrl)]);

let failed = false;
for (const [name, run] of scenarios) {
  if (!wanted(name)) continue;
  try {
    for (const text of await run()) console.log(text);
  } catch (error) {
    failed = true;
    console.log(`${name}: failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exitCode = failed ? 1 : 0;
