import type { ClickRow } from '../../features/clicks/clicks-sql.js';
import type { CompletionRows } from '../../features/delivery/deliveries-sql.js';
import type { ClaimOptions, NewEvent, RecordEventCommand, ReviewDecision } from '../../store/store.js';
import type { SerializedError } from './errors.js';

/** Messages between the group committer (main thread) and the writer thread. */
export type WriterCommand =
  | { op: 'exec'; queries: Array<{ sql: string; parameters: readonly unknown[] }> }
  | { op: 'recordEvent'; command: RecordEventCommand }
  | { op: 'recordEvents'; commands: readonly RecordEventCommand[] }
  | { op: 'recordRejection'; event: NewEvent; reason: string; detail: string }
  | { op: 'claimDeliveries'; now: number; limit: number; leaseMs: number; options?: ClaimOptions }
  | { op: 'completeAttempts'; rows: CompletionRows }
  | { op: 'reviewEvent'; id: string; decision: ReviewDecision; now: number }
  | { op: 'recordClicks'; rows: readonly ClickRow[] }
  /** The thread and its connection answer; writes nothing. */
  | { op: 'ping' }
  /** A write commits: readiness. */
  | { op: 'probe' };

export type CommandResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

/**
 * Batches and results cross the thread boundary as JSON text: for these plain-data objects
 * one JSON.stringify and one JSON.parse cost less than the structured clone of every command.
 * So commands and results hold JSON values only (no Date, Buffer or bigint).
 */
export type ToWriter = { type: 'batch'; id: number; commands: string } | { type: 'close' };

export type FromWriter =
  /** The batch committed (`results`: CommandResult[] as JSON, each command's own result) … */
  | { type: 'done'; id: number; results: string }
  /** … or the transaction as a whole failed and nothing of it was written. */
  | { type: 'failed'; id: number; error: SerializedError }
  | { type: 'closed' };

export interface WriterData {
  file: string;
}
