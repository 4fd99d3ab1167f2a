import pg from 'pg';

// Test schemas are dropped once, after every file has run: dropping one while another test
// migrates (Kysely's migrator looks at every schema's tables) fails that migration. Only the
// schemas of this run and of runs that have ended: another test run on the same database (a
// developer's beside CI's) keeps its own.
const URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function dropTestSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch {
    return; // no PostgreSQL: nothing to drop (and the suites that need it say so)
  }
  try {
    const { rows } = await client.query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE nspname ~ '^t_[0-9]+_[a-z0-9]+$'");
    for (const { name } of rows) {
      const pid = Number(name.split('_')[1]);
      if (pid === process.pid || !alive(pid)) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    }
  } finally {
    await client.end();
  }
}

/** The test run that named a schema (`t_<pid>_…`) is still running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function setup(): Promise<void> {
  // The run's schemas are named after this process (the test files run in its child processes).
  process.env.TEST_RUN_PID = String(process.pid);
  await dropTestSchemas();
}

export async function teardown(): Promise<void> {
  await dropTestSchemas();
}
