// An inbound peer app under the inbound scenario's load: its store seeded with the hub's users
// and the hub's API secret (as a SHA-256 hash), then sent exactly the hub's requests (the same
// request for the same index), and every postback it acknowledged looked for in its store.
import { createHash } from 'node:crypto';
import { postgresCpu, processCpu } from '../cpu.js';
import { USERS } from '../inbound.js';
import type { BenchSettings } from '../lib.js';
import { loadedServer, type HubRequest, type LoadedHub } from '../subject.js';
import { MILESTONES_MODULE, startHttpPeer, type PeerApp } from './peer-process.js';
import type { PeerStore } from './peer-store.js';

export interface InboundPeerOptions {
  app: Extract<PeerApp, 'app-fastify-pg' | 'app-fastify-sqlite'>;
  /** Creates the peer's store; `postgres` counts every postgres process's CPU too. */
  store(): Promise<PeerStore>;
  postgres: boolean;
  env?: Record<string, string>;
  settings: BenchSettings;
  /** The hub's requests, once the hub is set up (the hub side starts first). */
  requests(): (i: number) => HubRequest;
}

const postbackOf = (request: HubRequest) => JSON.parse(request.body!) as { uid: string; gid: string; level_number: number };

export function inboundPeer(options: InboundPeerOptions): LoadedHub {
  let store: PeerStore | undefined;
  const key = (i: number) => {
    const { uid, gid, level_number } = postbackOf(options.requests()(i));
    return `${uid}:${gid}:${level_number}`;
  };
  return loadedServer({
    settings: options.settings,
    method: 'POST',
    async start() {
      const request = options.requests();
      const users = [...new Set(Array.from({ length: USERS }, (_, i) => postbackOf(request(i)).uid))];
      const secret = /^Bearer (.+)$/.exec(request(0).headers.authorization ?? '')?.[1];
      if (secret === undefined) throw new Error("the hub's requests carry no bearer secret");
      store = await options.store();
      await store.seed(users, createHash('sha256').update(secret).digest('hex'));
      return startHttpPeer(options.app, { ...store.env, ...options.env, MILESTONES_MODULE });
    },
    seed: () => Promise.resolve(options.requests()),
    processes: (running) => ({ app: () => processCpu(running.pid), ...(options.postgres ? { PostgreSQL: postgresCpu } : {}) }),
    async check(acked, answers) {
      const { stored, duplicates, badBalances } = await store!.inspect();
      const missing = acked.filter((i) => !stored.has(key(i))).length;
      return [
        `  checked: ${acked.length} acknowledged, ${missing} missing, ${stored.size} stored, ${duplicates} duplicates, ` +
          `${badBalances} balances off their ledger, ${answers.non2xx} non-2xx, ${answers.errors} errors`,
      ];
    },
    remove: async () => store?.cleanup(),
  });
}
