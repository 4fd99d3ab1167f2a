#!/usr/bin/env node
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, checkSecretKey, loadConfig, type Config } from './config.js';
import { apiSecretsDal } from '../features/api-secrets/api-secrets-dal.js';
import type { App } from '../http/types.js';
import { createHub, openHubDatabase } from './hub.js';
import { ApiSecretService } from '../features/api-secrets/api-secrets-service.js';
import { systemClock } from '../lib/clock.js';
import { AppError, StartupError } from '../lib/errors.js';
import { randomBytes } from 'node:crypto';
import { operatorsStore } from '../features/operators/operators-dal.js';
import { OperatorService } from '../features/operators/operators.js';
import { backupSqlite } from '../db/sqlite/backup.js';
import { SecretBox } from '../lib/secret-box.js';
import { generateSecret } from '../lib/secrets.js';
import { VERSION } from './version.js';
import { prepareDataDir, readKeptSecret } from './kept-secrets.js';

const USAGE = `postback-hub ${VERSION}

Usage: postback-hub <command> [options]

Commands:
  serve                     Apply migrations, then serve the API and deliver (the default)
  api                       Serve the API only (deliveries are sent by worker processes)
  worker                    Deliver only, no API (PostgreSQL: run as many as you like);
                            with WORKER_HEALTH_PORT set, serves /healthz, /readyz and /metrics there
  migrate                   Apply pending migrations and exit
  create-secret [--name N]  Create a partner API secret and print it (shown once)
  backup --to FILE          SQLite: copy the live database to FILE (consistent, while it serves);
                            PostgreSQL: use pg_dump
  create-owner --email E    Create an owner operator who signs in to the dashboard; prints a
                            generated password once (--password-stdin: read it from stdin)
  admin-token               Print where the admin token comes from (never the token)
  version                   Print the version
  help                      Print this help

Configuration comes from the environment (README.md, "Configuration", says more):
  PORT, HOST                HTTP port (8080) and interface (0.0.0.0)
  DATABASE_URL              sqlite:PATH (default sqlite:./data/postback-hub.db) or postgres://…
  DATA_DIR                  where the generated admin token, secret key and SQLite file live (./data)
  ADMIN_TOKEN               an owner key for the admin API (generated and kept in DATA_DIR if unset)
  SECRET_KEY                encrypts partner secrets at rest (generated if unset; share it between processes)
  PUBLIC_URL                the hub's address as partners and operators reach it
  TRUST_PROXY               behind a reverse proxy: client address and scheme from X-Forwarded-* (false)
  METRICS_TOKEN             bearer token /metrics then requires (unset: open)
  LOG_LEVEL                 fatal, error, warn, info (default), debug, trace, silent
  MAX_BODY_BYTES            largest inbound postback body (65536)
  RAW_BODY_LIMIT            how much of a request body each event keeps (16384)
  PG_POOL_SIZE              PostgreSQL connections per process (16)
  WORKER_HEALTH_PORT        worker only: serve /healthz, /readyz and /metrics on this port
  OUTBOUND_ALLOW            private addresses destinations may reach anyway (CIDRs, comma-separated)
  DELIVERY_LEASE_MS         how long a worker holds a claimed delivery (90000, at least 70000)
  RETENTION_DAYS            prune attempts, finished deliveries and raw bodies older than this (30; 0 keeps)
  SESSION_IDLE_MINUTES      an operator's session ends after this long unused (30)
  SESSION_MAX_HOURS         …and this long after signing in (12)
  SMTP_URL                  smtp://user:password@host:587, for alert emails
  ALERT_EMAIL_FROM          the alert emails' sender
  ALERT_CHECK_SECONDS       how often serve and worker processes check the alert rules (30)
  OTEL_EXPORTER_OTLP_ENDPOINT  tracing, off unless set: an OTLP/HTTP collector (http://otel-collector:4318);
                            OTEL_SERVICE_NAME (postback-hub) and the SDK's other OTEL_* variables apply`;

/** serve: API and delivery worker; api: the API only; worker: deliveries only (no API; its probes on WORKER_HEALTH_PORT). */
type RunMode = 'serve' | 'api' | 'worker';

/**
 * Nothing is printed, written or generated until every start-up failure has had its chance:
 * the data directory, the store (and the SQLite file's lock), the key against the database's
 * fingerprint, the port. Only then are generated secrets kept and the admin token shown.
 */
