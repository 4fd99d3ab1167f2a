import type { SerializedError } from './errors.js';

/** One procedure call, by name (see db/procedure.ts). */
export interface WriterCommand {
  name: string;
  args: unknown;
}

/** The writer's own commands, besides the registry's procedures. */
export const WRITER_COMMANDS = {
  /** The thread and its connection answer; writes nothing (a full disk must not stop a start). */
  start: '$start',
  /** A write commits, and the writer is not recovering from a refused write: readiness. */
  probe: '$probe',
} as const;

export type CommandResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

/**
 * Batches and results cross the thread boundary as JSON text: for these plain-data objects
 * one JSON.stringify and one JSON.parse cost less than the structured clone of every command.
 * So commands and results hold JSON values only (no Date, Buffer or bigint).
 */
export type ToWriter = { type: 'batch'; id: number; commands: string } | { type: 'close' };

export type FromWriter =
  /**
   * The batch committed (`results`: CommandResult[] as JSON, each command's own result);
   * `notified`: the channels its committed commands notified.
   */
  | { type: 'done'; id: number; results: string; notified: string[] }
  /** … or the transaction as a whole failed and nothing of it was written. */
  | { type: 'failed'; id: number; error: SerializedError }
  | { type: 'closed' };

export interface WriterData {
  file: string;
  /** The URL of the module whose `procedures` export is the registry the writer runs. */
  registry: string;
}
