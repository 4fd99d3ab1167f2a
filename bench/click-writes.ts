// What recording a click costs the SQLite writer, index by index. The hub's own migrations
// build the schema, the hub's own recordClicks writes batches of clicks the way the writer
// thread does (one transaction, a savepoint, synchronous=FULL), and each variant drops one
// index of the clicks table. Variants alternate, so the machine's drift hits each alike.
//   node --import tsx bench/click-writes.ts [clicks per variant and round]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { newClickId } from '../src/features/clicks/clicks-service.js';
import { recordClicks, type ClickRow } from '../src/features/clicks/clicks-sql.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { openSqlite } from '../src/db/sqlite/connection.js';
import { sqliteExecutor } from '../src/db/sqlite/executor.js';
import { median } from './lib.js';

const CLICKS = Number(process.argv[2] ?? 150_000);
const BATCH = 300; // about what 10 ms of clicks plus a commit's time hold at 20-30k clicks/s
const USERS = 5000; // as in the click-redirect bench
const ROUNDS = 3;
const VARIANTS = ['all indexes', 'without clicks_user_offer', 'without clicks_created', 'without clicks_ip', 'without clicks_link'] as const;

/** CPU per click (µs) of the last two thirds of CLICKS written into a fresh database. */
async function run(variant: (typeof VARIANTS)[number]): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postback-hub-click-writes-'));
  try {
    const file = path.join(dir, 'hub.db');
    const migrations = new Kysely<unknown>({ dialect: new SqliteDialect({ database: openSqlite(file, 'writer') }) });
    await migrateToLatest(migrations, 'sqlite');
    await migrations.destroy();
    const db = openSqlite(file, 'writer');
    if (variant !== 'all indexes') db.exec(`DROP INDEX ${variant.slice('without '.length)}`);
    const executor = sqliteExecutor(db, new Set());
    let micros = 0;
    const started = Date.now();
    for (let written = 0; written < CLICKS; written += BATCH) {
      const rows = Array.from({ length: BATCH }, (_, k): ClickRow => {
        const i = written + k;
        const at = started + Math.floor(i / 20);
        return [newClickId(at), 'bench', 'gg3_quest', 'aff-1', `u${i % USERS}`, `p${i}`, '127.0.0.1', 'autocannon', JSON.stringify({ click_id: `p${i}`, user_id: `u${i % USERS}` }), at];
      });
      const before = process.cpuUsage();
      db.exec('BEGIN IMMEDIATE');
      db.exec('SAVEPOINT command');
      await recordClicks.run(executor, rows);
      db.exec('RELEASE command');
      db.exec('COMMIT');
      const used = process.cpuUsage(before);
      // The first third fills the indexes to a working size; only the rest is counted.
      if (written >= CLICKS / 3) micros += used.user + used.system;
    }
    db.close();
    return micros / (CLICKS - Math.ceil(CLICKS / 3 / BATCH) * BATCH);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const results = new Map<string, number[]>(VARIANTS.map((v) => [v, []]));
for (let round = 0; round < ROUNDS; round++) for (const variant of VARIANTS) results.get(variant)!.push(await run(variant));
console.log(`SQLite writer CPU per click (user + system, µs), ${CLICKS} clicks per run, batches of ${BATCH}, ${USERS} users; median of ${ROUNDS} alternating rounds:`);
for (const [variant, values] of results) console.log(`  ${variant.padEnd(26)} ${median(values).toFixed(1)} (${values.map((v) => v.toFixed(1)).join(', ')})`);
