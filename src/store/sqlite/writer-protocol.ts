import type { NewEvent, RecordEventCommand } from '../store.js';
import type { SerializedError } from './errors.js';

/** Messages between the group committer (main thread) and the writer thread. */
export type WriterCommand =
  | { op: 'exec'; queries: Array<{ sql: string; parameters: readonly unknown[] }> }
  | { op: 'recordEvent'; command: RecordEventCommand }
  | { op: 'recordRejection'; event: NewEvent; reason: string; detail: string }
  | { op: 'ping' };

export type CommandResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

export type ToWriter = { type: 'batch'; id: number; commands: WriterCommand[] } | { type: 'close' };

export type FromWriter =
  /** The batch committed (each command's own result inside) … */
  | { type: 'done'; id: number; results: CommandResult[] }
  /** … or the transaction as a whole failed and nothing of it was written. */
  | { type: 'failed'; id: number; error: SerializedError }
  | { type: 'closed' };

export interface WriterData {
  file: string;
}
