// peers-inbound-sqlite: the hub's POST /api/postback on SQLite (bench/inbound.ts) against
// Fastify + better-sqlite3 doing the same work, a transaction per request in WAL mode: once
// with synchronous=FULL (durable at the answer, as the hub is) and once with NORMAL (a power
// loss may take back the last transactions: what many apps run with).
import { inboundSubject } from '../inbound.js';
import { CLI, type BenchSettings } from '../lib.js';
import { inboundPeer } from './inbound-peer.js';
import { sqlitePeerStore } from './peer-store.js';
import { peersScenario, type PeerScenario } from './report.js';

export function inboundSqlitePeers(settings: BenchSettings, postgresUrl: string): PeerScenario {
  return peersScenario('peers-inbound-sqlite', { event: 'req', rate: 'req/s' }, () => {
    const hub = inboundSubject('sqlite', settings, postgresUrl, CLI);
    const peer = (synchronous: 'FULL' | 'NORMAL') =>
      inboundPeer({
        app: 'app-fastify-sqlite',
        store: () => Promise.resolve(sqlitePeerStore()),
        postgres: false,
        env: { SYNCHRONOUS: synchronous },
        settings,
        requests: () => (i) => hub.request(i),
      });
    return [
      { label: 'hub', subject: hub },
      { label: 'fastify+sqlite FULL', subject: peer('FULL') },
      { label: 'fastify+sqlite NORMAL', subject: peer('NORMAL') },
    ];
  });
}
