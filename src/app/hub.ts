import { FEED_CHANNEL } from '../features/reward-app/feed-sql.js';
import type { FastifyBaseLogger } from 'fastify';
import { openDatabase } from '../db/open.js';
import { startRetention } from '../features/retention/retention.js';
import { PROCEDURES_MODULE, procedures, type HubDb } from '../features/procedures.js';
import { buildHttp } from '../http/app.js';
import { buildOpsApp } from '../http/ops-app.js';
import type { LingerLimits } from '../http/lingering-close.js';
import { createMetrics, registerDeliveryGauges, type Metrics } from '../http/metrics.js';
import type { App } from '../http/types.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { SecretBox } from '../lib/secret-box.js';
import type { Config } from './config.js';
import { recordSecretKey, verifySecretKey } from './secret-key.js';
import { buildServices, type Log, type Services } from './services.js';
import { startTelemetry, type Telemetry } from './telemetry.js';
import { VERSION } from './version.js';

export interface Hub {
  /** The HTTP app; null in a process that only delivers (`http: false`). */
  app: App | null;
  /**
   * A process that only delivers: its /healthz, /readyz and /metrics, when WORKER_HEALTH_PORT
   * is set (listening, on that port, is the caller's business); otherwise null.
   */
  ops: App | null;
  db: HubDb;
  services: Services;
  metrics: Metrics;
  /**
   * Takes up the work once the process is committed to running: the database takes the key's
   * fingerprint (see secret-key.ts), and the delivery worker and retention start.
   */
  start(): Promise<void>;
  /** Graceful stop: refuse new requests, finish those in flight, flush the group commit, close the store, send the last spans. */
  close(): Promise<void>;
}

