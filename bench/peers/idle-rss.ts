// peers-idle-rss: the hub's resident memory with nothing to do, on each store: read once it
// answers /readyz, and again after BENCH_IDLE_SECONDS without load (V8 gives back the heap its
// start-up grew only once it has been idle a while). What a drain leaves behind is the
// "RSS … later" figure of each peers scenario.
import { processRss } from '../cpu.js';
import { startHub } from '../lib.js';
import { newTarget } from '../targets.js';
import { mb, type PeerScenario } from './report.js';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);

export function idleRssPeers(kinds: ReadonlyArray<'sqlite' | 'postgres'>, postgresUrl: string): PeerScenario {
  return {
    name: 'peers-idle-rss',
    async run(_pairs, _seconds, print) {
      for (const kind of kinds) {
        const target = await newTarget(kind, postgresUrl);
        try {
          const hub = await startHub(target.env);
          try {
            const started = processRss(hub.pid);
            await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
            print(`peers-idle-rss ${kind}: hub RSS ${mb(started)} once ready, ${mb(processRss(hub.pid))} after ${IDLE_SECONDS} s idle`);
          } finally {
            await hub.stop();
          }
        } finally {
          await target.cleanup();
        }
      }
    },
  };
}
