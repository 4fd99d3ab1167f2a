// inbound-generic-hmac: a generic source's signed GET postback (HMAC-SHA256 over the URL, as
// offerwalls sign them), against the same requests answered by a bare node:http server.
import { createHmac } from 'node:crypto';
import { runBaseline } from './inbound.js';
import { adminPost, line, type BenchSettings } from './lib.js';
import { loadedHub, type LoadedHub } from './subject.js';

const USERS = 2000;

const path = (i: number) => `/postbacks/wall?user_id=user-${i % USERS}&transaction_id=tx-${i}&reward=10`;

/** The hub built at `cli`, on a fresh SQLite store, with the signed source set up and warmed up. */
export function inboundHmacSubject(settings: BenchSettings, postgresUrl: string, cli: string): LoadedHub {
  return loadedHub(cli, settings, postgresUrl, {
    kind: 'sqlite',
    method: 'GET',
    async seed(url) {
      const created = await adminPost(url, '/sources', {
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
      return (i) => {
        const sig = createHmac('sha256', secret).update(`${url}${path(i)}`).digest('hex');
        return { path: `${path(i)}&sig=${sig}`, headers: {} };
      };
    },
    async check(target, acked, answers) {
      const stored = new Set(await target.column("SELECT external_id FROM events WHERE source = 'wall' AND outcome = 'accepted'"));
      const missing = acked.filter((i) => !stored.has(`tx-${i}`)).length;
      return [`  checked: ${acked.length} acknowledged, ${missing} missing, ${stored.size} stored, ${answers.non2xx} non-2xx, ${answers.errors} errors`];
    },
  });
}

export async function inboundHmacScenario(settings: BenchSettings, postgresUrl: string, cli: string): Promise<string[]> {
  const hub = inboundHmacSubject(settings, postgresUrl, cli);
  try {
    await hub.start();
    const { result } = await hub.round(0, settings.seconds);
    const checked = await hub.finish();
    const baseline = await runBaseline(settings, (i) => ({ path: path(i), headers: {} }), 'GET');
    return [line('inbound-generic-hmac', result, baseline), ...checked];
  } finally {
    await hub.cleanup();
  }
}
