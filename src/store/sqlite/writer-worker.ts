/**
 * The writer thread: owns the only write connection to the SQLite file. Each batch from the
 * group committer is one transaction, so one fsync covers every request in it; each command
 * runs inside its own savepoint, so one failing command rolls back only itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { claimDeliveryRows, writeCompletions } from '../deliveries.js';
import { recordClicks } from '../clicks.js';
import { reviewEvent } from '../review-event.js';
import { recordEvent, recordEvents, recordRejection } from '../record-event.js';
import { openSqlite } from './connection.js';
import { serializeError } from './errors.js';
import { sqliteExecutor } from './sqlite-executor.js';
import type { CommandResult, FromWriter, ToWriter, WriterCommand, WriterData } from './writer-protocol.js';

const port = parentPort;
if (port === null) throw new Error('writer-worker must run in a worker thread');

const { file } = workerData as WriterData;
const db = openSqlite(file, 'writer');

const executor = sqliteExecutor(db);

async function run(command: WriterCommand): Promise<unknown> {
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
  }
}

async function commitBatch(commands: WriterCommand[]): Promise<CommandResult[]> {
  const results: CommandResult[] = [];
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const command of commands) {
      db.exec('SAVEPOINT command');
      try {
        results.push({ ok: true, value: await run(command) });
        db.exec('RELEASE command');
      } catch (error) {
        db.exec('ROLLBACK TO command');
        db.exec('RELEASE command');
        results.push({ ok: false, error: serializeError(error) });
      }
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
  return results;
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
      db.close();
      send({ type: 'closed' });
      return;
    }
    try {
      const results = await commitBatch(JSON.parse(message.commands) as WriterCommand[]);
      send({ type: 'done', id: message.id, results: JSON.stringify(results) });
    } catch (error) {
      send({ type: 'failed', id: message.id, error: serializeError(error) });
    }
  });
});
