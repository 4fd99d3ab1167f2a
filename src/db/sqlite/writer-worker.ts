/**
 * The writer thread: owns the only write connection to the SQLite file. Each batch from the
 * channel's group commit is one transaction, so one fsync covers every request in it; each
 * command runs inside its own savepoint, so one failing command rolls back only itself.
 */
import type Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { builtins, eachInSavepoint, type Registry } from '../procedure.js';
import type { SqlExecutor } from '../executor.js';
import { openSqlite } from './connection.js';
import { serializeError, type SerializedError } from './errors.js';
import { sqliteExecutor } from './executor.js';
import { WRITER_COMMANDS, type CommandResult, type FromWriter, type ToWriter, type WriterCommand, type WriterData } from './writer-protocol.js';

const port = parentPort;
if (port === null) throw new Error('writer-worker must run in a worker thread');

const { file, registry } = workerData as WriterData;
/** The procedures this writer runs: the registry module's, and the channel's own. */
const loaded: Promise<Registry> = import(registry).then((module: { procedures: Registry }) => ({ ...module.procedures, ...builtins }));
/** What the current command notified: kept only if the command's savepoint is released. */
const commandNotified = new Set<string>();

interface Connection {
  db: Database.Database;
  executor: SqlExecutor;
}

/** Opened on the first batch, and again after recovery had to drop it. */
let writer: Connection | null = null;

function connection(): Connection {
  if (writer === null) {
    const db = openSqlite(file, 'writer');
    writer = { db, executor: sqliteExecutor(db, commandNotified) };
  }
  return writer;
}

function drop(): void {
  try {
    writer?.db.close();
  } catch {
    // it is being dropped for being unusable
  }
  writer = null;
}

/** The disk refused a write: full, or failing. */
const DISK_ERROR = /^SQLITE_(FULL|IOERR)/;
/** A checkpoint that failed for these is retried later on the same connection. */
const RETRYABLE = /^SQLITE_(FULL|BUSY|LOCKED)/;

/**
 * Set when the disk refused a write; cleared once a TRUNCATE checkpoint has copied the WAL
 * into the database and emptied it. Until then /readyz answers 503 and every batch starts
 * with that checkpoint. Without it, the WAL keeps the space it took (it is only ever reset,
 * never shrunk, and auto-checkpointed at 1000 pages), and space freed on the disk goes to WAL
 * growth first: on a disk with less room than that, it is used up again with no checkpoint.
 */
let recovering = false;

function recover(db: Database.Database): void {
  try {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    if (result?.busy === 0) recovering = false;
  } catch (error) {
    // Anything but "still full" or "busy" may have left the connection unusable: a new one
    // costs little and starts clean.
    if (!RETRYABLE.test(serializeError(error).code ?? '')) drop();
  }
}

async function run(procedures: Registry, { db, executor }: Connection, command: WriterCommand): Promise<unknown> {
  switch (command.name) {
    case WRITER_COMMANDS.start:
      return null;
    case WRITER_COMMANDS.probe: {
      // Not ready until recovery has given the WAL's space back: a one-page write may still
      // fit where the write that was refused did not.
      if (recovering) return false;
      // Rewrites the header's user_version with its own value: one page through the WAL and
      // the commit's fsync; nothing changes, nothing grows.
      const version = db.pragma('user_version', { simple: true }) as number;
      db.pragma(`user_version = ${version}`);
      return true;
    }
  }
  const procedure = procedures[command.name];
  if (procedure === undefined) throw new Error(`no procedure "${command.name}"`);
  return procedure.run(executor, command.args);
}

async function commitBatch(commands: WriterCommand[]): Promise<{ results: CommandResult[]; notified: string[] }> {
  const procedures = await loaded;
  if (recovering) recover(connection().db);
  const writing = connection();
  const { db } = writing;
  const notified = new Set<string>();
  db.exec('BEGIN IMMEDIATE');
  try {
    const outcomes = await eachInSavepoint((sql) => void db.exec(sql), commands, async (command) => {
      commandNotified.clear();
      const value = await run(procedures, writing, command);
      for (const channel of commandNotified) notified.add(channel);
      return value;
    });
    db.exec('COMMIT');
    const results = outcomes.map((o): CommandResult => (o.ok ? o : { ok: false, error: serializeError(o.error) }));
    return { results, notified: [...notified] };
  } catch (error) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // the connection is dropped just below
    }
    // A transaction that cannot be closed would refuse every later BEGIN.
    if (db.inTransaction) drop();
    throw error;
  }
}

function refusedByDisk(error: SerializedError): boolean {
  return DISK_ERROR.test(error.code ?? '');
}

function send(message: FromWriter): void {
  port!.postMessage(message);
}

// Up to two batches are at the writer at once (see channel.ts): chained, so that a second
// one can never interleave with an open transaction.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWriter) => {
  queue = queue.then(async () => {
    if (message.type === 'close') {
      writer?.db.close();
      send({ type: 'closed' });
      return;
    }
    try {
      const { results, notified } = await commitBatch(JSON.parse(message.commands) as WriterCommand[]);
      send({ type: 'done', id: message.id, results: JSON.stringify(results), notified });
      if (results.some((r) => !r.ok && refusedByDisk(r.error))) recovering = true;
    } catch (error) {
      const serialized = serializeError(error);
      send({ type: 'failed', id: message.id, error: serialized });
      if (refusedByDisk(serialized)) recovering = true;
    }
  });
});
