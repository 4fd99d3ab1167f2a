import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '../../lib/errors.js';
import { GroupCommit, type Outcome } from '../../lib/group-commit.js';
import type { ArgsOf, CommitObserver, Registry, ResultOf, WriteChannel } from '../procedure.js';
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

/** Bounds one transaction, so one huge burst cannot hold the write lock for long. */
const MAX_BATCH = 2000;

/**
 * One batch commits while the next waits at the writer, so the writer starts the next commit
 * the moment one ends instead of waiting a thread round trip for it.
 */
const MAX_IN_FLIGHT = 2;

/** A batch at the writer thread, waiting for its answer. */
interface Sent {
  size: number;
  startedAt: number;
  answered: (outcomes: Array<Outcome<unknown>>) => void;
  failed: (error: unknown) => void;
}

/**
 * The SQLite write channel: every write goes through the group commit (lib/group-commit.ts) to
 * the writer thread, each batch as one transaction. Promises resolve only after COMMIT
 * returned on the writer, i.e. after the WAL is synced (synchronous=FULL).
 */
export class SqliteWriteChannel<R extends Registry> implements WriteChannel<R> {
  readonly groupsCalls = true;
  private readonly group: GroupCommit<WriterCommand, unknown>;
  /** Batches sent to the writer and not yet answered, by id. */
  private readonly sent = new Map<number, Sent>();
  private nextBatchId = 1;
  private worker: Worker | null = null;
  private closing: Promise<void> | null = null;
  observer: CommitObserver | null = null;

  /**
   * `registry`: the URL of the module whose `procedures` the writer thread runs.
   * `onNotify`: told, after each commit, of the channels its procedures notified.
   */
  constructor(
    private readonly file: string,
    private readonly registry: string,
    private readonly onNotify: (channel: string) => void,
  ) {
    this.group = new GroupCommit((commands) => this.commit(commands), {
      maxBatch: MAX_BATCH,
      maxInFlight: MAX_IN_FLIGHT,
      closedError: () => new StoreUnavailableError('The store is shutting down; nothing was recorded, please retry'),
    });
  }

  run<N extends keyof R & string>(name: N, args: ArgsOf<R[N]>): Promise<ResultOf<R[N]>> {
    return this.group.add({ name, args }) as Promise<ResultOf<R[N]>>;
  }

  /** Starts the writer thread and opens its connection, writing nothing (a full disk must not stop a start). */
  async start(): Promise<void> {
    await this.group.add({ name: WRITER_COMMANDS.start, args: null });
  }

  /**
   * Readiness: a write commits (a query alone passes on a full disk), and the writer is not
   * recovering from a write the disk refused. The probe's one page shares the commit and fsync
   * of whatever else is being written; while the writer recovers, each probe is a batch that
   * retries the recovery even when no other write comes.
   */
  async probe(): Promise<void> {
    if ((await this.group.add({ name: WRITER_COMMANDS.probe, args: null })) !== true) throw new StoreUnavailableError();
  }

  /** Commits everything already submitted, then stops the writer thread. */
  close(): Promise<void> {
    this.closing ??= this.group.close().then(() => this.stopWriter());
    return this.closing;
  }

  private async stopWriter(): Promise<void> {
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

  private commit(commands: WriterCommand[]): Promise<Array<Outcome<unknown>>> {
    return new Promise((answered, failed) => {
      const id = this.nextBatchId++;
      this.sent.set(id, { size: commands.length, startedAt: performance.now(), answered, failed });
      this.ensureWorker().postMessage({ type: 'batch', id, commands: JSON.stringify(commands) } satisfies ToWriter);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = spawnWriter({ file: this.file, registry: this.registry });
    worker.on('message', (message: FromWriter) => this.onMessage(message));
    worker.on('error', () => this.onWorkerGone(worker));
    worker.on('exit', () => this.onWorkerGone(worker));
    this.worker = worker;
    return worker;
  }

  private onMessage(message: FromWriter): void {
    if (message.type === 'closed') return;
    const sent = this.sent.get(message.id);
    if (sent === undefined) return;
    this.sent.delete(message.id);
    this.observer?.(sent.size, (performance.now() - sent.startedAt) / 1000, message.type === 'done');
    if (message.type === 'done') {
      for (const channel of message.notified) this.onNotify(channel);
      const results = JSON.parse(message.results) as CommandResult[];
      sent.answered(results.map((result) => (result.ok ? result : { ok: false, error: mapSqliteError(result.error) })));
    } else {
      // The transaction as a whole failed: nothing in it was written.
      const error = mapSqliteError(message.error);
      sent.failed(error instanceof StoreUnavailableError ? error : new StoreUnavailableError());
    }
  }

  /**
   * The writer died. What it held is answered 503 (a batch may have committed just before the
   * thread died: the partner's retry is then recorded as a duplicate, never credited twice);
   * the next write starts a new writer.
   */
  private onWorkerGone(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const lost = [...this.sent.values()];
    this.sent.clear();
    for (const batch of lost) batch.failed(new StoreUnavailableError());
  }
}
