// Peer app (its own process, started by bench/peers/inbound-peer.ts): the partner postback API
// as a Node engineer would write it on SQLite instead of the hub. Fastify with a JSON schema for
// the body, the API secret checked against its stored SHA-256 (read once at start), and each
// postback in one better-sqlite3 transaction on the main thread (WAL, `synchronous` FULL or
// NORMAL as SYNCHRONOUS says): the postback row (ON CONFLICT DO NOTHING on its unique user,
// game and level), and on a milestone level a ledger row and the user's balance. Answers 200
// once committed. Nothing logged (Fastify's default).
import { createHash, timingSafeEqual } from 'node:crypto';
import Database from 'better-sqlite3';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type * as Milestones from '../../src/features/level-postbacks/milestones.js';
import { POSTBACK_BODY, type Postback } from './postback-body.js';

const { milestoneCoins } = (await import(process.env.MILESTONES_MODULE!)) as typeof Milestones;
const db = new Database(process.env.DATABASE_FILE);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${process.env.SYNCHRONOUS === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
db.pragma('foreign_keys = ON');
const secretHash = Buffer.from((db.prepare('SELECT hash FROM api_secrets').get() as { hash: string }).hash, 'hex');

const insertPostback = db.prepare(
  'INSERT INTO postbacks (uid, gid, level, pid, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (uid, gid, level) DO NOTHING',
);
const insertLedger = db.prepare('INSERT INTO ledger (uid, postback_id, delta, created_at) VALUES (?, ?, ?, ?)');
const credit = db.prepare('UPDATE users SET coins = coins + ? WHERE id = ? RETURNING coins');

/** The new balance, or null when nothing was credited; undefined for a duplicate. */
const record = db.transaction(({ pid, uid, gid, level_number: level }: Postback, coins: number): number | null | undefined => {
  const now = Date.now();
  const inserted = insertPostback.run(uid, gid, level, pid, now);
  if (inserted.changes === 0) return undefined;
  if (coins === 0) return null;
  insertLedger.run(uid, inserted.lastInsertRowid, coins, now);
  return (credit.get(coins, uid) as { coins: number }).coins;
});

async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const secret = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (secret === undefined || !timingSafeEqual(createHash('sha256').update(secret).digest(), secretHash)) {
    await reply.code(401).send({ ok: false, error: 'invalid API secret' });
  }
}

const app = Fastify();
app.get('/healthz', () => ({ ok: true }));
// better-sqlite3 is synchronous: the handler is too.
app.post('/api/postback', { onRequest: authenticate, schema: { body: POSTBACK_BODY } }, (request, reply) => {
  const postback = request.body as Postback;
  const coins = milestoneCoins(postback.level_number);
  let balance: number | null | undefined;
  try {
    balance = record(postback, coins);
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return reply.code(404).send({ ok: false, error: 'unknown uid' });
    throw error;
  }
  const { pid, gid, level_number } = postback;
  if (balance === undefined) return { ok: true, awarded: false, duplicate: true, pid, gid, level_number };
  return { ok: true, awarded: coins > 0, milestone: coins > 0, pid, gid, level_number, coinDelta: coins, ...(balance === null ? {} : { coins: balance }) };
});

await app.listen({ host: process.env.HOST, port: Number(process.env.PORT) });
process.once('SIGTERM', () => {
  void app.close().then(() => {
    db.close();
    process.exit(0);
  });
});
