/**
 * The writer thread: owns the only write connection to the SQLite file. Each batch from the
 * group committer is one transaction, so one fsync covers every request in it; each command
 * runs inside its own savepoint, so one failing command rolls back only itself.
 */
import type Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { claimDeliveryRows, writeCompletions } from '../../features/delivery/deliveries-sql.js';
import { recordClicks } from '../../features/clicks/clicks-sql.js';
import { reviewEvent } from '../../features/conversions/review-event.js';
import { recordEvent, recordEvents, recordRejection } from '../../features/conversions/record-event.js';
import type { SqlExecutor } from '../executor.js';
import { openSqlite } from './connection.js';
import { serializeError, type SerializedError } from './errors.js';
import { sqliteExecutor } from './executor.js';
import type { CommandResult, FromWriter, ToWriter, WriterCommand, WriterData } from './writer-protocol.js';

const port = parentPort;
if (port === null) throw new Error('writer-worker must run in a worker thread');

const { file } = workerData as WriterData;

interface Connection {
  db: Database.Database;
  executor: SqlExecutor;
}

/** Opened on the first batch, and again after recovery had to drop it. */
let writer: Connection | null = null;

function connection(): Connection {
  if (writer === null) {
    const db = openSqlite(file, 'writer');
    writer = { db, executor: sqliteExecutor(db) };
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

async function run({ db, executor }: Connection, command: WriterCommand): Promise<unknown> {
  switch (command.op) {
    case 'recordEvent':
      return recordEvent(executor, command.command);
    case 'recordEvents':
      return recordEvents(executor, command.commands);
    case 'recordRejection':
      return recordRejection(executor, command.event, command.reason, command.detail);
    case 'exec': {
      const results: unknown[][] = [];
      for (const q of command.queries) results.push(await executor.query(q.sql, q.parameters));
      return results;
    }
    case 'claimDeliveries':
      return claimDeliveryRows(executor, command.now, command.limit, command.leaseMs, command.options);
    case 'completeAttempts':
      return writeCompletions(executor, command.rows);
    case 'reviewEvent':
      return reviewEvent(executor, command.id, command.decision, command.now);
    case 'recordClicks':
      return recordClicks(executor, command.rows);
    case 'ping':
      return executor.query('SELECT 1 AS ok', []);
    case 'probe': {
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
}

async function commitBatch(commands: WriterCommand[]): Promise<CommandResult[]> {
  if (recovering) recover(connection().db);
  const writing = connection();
  const { db } = writing;
  const results: CommandResult[] = [];
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const command of commands) {
      db.exec('SAVEPOINT command');
      try {
        results.push({ ok: true, value: await run(writing, command) });
        db.exec('RELEASE command');
      } catch (error) {
        db.exec('ROLLBACK TO command');
        db.exec('RELEASE command');
        results.push({ ok: false, error: serializeError(error) });
      }
    }
    db.exec('COMMIT');
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
  return results;
}

function refusedByDisk(error: SerializedError): boolean {
  return DISK_ERROR.test(error.code ?? '');
}

function send(message: FromWriter): void {
  port!.postMessage(message);
}

// Batches arrive one at a time (the committer waits for each reply), but chain them anyway
// so that a second message can never interleave with an open transaction.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWriter) => {
  queue = queue.then(async () => {
    if (message.type === 'close') {
      writer?.db.close();
      send({ type: 'closed' });
      return;
    }
    try {
      const results = await commitBatch(JSON.parse(message.commands) as WriterCommand[]);
      send({ type: 'done', id: message.id, results: JSON.stringify(results) });
      if (results.some((r) => !r.ok && refusedByDisk(r.error))) recovering = true;
    } catch (error) {
      const serialized = serializeError(error);
      send({ type: 'failed', id: message.id, error: serialized });
      if (refusedByDisk(serialized)) recovering = true;
    }
  });
});
