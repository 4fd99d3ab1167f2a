// Peer app (its own process, started by bench/peers/inbound-peer.ts): the partner postback API
// as a Node engineer would write it on PostgreSQL instead of the hub. Fastify with a JSON schema
// for the body, the API secret checked against its stored SHA-256 (read once at start), and each
// postback in one transaction on a pg.Pool of 16: the postback row (ON CONFLICT DO NOTHING on
// its unique user, game and level), and on a milestone level a ledger row and the user's
// balance. Answers 200 once committed. Nothing logged (Fastify's default).
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import pg from 'pg';
import type * as Milestones from '../../src/features/level-postbacks/milestones.js';
import { POSTBACK_BODY, type Postback } from './postback-body.js';

const { milestoneCoins } = (await import(process.env.MILESTONES_MODULE!)) as typeof Milestones;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 16) });
const secretHash = Buffer.from((await pool.query<{ hash: string }>('SELECT hash FROM api_secrets')).rows[0]!.hash, 'hex');

async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const secret = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (secret === undefined || !timingSafeEqual(createHash('sha256').update(secret).digest(), secretHash)) {
    await reply.code(401).send({ ok: false, error: 'invalid API secret' });
  }
}

/** The postback and its credit in one transaction; the new balance, or null when nothing was credited; undefined for a duplicate. */
async function record({ pid, uid, gid, level_number: level }: Postback, coins: number): Promise<number | null | undefined> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const inserted = await client.query<{ id: string }>(
      'INSERT INTO postbacks (uid, gid, level, pid, created_at) VALUES ($1, $2, $3, $4, now()) ON CONFLICT (uid, gid, level) DO NOTHING RETURNING id',
      [uid, gid, level, pid],
    );
    let balance: number | null | undefined = inserted.rows.length === 0 ? undefined : null;
    if (inserted.rows.length === 1 && coins > 0) {
      await client.query('INSERT INTO ledger (uid, postback_id, delta, created_at) VALUES ($1, $2, $3, now())', [uid, inserted.rows[0]!.id, coins]);
      balance = Number((await client.query<{ coins: string }>('UPDATE users SET coins = coins + $2 WHERE id = $1 RETURNING coins', [uid, coins])).rows[0]!.coins);
    }
    await client.query('COMMIT');
    return balance;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

const app = Fastify();
app.get('/healthz', () => ({ ok: true }));
app.post('/api/postback', { onRequest: authenticate, schema: { body: POSTBACK_BODY } }, async (request, reply) => {
  const postback = request.body as Postback;
  const coins = milestoneCoins(postback.level_number);
  let balance: number | null | undefined;
  try {
    balance = await record(postback, coins);
  } catch (error) {
    // 23503: the user is not there (the foreign key).
    if ((error as { code?: string }).code === '23503') return reply.code(404).send({ ok: false, error: 'unknown uid' });
    throw error;
  }
  const { pid, gid, level_number } = postback;
  if (balance === undefined) return { ok: true, awarded: false, duplicate: true, pid, gid, level_number };
  return { ok: true, awarded: coins > 0, milestone: coins > 0, pid, gid, level_number, coinDelta: coins, ...(balance === null ? {} : { coins: balance }) };
});

await app.listen({ host: process.env.HOST, port: Number(process.env.PORT) });
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
