// peers-inbound-postgres: the hub's POST /api/postback on PostgreSQL (bench/inbound.ts, pool of
// 32) against Fastify + pg (pool of 16) doing the same work, each in its own schema of `test`.
import { inboundSubject } from '../inbound.js';
import { CLI, type BenchSettings } from '../lib.js';
import { inboundPeer } from './inbound-peer.js';
import { postgresPeerStore } from './peer-store.js';
import { peersScenario, type PeerScenario } from './report.js';

export function inboundPostgresPeers(settings: BenchSettings, postgresUrl: string): PeerScenario {
  return peersScenario('peers-inbound-postgres', { event: 'req', rate: 'req/s' }, () => {
    const hub = inboundSubject('postgres', settings, postgresUrl, CLI);
    const peer = inboundPeer({
      app: 'app-fastify-pg',
      store: () => postgresPeerStore(postgresUrl),
      postgres: true,
      env: { POOL_SIZE: '16' },
      settings,
      requests: () => (i) => hub.request(i),
    });
    return [
      { label: 'hub', subject: hub },
      { label: 'fastify+pg', subject: peer },
    ];
  });
}