export interface HubOptions {
  /** Run the delivery worker in this process (default true). */
  worker?: boolean;
  /** Serve HTTP (default true); a worker-only process builds no HTTP app, only its probes (`ops`) when WORKER_HEALTH_PORT is set. */
  http?: boolean;
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

/**
 * How often a process re-reads every source's credential names from a shared PostgreSQL
 * database. A source another process changed is re-read sooner, when its postbacks arrive
 * (the intake's one-second cache): this is for its secret arriving anywhere else.
 */
const CREDENTIAL_NAMES_REFRESH_MS = 10_000;

const SILENT: Log = { error: () => {}, warn: () => {} };

/** How long a graceful stop waits for in-flight requests before cutting connections. */
const DRAIN_DEADLINE_MS = 10_000;

/**
 * Stops the HTTP side: no new connections, in-flight requests finish. Node reaps idle
 * keep-alive connections only once, when close() starts; a connection that was busy then and
 * goes idle afterwards would hold close() open forever, so idle ones are reaped until the
 * server has closed, and whatever is left at the deadline is cut.
 */
async function drain(app: App, deadlineMs: number): Promise<void> {
  const started = performance.now();
  const reaper = setInterval(() => {
    if (performance.now() - started > deadlineMs) app.server.closeAllConnections();
    else app.server.closeIdleConnections();
  }, 50);
  try {
    await app.close();
  } finally {
    clearInterval(reaper);
  }
}

/** The composition root: the database, the services, the worker and the HTTP app, wired once. */
export async function createHub(config: Config, options: HubOptions): Promise<Hub> {
  const log: Log = options.logger ?? SILENT;
  // First: the HTTP app, built below, traces its intakes only if a provider is registered by then.
  const telemetry = startTelemetry(config.tracing, log);
  const metrics = createMetrics();
  let db: HubDb;
  try {
    db = await openMeasuredDatabase(config, options, metrics);
  } catch (error) {
    await telemetry?.shutdown();
    throw error;
  }
  const clock = options.clock ?? systemClock;
  const box = SecretBox.fromText(options.secretKey);
  let services: Services;
  let servers: Servers;
  try {
    await verifySecretKey(db, box);
    services = buildServices(db, {
      clock,
      metrics,
      log,
      secretKey: options.secretKey,
      outboundAllow: config.outboundAllow,
      deliveryLeaseMs: config.deliveryLeaseMs,
      rawBodyLimit: config.rawBodyLimit,
      sessions: { idleMs: config.sessionIdleMinutes * 60_000, absoluteMs: config.sessionMaxHours * 3600_000 },
      smtp: config.smtp,
    });
    await services.sources.readCredentialNames();
    servers = await buildServers(config, options, { services, db, metrics });
  } catch (error) {
    await db.close();
    await telemetry?.shutdown();
    throw error;
  }
  registerDeliveryGauges(metrics, services.deliveries, () => clock.now());
  return { ...servers, db, services, metrics, ...lifecycle({ config, options, db, services, servers, box, clock, log, telemetry }) };
}

/** The hub's database, its group commits measured. */
function openMeasuredDatabase(config: Config, options: HubOptions, metrics: Metrics): Promise<HubDb> {
  return openDatabase(config.database, {
    procedures,
    proceduresModule: PROCEDURES_MODULE,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    exclusive: true,
    onCommit: (size, seconds, ok) => {
      metrics.commitBatchSize.observe(size);
      metrics.commitDuration.observe({ ok: String(ok) }, seconds);
    },
  });
}

type Servers = Pick<Hub, 'app' | 'ops'>;

/** The HTTP app, or for a delivery-only process its probes when WORKER_HEALTH_PORT is set, or neither. */
async function buildServers(config: Config, options: HubOptions, built: { services: Services; db: HubDb; metrics: Metrics }): Promise<Servers> {
  const { services, db, metrics } = built;
  if (options.http !== false) {
    const app = await buildHttp({
      services,
      db,
      metrics,
      adminToken: options.adminToken,
      secretKey: options.secretKey,
      metricsToken: config.metricsToken,
      publicUrl: config.publicUrl,
      trustProxy: config.trustProxy,
      maxBodyBytes: config.maxBodyBytes,
      logger: options.logger,
      ...(options.linger === undefined ? {} : { linger: options.linger }),
      version: VERSION,
    });
    return { app, ops: null };
  }
  if (config.workerHealthPort !== undefined) {
    return { app: null, ops: await buildOpsApp({ store: db, metrics, metricsToken: config.metricsToken, logger: options.logger }) };
  }
  return { app: null, ops: null };
}

interface LifecycleParts {
  config: Config;
  options: HubOptions;
  db: HubDb;
  services: Services;
  servers: Servers;
  box: SecretBox;
  clock: Clock;
  log: Log;
  telemetry: Telemetry | null;
}

/** `start()` takes up the background work; `close()` undoes all of it, once, in order. */
function lifecycle(parts: LifecycleParts): Pick<Hub, 'start' | 'close'> {
  const { config, options, db, services, servers, log } = parts;
  const { worker } = services;
  const timers: NodeJS.Timeout[] = [];
  const stops: Array<() => void> = [];
  let closing: Promise<void> | undefined;
  return {
    async start() {
      await recordSecretKey(db, parts.box, parts.clock.now());
      if (options.worker !== false) {
        stops.push(services.deliveries.onQueued(() => worker.wake()));
        worker.start();
        // The processes that deliver watch too (an `api` process only answers the admin API).
        services.alertMonitor.start(config.alertCheckMs);
      }
      // Long-polls of the credit feed wake when an entry is committed, here or in another process.
      if (servers.app !== null) stops.push(db.listen(FEED_CHANNEL, () => services.rewardApp.wake()));
      if (config.retentionDays > 0) timers.push(startRetention(db, parts.clock, config.retentionDays, log));
      // Other processes change sources too: their credential names are re-read now and then.
      if (db.capabilities.sharedByProcesses) timers.push(refreshCredentialNames(services, log));
    },
    close() {
      closing ??= (async () => {
        for (const timer of timers) clearInterval(timer);
        for (const stop of stops) stop();
        // A long-poll of the credit feed would hold the drain for up to its wait.
        services.rewardApp.stop();
        if (servers.app !== null) await drain(servers.app, DRAIN_DEADLINE_MS);
        if (servers.ops !== null) await drain(servers.ops, DRAIN_DEADLINE_MS);
        await worker.stop();
        await services.alertMonitor.stop();
        services.notifier.close();
        await services.sender.close();
        await services.clicks.drain();
        await db.close();
        // Last: the spans of everything above are ended, and sent now.
        await parts.telemetry?.shutdown();
      })();
      return closing;
    },
  };
}

function refreshCredentialNames(services: Services, log: Log): NodeJS.Timeout {
  const refresh = setInterval(() => {
    services.sources.readCredentialNames().catch((error: unknown) => log.warn({ err: error }, 'source credential names could not be re-read; will try again'));
  }, CREDENTIAL_NAMES_REFRESH_MS);
  refresh.unref();
  return refresh;
}

/** The database alone, for one-off commands (`migrate`, `create-secret`): they may run beside a serving hub. */
export function openHubDatabase(config: Config): Promise<HubDb> {
  return openDatabase(config.database, { procedures, proceduresModule: PROCEDURES_MODULE });
}
