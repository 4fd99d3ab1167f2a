import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { buildApp } from '../http/app.js';
import type { LingerLimits } from '../http/lingering-close.js';
import { createMetrics, type Metrics } from '../http/metrics.js';
import type { App } from '../http/types.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { SecretBox } from '../lib/secret-box.js';
import { recordSecretKey, verifySecretKey } from './secret-key.js';
import { VERSION } from './version.js';
import { openStore } from '../db/open.js';
import type { Store } from '../store/store.js';

export interface Hub {
  app: Awaited<ReturnType<typeof buildApp>>;
  store: Store;
  metrics: Metrics;
  /**
   * Takes up the work once the process is committed to running: the database takes the key's
   * fingerprint (see secret-key.ts), and the delivery worker and retention start.
   */
  start(): Promise<void>;
  /** Graceful stop: refuse new requests, finish those in flight, flush the group commit, close the store. */
  close(): Promise<void>;
}

export interface HubOptions {
  /** Run the delivery worker in this process (default true). */
  worker?: boolean;
  adminToken: string;
  /** Encrypts source secrets at rest: 32 bytes as base64. */
  secretKey: string;
  logger?: FastifyBaseLogger;
  clock?: Clock;
  /** PostgreSQL only: run inside this schema (tests). */
  schema?: string;
  /** How much of a body is drained after an early answer (tests; default LINGER_LIMITS). */
  linger?: LingerLimits;
}

/** How long a graceful stop waits for in-flight requests before cutting connections. */
const DRAIN_DEADLINE_MS = 10_000;

/**
 * Stops the HTTP side: no new connections, in-flight requests finish. Node reaps idle
 * keep-alive connections only once, when close() starts; a connection that was busy then and
 * goes idle afterwards would hold close() open forever, so idle ones are reaped until the
 * server has closed, and whatever is left at the deadline is cut.
 */
async function drain(app: App, deadlineMs: number): Promise<void> {
  const started = Date.now();
  const reaper = setInterval(() => {
    if (Date.now() - started > deadlineMs) app.server.closeAllConnections();
    else app.server.closeIdleConnections();
  }, 50);
  try {
    await app.close();
  } finally {
    clearInterval(reaper);
  }
}

/**
 * Prunes in the background, a batch at a time, so the store does not grow without bound and
 * no statement holds a lock for long. Ledger entries and events' essential fields stay.
 */
function startRetention(store: Store, clock: Clock, days: number, log: { warn: (o: object, m: string) => void }): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      try {
        const before = clock.now() - days * 86_400_000;
        for (let i = 0; i < 20 && (await store.prune(before, 500)) > 0; i++);
      } catch (error) {
        log.warn({ err: error }, 'retention pass failed; will try again');
      } finally {
        running = false;
      }
    })();
  }, 60_000);
  timer.unref();
  return timer;
}

/** The composition root: store, services and HTTP app, wired once. */
export async function createHub(config: Config, options: HubOptions): Promise<Hub> {
  const metrics = createMetrics();
  const store = await openStore(config.database, {
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    exclusive: true,
    onCommit: (size, seconds, ok) => {
      metrics.commitBatchSize.observe(size);
      metrics.commitDuration.observe({ ok: String(ok) }, seconds);
    },
  });
  const clock = options.clock ?? systemClock;
  const box = SecretBox.fromText(options.secretKey);
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    await verifySecretKey(store, box);
    app = await buildApp({
      store,
      metrics,
      clock,
      adminToken: options.adminToken,
      metricsToken: config.metricsToken,
      secretKey: options.secretKey,
      publicUrl: config.publicUrl,
      trustProxy: config.trustProxy,
      outboundAllow: config.outboundAllow,
      deliveryLeaseMs: config.deliveryLeaseMs,
      maxBodyBytes: config.maxBodyBytes,
      rawBodyLimit: config.rawBodyLimit,
      logger: options.logger,
      ...(options.linger === undefined ? {} : { linger: options.linger }),
      version: VERSION,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  let retention: NodeJS.Timeout | null = null;
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    metrics,
    async start() {
      await recordSecretKey(store, box, clock.now());
      if (options.worker !== false) app.deliveryWorker.start();
      if (config.retentionDays > 0) retention = startRetention(store, clock, config.retentionDays, app.log);
    },
    close() {
      closing ??= (async () => {
        if (retention !== null) clearInterval(retention);
        await drain(app, DRAIN_DEADLINE_MS);
        await app.deliveryWorker.stop();
        await app.sender.close();
        await store.close();
      })();
      return closing;
    },
  };
}
