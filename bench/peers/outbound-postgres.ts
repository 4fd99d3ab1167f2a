// peers-outbound-postgres: the hub's outbound drain on PostgreSQL (bench/outbound.ts: a backlog
// of 10,000 behind a paused destination, resumed) against graphile-worker (app-graphile.ts):
// 10,000 jobs queued with addJobs while no runner is up, then a runner started; each drain
// timed until the receiver has counted them all. Both send to the same receiver (the hub
// side's), whose CPU is printed outside each side's own. Checked after the rounds: every
// delivery succeeded with one attempt (hub); the receiver counted each drain's jobs exactly and
// no job is left in graphile-worker's queue (peer).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import { cpuPerRequest, postgresCpu, processCpu } from '../cpu.js';
import { CLI } from '../lib.js';
import { BACKLOG, outboundSubject, WARM_UP, type Receiver } from '../outbound.js';
import type { Round, Subject } from '../subject.js';
import { quietLogger } from './graphile-logger.js';
import { startMessagedPeer, type MessagedPeer } from './peer-process.js';
import { peersScenario, type PeerScenario } from './report.js';

const JOBS_PER_CALL = 10_000;

async function queue(utils: WorkerUtils, n: number): Promise<void> {
  for (let done = 0; done < n; done += JOBS_PER_CALL) {
    const at = new Date().toISOString();
    const jobs = Array.from({ length: Math.min(JOBS_PER_CALL, n - done) }, () => ({
      identifier: 'deliver',
      payload: { user: `u-${randomUUID()}`, id: randomUUID(), at },
    }));
    await utils.addJobs(jobs);
  }
}

function graphileWorker(postgresUrl: string, receiver: () => Receiver): Subject {
  const schema = `peer_graphile_${process.pid}_${Date.now()}`;
  let utils: WorkerUtils | undefined;
  let peer: MessagedPeer | undefined;
  const drains: Array<{ jobs: number; counted: number }> = [];

  const drain = async (n: number): Promise<Round> => {
    const worker = peer!;
    const into = receiver();
    await queue(utils!, n);
    await into.reset();
    const cpu = cpuPerRequest({ app: () => processCpu(worker.pid), PostgreSQL: postgresCpu, receiver: () => processCpu(into.pid) });
    const started = performance.now();
    await worker.ask('run');
    const deadline = Date.now() + 120_000;
    while ((await into.count()) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const seconds = (performance.now() - started) / 1000;
    const used = cpu(n);
    await worker.ask('stop');
    const counted = await into.count();
    if (counted < n) throw new Error(`graphile-worker drained ${counted} of ${n} in 120 s`);
    drains.push({ jobs: n, counted });
    return { rate: n / seconds, cpu: used };
  };

  return {
    appPid: () => peer?.pid,
    async start() {
      utils = await makeWorkerUtils({ connectionString: postgresUrl, schema, logger: quietLogger });
      await utils.migrate();
      peer = await startMessagedPeer('app-graphile', { DATABASE_URL: postgresUrl, GRAPHILE_SCHEMA: schema, RECEIVER_URL: receiver().url });
      await drain(WARM_UP);
    },
    round: () => drain(BACKLOG),
    async finish() {
      await peer!.stop();
      const left = await utils!.withPgClient((client) => client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"._private_jobs`));
      const off = drains.filter((d) => d.counted !== d.jobs).length;
      const jobs = drains.reduce((sum, d) => sum + d.jobs, 0);
      const counted = drains.reduce((sum, d) => sum + d.counted, 0);
      return [`  checked: ${drains.length} drains of ${jobs} jobs, the receiver counted ${counted} (${off} drains off their count), ${left.rows[0]!.n} jobs left in the queue`];
    },
    async cleanup() {
      await peer?.stop();
      if (utils === undefined) return;
      await utils.withPgClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      await utils.release();
    },
  };
}

export function outboundPostgresPeers(postgresUrl: string): PeerScenario {
  return peersScenario('peers-outbound-postgres', { event: 'delivery', rate: 'deliveries/s' }, () => {
    const hub = outboundSubject('postgres', postgresUrl, CLI);
    const hubSide: Subject = { ...hub, finish: async () => [...(await hub.finish()), await hub.checkDeliveries()] };
    return [
      { label: 'hub', subject: hubSide },
      { label: 'graphile-worker', subject: graphileWorker(postgresUrl, () => hub.receiver()) },
    ];
  });
}
