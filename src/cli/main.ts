#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, checkSecretKey, loadConfig, type Config } from '../config.js';
import { createHub } from '../hub.js';
import { ApiSecretService } from '../inbound/api-secrets.js';
import { systemClock } from '../lib/clock.js';
import { SecretBox } from '../lib/secret-box.js';
import { generateSecret } from '../lib/secrets.js';
import { openStore } from '../store/open-store.js';
import { VERSION } from '../version.js';
import { resolveKeptSecret } from './kept-secrets.js';

const USAGE = `postback-hub ${VERSION}

Usage: postback-hub <command> [options]

Commands:
  serve                     Apply migrations, then serve the API and deliver (the default)
  api                       Serve the API only (deliveries are sent by worker processes)
  worker                    Deliver only, no HTTP server (PostgreSQL: run as many as you like)
  migrate                   Apply pending migrations and exit
  create-secret [--name N]  Create a partner API secret and print it (shown once)
  admin-token               Print where the admin token comes from (never the token)
  version                   Print the version
  help                      Print this help

Configuration comes from the environment: PORT, HOST, DATABASE_URL, DATA_DIR, ADMIN_TOKEN,
LOG_LEVEL, MAX_BODY_BYTES, RAW_BODY_LIMIT, PG_POOL_SIZE (see README.md).`;

/** serve: API and delivery worker; api: the API only; worker: deliveries only (no HTTP). */
type RunMode = 'serve' | 'api' | 'worker';

async function serve(config: Config, mode: RunMode): Promise<void> {
  // Buffered, asynchronous log writes: a synchronous write per access-log line cost a fifth of
  // the inbound throughput. Flushed on every exit path below; a SIGKILL loses at most the
  // last few KiB of log lines (never data: records are committed before any answer).
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const logger = pino({ level: config.logLevel, base: { service: 'postback-hub' } }, destination);
  const exit = (code: number) => {
    destination.flushSync();
    process.exit(code);
  };
  const adminToken = resolveKeptSecret({
    variable: 'ADMIN_TOKEN',
    configured: config.adminToken,
    dataDir: config.dataDir,
    file: 'admin-token',
    generate: () => generateSecret().replace(/^pbh_/, 'pbh_admin_'),
    check: (token) => (token.length >= 16 ? null : 'holds no usable token (under 16 characters)'),
    // Printed once, at generation; afterwards it lives only in the file.
    announce: (token, file) => process.stdout.write(`\nGenerated an admin token (kept in ${file}; shown only now):\n\n    ${token}\n\n`),
  });
  const secretKey = resolveKeptSecret({
    variable: 'SECRET_KEY',
    configured: config.secretKey,
    dataDir: config.dataDir,
    file: 'secret-key',
    generate: () => SecretBox.generateKeyText(),
    check: (key) => checkSecretKey(key),
  });
  const hub = await createHub(config, { adminToken, secretKey, logger, worker: mode !== 'api' });
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
  if (mode === 'worker') {
    logger.info({ store: config.database.kind, version: VERSION }, 'postback hub delivery worker running');
    destination.flushSync();
    return;
  }
  const address = await hub.app.listen({ port: config.port, host: config.host });
  logger.info({ address, mode, store: config.database.kind, version: VERSION }, 'postback hub listening');
  // Start-up lines are worth seeing at once, not when the buffer fills.
  destination.flushSync();
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
      const store = await openStore(config.database);
      await store.close();
      console.log(`migrations applied (${config.database.kind})`);
      return;
    }
    case 'create-secret': {
      const store = await openStore(config.database);
      try {
        const created = await new ApiSecretService(store, systemClock).create({ name: values.name ?? null });
        console.log(`id:     ${created.id}\nsecret: ${created.secret}\n(shown only now; only its hash is stored)`);
      } finally {
        await store.close();
      }
      return;
    }
    case 'admin-token':
      console.log(config.adminToken !== undefined ? 'ADMIN_TOKEN is set in the environment' : `kept in ${config.dataDir}/admin-token`);
      return;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
