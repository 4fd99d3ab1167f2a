// inbound-generic-hmac: a generic source's signed GET postback (HMAC-SHA256 over the URL, as
// offerwalls sign them), against the same requests answered by a bare node:http server.
import { createHmac } from 'node:crypto';
import Database from 'better-sqlite3';
import { sqliteTarget, runBaseline, type BenchSettings } from './inbound.js';
import { adminPost, line, load, startHub, WARM_UP_SECONDS } from './lib.js';

const USERS = 2000;

export async function inboundHmacScenario(settings: BenchSettings): Promise<string[]> {
  const target = sqliteTarget();
  const hub = await startHub(target.env);
  try {
    const created = await adminPost(hub.url, '/sources', {
      slug: 'wall',
      preset: 'generic',
      overrides: {
        fields: { user: 'user_id', externalId: 'transaction_id', reward: 'reward' },
        reward: { kind: 'partner-amount' },
        auth: [{ kind: 'signature', scheme: { kind: 'hmac', algorithm: 'sha256', encoding: 'hex', location: { query: 'sig' }, message: { kind: 'url-without-signature' } } }],
      },
    });
    const secret = created.secret as string;
    // The hub sees the URL as the client addressed it: scheme://host + path + query.
    const path = (i: number) => `/postbacks/wall?user_id=user-${i % USERS}&transaction_id=tx-${i}&reward=10`;
    const nextRequest = (i: number) => {
      const sig = createHmac('sha256', secret).update(`${hub.url}${path(i)}`).digest('hex');
      return { path: `${path(i)}&sig=${sig}`, headers: {} };
    };
    const base = { url: hub.url, connections: settings.connections, pipelining: settings.pipelining, method: 'GET' as const, nextRequest };
    const warmup = await load({ ...base, seconds: WARM_UP_SECONDS, firstIndex: 0 });
    const result = await load({ ...base, seconds: settings.seconds, firstIndex: 10_000_000 });
    await hub.stop();

    const db = new Database(target.env.DATABASE_URL!.slice('sqlite:'.length), { readonly: true });
    const stored = new Set((db.prepare("SELECT external_id FROM events WHERE source = 'wall' AND outcome = 'accepted'").all() as Array<{ external_id: string }>).map((r) => r.external_id));
    db.close();
    const acked = [...warmup.acked, ...result.acked];
    const missing = acked.filter((i) => !stored.has(`tx-${i}`)).length;

    const baseline = await runBaseline(settings, (i) => ({ path: path(i), headers: {} }), 'GET');
    return [
      line('inbound-generic-hmac', result, baseline),
      `  checked: ${acked.length} acknowledged, ${missing} missing, ${stored.size} stored, ${result.non2xx} non-2xx, ${result.errors} errors`,
    ];
  } finally {
    await hub.stop();
    await target.cleanup();
  }
}