async function serve(config: Config, mode: RunMode): Promise<void> {
  if (config.adminToken === undefined || config.secretKey === undefined) prepareDataDir(config.dataDir);
  const adminToken = readKeptSecret({
    variable: 'ADMIN_TOKEN',
    configured: config.adminToken,
    dataDir: config.dataDir,
    file: 'admin-token',
    generate: () => generateSecret().replace(/^pbh_/, 'pbh_admin_'),
    check: (token) => (token.length >= 16 ? null : 'holds no usable token (under 16 characters)'),
  });
  const secretKey = readKeptSecret({
    variable: 'SECRET_KEY',
    configured: config.secretKey,
    dataDir: config.dataDir,
    file: 'secret-key',
    generate: () => SecretBox.generateKeyText(),
    check: (key) => checkSecretKey(key),
  });
  // Buffered, asynchronous log writes, so that logging does not hold up requests. Flushed on
  // every exit path; a SIGKILL loses at most the last few KiB of log lines (never data:
  // records are committed before any answer).
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  flushLog = () => destination.flushSync();
  const logger = pino({ level: config.logLevel, base: { service: 'postback-hub' } }, destination);
  const hub = await createHub(config, { adminToken: adminToken.value, secretKey: secretKey.value, logger, worker: mode !== 'api', http: mode !== 'worker' });
  let address: string | null = null;
  let health: string | null = null;
  try {
    if (hub.app !== null) address = await listen(hub.app, config.port, config.host, 'PORT');
    if (hub.ops !== null && config.workerHealthPort !== undefined) health = await listen(hub.ops, config.workerHealthPort, config.host, 'WORKER_HEALTH_PORT');
    secretKey.keep();
    try {
      await hub.start();
    } catch (error) {
      secretKey.discard();
      throw error;
    }
    adminToken.keep();
  } catch (error) {
    await hub.close();
    throw error;
  }
  // Printed once, at generation; afterwards it lives only in the file.
  if (adminToken.generated) process.stdout.write(`\nGenerated an admin token (kept in ${path.join(config.dataDir, 'admin-token')}; shown only now):\n\n    ${adminToken.value}\n\n`);
  if (address !== null) {
    const base = config.publicUrl ?? address.replace(/\/\/(0\.0\.0\.0|\[::\])(?=:)/, '//localhost');
    process.stdout.write(`Dashboard:    ${base}/admin\nAPI document: ${base}/docs\n\n`);
  }
  if (hub.app !== null && !(await hub.services.operators.hasOperators())) {
    process.stdout.write('No operator can sign in with a password yet: create the first owner with\n\n    node dist/app/cli.js create-owner --email you@example.com\n\n(until then the admin token signs in to the dashboard as an owner)\n\n');
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight requests and flushing writes');
    hub.close().then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (address === null) logger.info({ store: config.database.kind, version: VERSION, ...(health === null ? {} : { health }) }, 'postback hub delivery worker running');
  else logger.info({ address, mode, store: config.database.kind, version: VERSION }, 'postback hub listening');
  // Start-up lines are worth seeing at once, not when the buffer fills.
  destination.flushSync();
}

/** `variable` names the setting that chose the port, for the operator to change. */
async function listen(app: App, port: number, host: string, variable: string): Promise<string> {
  try {
    return await app.listen({ port, host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`port ${port} on ${host} is already in use: stop what listens there, or set ${variable}`);
    if (code === 'EACCES') throw new StartupError(`no permission to listen on port ${port} (ports below 1024 need privileges): set ${variable}`);
    if (code === 'EADDRNOTAVAIL') throw new StartupError(`HOST ${host} is not an address of this machine: set HOST`);
    throw error;
  }
}

/** Log lines buffered by a serving process, written out before it exits. */
let flushLog = (): void => {};

function exit(code: number): never {
  flushLog();
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, email: { type: 'string' }, to: { type: 'string' }, 'password-stdin': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = values.help === true ? 'help' : (positionals[0] ?? 'serve');
  if (command === 'help') return void console.log(USAGE);
  if (command === 'version') return void console.log(VERSION);

  const config = loadConfig();
  switch (command) {
    case 'serve':
    case 'api':
    case 'worker':
      return serve(config, command);
    case 'migrate': {
      const db = await openHubDatabase(config);
      await db.close();
      console.log(`migrations applied (${config.database.kind})`);
      return;
    }
    case 'create-secret': {
      const db = await openHubDatabase(config);
      try {
        const created = await new ApiSecretService(apiSecretsDal(db), systemClock).create({ name: values.name ?? null });
        console.log(`id:     ${created.id}\nsecret: ${created.secret}\n(shown only now; only its hash is stored)`);
      } finally {
        await db.close();
      }
      return;
    }
    case 'backup': {
      if (values.to === undefined) throw new ConfigError('--to', 'backup needs the file to write: postback-hub backup --to backups/hub.db');
      if (config.database.kind !== 'sqlite') throw new StartupError('backup copies a SQLite database; for PostgreSQL use pg_dump (docs/operations.md)');
      const bytes = await backupSqlite(config.database.file, values.to);
      console.log(`backed up ${config.database.file} to ${values.to} (${bytes} bytes)`);
      return;
    }
    case 'create-owner':
      return createOwner(config, values.email, values['password-stdin'] === true);
    case 'admin-token':
      console.log(config.adminToken !== undefined ? 'ADMIN_TOKEN is set in the environment' : `kept in ${config.dataDir}/admin-token`);
      return;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

/**
 * The first owner (or another): with a generated password printed once, or one read from
 * stdin for automation. Refused in one line for a taken email or a short password.
 */
async function createOwner(config: Config, email: string | undefined, fromStdin: boolean): Promise<void> {
  if (email === undefined) throw new ConfigError('--email', 'create-owner needs the owner\'s email: postback-hub create-owner --email you@example.com');
  const password = fromStdin ? (await readStdin()).replace(/\r?\n$/, '') : randomBytes(15).toString('base64url');
  const db = await openHubDatabase(config);
  try {
    const operators = new OperatorService(operatorsStore(db), systemClock, { idleMs: 0, absoluteMs: 0 });
    const owner = await operators.createOwner(email, password);
    console.log(`Owner ${owner.email} created.`);
    if (!fromStdin) console.log(`password: ${password}\n(shown only now; sign in at /admin and change it from the menu under your name)`);
  } finally {
    await db.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A start-up failure is one line on stderr, not a stack trace: the operator's problem (a
 * setting, the store, the port) in words. A fault of the hub's own gets its stack as well.
 */
main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else if (error instanceof StartupError) console.error(`cannot start: ${error.message}`);
  else if (error instanceof AppError && error.statusCode < 500) console.error(`refused: ${error.message}`);
  else console.error(`cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exit(1);
});
