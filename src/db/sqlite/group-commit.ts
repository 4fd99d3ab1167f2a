import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '../../lib/errors.js';
import type { ArgsOf, Registry, ResultOf, WriteChannel } from '../procedure.js';
import { mapSqliteError } from './errors.js';
import { WRITER_COMMANDS, type CommandResult, type FromWriter, type ToWriter, type WriterCommand, type WriterData } from './writer-protocol.js';

/**
 * Starts the writer thread. Built, it is the sibling .js file. From source (tests, tsx) it is
 * a .ts file, and Node 20 does not apply `--import` loaders to a worker's entry module, so a
 * two-line bootstrap registers tsx inside the thread first.
 */
function spawnWriter(data: WriterData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./writer-worker.js', import.meta.url), { workerData: data });
  const entry = new URL('./writer-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** Called after every commit; feeds the batch-size and commit-latency metrics. */
export type CommitObserver = (batchSize: number, seconds: number, ok: boolean) => void;

interface Job {
  command: WriterCommand;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Bounds one transaction, so one huge burst cannot hold the write lock for long. */
const MAX_BATCH = 2000;

/**
 * One batch commits while the next waits at the writer, so the writer starts the next commit
 * the moment one ends instead of waiting a thread round trip for it.
 */
const MAX_IN_FLIGHT = 2;

/**
 * Group commit. Requests submit writes here; whatever has arrived is sent to the writer thread
 * as one transaction as soon as fewer than MAX_IN_FLIGHT batches are at the writer. There is
 * no timer: a lone request commits at once, and under load each commit carries every request
 * that came in while the previous ones were committing. Promises resolve only after COMMIT
 * returned on the writer, i.e. after the WAL is synced (synchronous=FULL).
 *
 * States: idle (nothing at the writer) → busy (one or two batches at the writer, more
 * pending) → idle; closing (no new jobs, drain what was submitted) → closed.
 */
export class GroupCommitWriter<R extends Registry> implements WriteChannel<R> {
  private pending: Job[] = [];
  /** Batches sent to the writer and not yet answered, oldest first. */
  private inFlight: Array<{ jobs: Job[]; startedAt: number }> = [];
  private flushScheduled = false;
  private nextBatchId = 1;
  private worker: Worker | null = null;
  private closing = false;
  private drained: (() => void) | null = null;
  observer: CommitObserver | null = null;

  /**
   * `registry`: the URL of the module whose `procedures` the writer thread runs.
   * `onNotify`: told, after each commit, of the channels its procedures notified.
   */
  constructor(
    private readonly file: string,
    private readonly registry: string,
    private readonly onNotify: (channel: string) => void,
  ) {}

  run<N extends keyof R & string>(name: N, args: ArgsOf<R[N]>): Promise<ResultOf<R[N]>> {
    return this.submit({ name, args }) as Promise<ResultOf<R[N]>>;
  }

  /** Starts the writer thread and opens its connection, writing nothing (a full disk must not stop a start). */
  async start(): Promise<void> {
    await this.submit({ name: WRITER_COMMANDS.start, args: null });
  }

  /**
   * Readiness: a write commits (a query alone passes on a full disk), and the writer is not
   * recovering from a write the disk refused. The probe's one page shares the commit and fsync
   * of whatever else is being written; while the writer recovers, each probe is a batch that
   * retries the recovery even when no other write comes.
   */
  async probe(): Promise<void> {
    if ((await this.submit({ name: WRITER_COMMANDS.probe, args: null })) !== true) throw new StoreUnavailableError();
  }

  /** Commits everything already submitted, then stops the writer thread. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.inFlight.length > 0 || this.pending.length > 0) {
      await new Promise<void>((resolve) => (this.drained = resolve));
    }
    const worker = this.worker;
    this.worker = null;
    if (worker === null) return;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.on('message', (m: FromWriter) => {
        if (m.type === 'closed') void worker.terminate();
      });
      worker.postMessage({ type: 'close' } satisfies ToWriter);
    });
  }

  private submit(command: WriterCommand): Promise<unknown> {
    if (this.closing) return Promise.reject(new StoreUnavailableError('The store is shutting down; nothing was recorded, please retry'));
    return new Promise((resolve, reject) => {
      this.pending.push({ command, resolve, reject });
      if (this.inFlight.length < MAX_IN_FLIGHT && !this.flushScheduled) {
        // Not a timer: wait only for the rest of this event-loop turn, so requests parsed in
        // the same turn share the commit.
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.inFlight.length < MAX_IN_FLIGHT && this.pending.length > 0) {
      const batch = this.pending.length <= MAX_BATCH ? this.pending : this.pending.slice(0, MAX_BATCH);
      this.pending = batch === this.pending ? [] : this.pending.slice(MAX_BATCH);
      this.inFlight.push({ jobs: batch, startedAt: performance.now() });
      const message: ToWriter = { type: 'batch', id: this.nextBatchId++, commands: JSON.stringify(batch.map((job) => job.command)) };
      this.ensureWorker().postMessage(message);
    }
    if (this.inFlight.length === 0 && this.pending.length === 0) this.drained?.();
  }

  private ensureWorker(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = spawnWriter({ file: this.file, registry: this.registry });
    worker.on('message', (message: FromWriter) => this.onMessage(message));
    worker.on('error', (error) => this.onWorkerGone(worker, error));
    worker.on('exit', () => this.onWorkerGone(worker, new Error('writer thread exited')));
    this.worker = worker;
    return worker;
  }

  private onMessage(message: FromWriter): void {
    if (message.type === 'closed') return;
    const sent = this.inFlight.shift();
    if (sent === undefined) return;
    const batch = sent.jobs;
    const ok = message.type === 'done';
    this.observer?.(batch.length, (performance.now() - sent.startedAt) / 1000, ok);
    if (message.type === 'done') {
      for (const channel of message.notified) this.onNotify(channel);
      const results = JSON.parse(message.results) as CommandResult[];
      batch.forEach((job, i) => {
        const result = results[i];
        if (result?.ok === true) job.resolve(result.value);
        else job.reject(mapSqliteError(result?.error ?? new Error('missing result')));
      });
    } else {
      // The transaction as a whole failed: nothing in it was written.
      const error = mapSqliteError(message.error);
      const unavailable = error instanceof StoreUnavailableError ? error : new StoreUnavailableError();
      for (const job of batch) job.reject(unavailable);
    }
    this.flush();
  }

  /**
   * The writer died. What it held is answered 503 (a batch may have committed just before the
   * thread died: the partner's retry is then recorded as a duplicate, never credited twice);
   * the next write starts a new writer.
   */
  private onWorkerGone(worker: Worker, _error: unknown): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const lost = this.inFlight;
    this.inFlight = [];
    for (const { jobs } of lost) for (const job of jobs) job.reject(new StoreUnavailableError());
    this.flush();
  }
}
