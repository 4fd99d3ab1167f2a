// Peer app (its own process, started by bench/peers/outbound-postgres.ts): outbound delivery as
// a Node engineer would write it with graphile-worker instead of the hub, tuned for throughput
// as its performance guide says: 32 concurrent jobs, a local queue of 500 jobs fetched at once,
// completions batched (completeJobBatchDelay 0), prepared statements. Its one task sends the
// hub's request (GET, the same URL shape and headers) to the receiver with undici; a status
// other than 2xx fails the job (graphile retries it). The bench queues the jobs while no runner
// is up, then says `run` (a runner starts: the drain begins) and `stop` once they are counted.
import { run, type Runner, type Task } from 'graphile-worker';
import pg from 'pg';
import { request } from 'undici';
import { quietLogger } from './graphile-logger.js';

const CONCURRENCY = 32;
const receiver = process.env.RECEIVER_URL!;

// One pool for every runner of this process (the docs: concurrency + 1 connections); its error
// handlers are the ones graphile-worker asks a given pool to have.
const pgPool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: CONCURRENCY + 1 });
pgPool.on('error', (error) => console.error(`graphile peer pool: ${error.message}`));
pgPool.on('connect', (client) => client.on('error', (error) => console.error(`graphile peer client: ${error.message}`)));

interface Delivery {
  user: string;
  id: string;
  at: string;
}

const deliver: Task = async (payload) => {
  const { user, id, at } = payload as Delivery;
  const url = `${receiver}/hook?user=${encodeURIComponent(user)}&event=registration&id=${id}&at=${encodeURIComponent(at)}`;
  const { statusCode, body } = await request(url, { headers: { 'user-agent': 'graphile-peer', 'idempotency-key': id } });
  await body.dump();
  if (statusCode < 200 || statusCode >= 300) throw new Error(`receiver answered ${statusCode}`);
};

const start = () =>
  run({
    pgPool,
    noHandleSignals: true,
    taskList: { deliver },
    preset: {
      worker: {
        schema: process.env.GRAPHILE_SCHEMA!,
        logger: quietLogger,
        concurrentJobs: CONCURRENCY,
        localQueue: { size: 500 },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
        preparedStatements: true,
      },
    },
  });

let runner: Runner | undefined;

async function handle(message: string): Promise<void> {
  if (message === 'run') {
    runner ??= await start();
    process.send!('running');
  } else if (message === 'stop') {
    await runner?.stop();
    runner = undefined;
    process.send!('stopped');
  }
}

process.on('message', (message) => {
  handle(String(message)).catch((error: unknown) => {
    console.error(`graphile peer: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
});
process.once('SIGTERM', () => {
  void (runner?.stop() ?? Promise.resolve())
    .then(() => pgPool.end())
    .then(() => process.exit(0));
});
// The bench gone without a word: nothing is left to do.
process.once('disconnect', () => process.exit(0));
process.send!('ready');
