import type { Outcome } from '../lib/group-commit.js';
import type { SqlExecutor } from './executor.js';

/**
 * A transactional procedure: one write of a feature's, written once for both dialects, which
 * the write channel runs inside a transaction it owns (a group commit's: on SQLite in the writer
 * thread, on PostgreSQL on a pooled connection). On SQLite its
 * arguments and result cross a thread boundary as JSON: plain JSON values only (no Date, Buffer
 * or bigint).
 *
 * Adding one: write it beside its feature with `procedure()`, and name it in
 * src/features/procedures.ts. That is all both dialects need.
 */
export interface Procedure<Args = never, Result = unknown> {
  run(tx: SqlExecutor, args: Args): Promise<Result>;
  /**
   * PostgreSQL: runs on the connections set aside for the delivery worker, so that a burst of
   * inbound writes queued on the shared pool cannot hold up the outbox.
   */
  lane?: 'outbox';
  /** These arguments make one statement, atomic on its own: no BEGIN/COMMIT round trips. */
  oneStatement?(args: Args): boolean;
  /**
   * Several calls' arguments at once, in the caller's transaction, as one call after the other
   * would have run them: each call's result, in order. Over a network a group commit then costs
   * a few statements per group instead of a few per call. Throwing fails the lot: the channel
   * then runs each call alone, in its own savepoint.
   */
  together?(tx: SqlExecutor, calls: readonly Args[]): Promise<Result[]>;
}

export function procedure<Args, Result>(
  run: (tx: SqlExecutor, args: Args) => Promise<Result>,
  options: Omit<Procedure<Args, Result>, 'run'> = {},
): Procedure<Args, Result> {
  return { run, ...options };
}

// `any`: a registry holds procedures of every argument type; each call is typed by its name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Registry = Readonly<Record<string, Procedure<any, unknown>>>;
export type ArgsOf<P> = P extends Procedure<infer A, unknown> ? A : never;
export type ResultOf<P> = P extends Procedure<never, infer R> ? R : never;

/** Statements with their parameters: the write of a query built with Kysely (`CompiledQuery`) or by hand. */
export interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

/** Runs statements in one transaction and answers each one's rows (RETURNING). */
export const exec = procedure(async (tx, statements: readonly Statement[]) => {
  const results: unknown[][] = [];
  for (const s of statements) results.push(await tx.query(s.sql, s.parameters));
  return results;
});

/** What every channel runs besides the features' procedures. */
export const builtins = { exec } as const;

/**
 * How a dialect runs procedures by name. Every call resolves only after its transaction
 * committed, and rejects (StoreUnavailableError when the store could not write) with nothing
 * of it written.
 */
export interface WriteChannel<R extends Registry> {
  /**
   * Concurrent calls share one transaction and one commit, each call in its own savepoint
   * (`eachInSavepoint`): what one call writes is still all or nothing, and its outcome its own.
   */
  readonly groupsCalls: boolean;
  run<N extends keyof R & string>(name: N, args: ArgsOf<R[N]>): Promise<ResultOf<R[N]>>;
  /** Readiness: a write can commit now. */
  probe(): Promise<void>;
  /** Commits what was submitted, then releases the connections. */
  close(): Promise<void>;
}

/** Told after every group commit: how many calls it carried, how long it took, whether it committed. */
export type CommitObserver = (batchSize: number, seconds: number, ok: boolean) => void;

/** One call of a group: a procedure and its arguments. */
export interface Call {
  procedure: Registry[string];
  args: unknown;
}

/**
 * A group's calls in the caller's open transaction, each answered its own outcome: the calls of
 * a procedure that runs `together` as one (one alone as itself), the others each in its own
 * savepoint, so that an expected failure (a unique key taken) stays theirs. What the together
 * runs throw is thrown: the transaction is then lost, and the caller runs the calls one by one
 * (`eachInSavepoint`).
 */
export async function runGroup(exec: (sql: string) => Promise<unknown>, tx: SqlExecutor, calls: readonly Call[]): Promise<Array<Outcome<unknown>>> {
  const outcomes = new Array<Outcome<unknown>>(calls.length);
  const alone: number[] = [];
  const byProcedure = new Map<Registry[string], number[]>();
  for (const [i, call] of calls.entries()) {
    if (call.procedure.together === undefined) alone.push(i);
    else {
      const indices = byProcedure.get(call.procedure);
      if (indices === undefined) byProcedure.set(call.procedure, [i]);
      else indices.push(i);
    }
  }
  for (const [procedure, indices] of byProcedure) {
    const args = indices.map((i) => calls[i]!.args);
    const results = indices.length === 1 ? [await procedure.run(tx, args[0]!)] : await procedure.together!(tx, args);
    for (const [k, i] of indices.entries()) outcomes[i] = { ok: true, value: results[k] };
  }
  const separate = await eachInSavepoint(exec, alone, (i) => calls[i]!.procedure.run(tx, calls[i]!.args));
  for (const [k, i] of alone.entries()) outcomes[i] = separate[k]!;
  return outcomes;
}

/**
 * Runs calls one after the other inside the caller's open transaction, each in its own
 * savepoint: calls of many requests share one transaction and one commit, and a call that
 * fails is rolled back alone and answers its own error. A savepoint statement that fails
 * itself (the connection is gone) is thrown: the whole transaction is then lost.
 */
export async function eachInSavepoint<C, V>(
  exec: (sql: string) => Promise<unknown> | void,
  calls: readonly C[],
  run: (call: C) => Promise<V>,
): Promise<Array<Outcome<V>>> {
  const outcomes: Array<Outcome<V>> = [];
  for (const call of calls) {
    await exec('SAVEPOINT call');
    try {
      outcomes.push({ ok: true, value: await run(call) });
    } catch (error) {
      await exec('ROLLBACK TO call');
      outcomes.push({ ok: false, error });
    }
    await exec('RELEASE call');
  }
  return outcomes;
}
