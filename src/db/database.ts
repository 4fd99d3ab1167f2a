import { CompiledQuery, type Kysely } from 'kysely';
import type { ArgsOf, Registry, ResultOf, Statement, WriteChannel, builtins } from './procedure.js';
import type { Tables } from './schema.js';

/**
 * What a dialect declares about itself, for callers to ask instead of asking which dialect
 * it is. (What a procedure's SQL may use is declared on SqlExecutor.)
 */
export interface Capabilities {
  /**
   * Other hub processes may write this database at the same time (PostgreSQL): what this
   * process keeps of it can go stale. A SQLite file is held by one serving process.
   */
  readonly sharedByProcesses: boolean;
  /** Concurrent procedure calls share one transaction and one commit (see WriteChannel.groupsCalls). */
  readonly groupCommit: boolean;
  /**
   * A condition on a column holding the writing transaction's id (a `txid` column,
   * db/migrations.ts) that holds for rows no later commit can come before: read in (tx, seq)
   * order with it, a reader never sees a row appear behind one it has already passed.
   * PostgreSQL: the transaction ended before every one still running; SQLite, with one writer
   * committing in order: always.
   */
  readonly settled: (txColumn: string) => string;
  /** `column` is one of the JSON array of strings bound as the one parameter (as SqlExecutor.inJsonList), for reads. */
  readonly inJsonList: (column: string) => string;
}

/** What a dialect supplies; the Database puts the same face on both. */
export interface DialectParts<R extends Registry> {
  capabilities: Omit<Capabilities, 'groupCommit'>;
  /** Reads, and building the queries that writes run. On SQLite a read-only connection on this thread. */
  kysely: Kysely<Tables>;
  /** Every write. */
  channel: WriteChannel<R & typeof builtins>;
  /** Driver errors as the hub's: StoreUnavailableError, UniqueViolationError, InUseError. */
  mapError: (error: unknown) => unknown;
  /** `?` placeholders as this dialect's driver takes them. */
  placeholders: (sql: string) => string;
  listen: (channel: string, listener: () => void) => () => void;
  /** Tells a channel's listeners now, outside any procedure. */
  notify: (channel: string) => Promise<void>;
  /** Releases what `kysely` holds, after the channel has drained. */
  closeReads: () => Promise<void>;
}

/**
 * The one handle features get on storage: reads through Kysely, every write through the write
 * channel as a named procedure (or plain statements, `execute`), notifications between
 * processes. The dialect shows only in what it declares: `capabilities` here, and what
 * procedures' SQL may use on `SqlExecutor`.
 */
export class Database<R extends Registry> {
  readonly capabilities: Capabilities;
  readonly kysely: Kysely<Tables>;

  constructor(private readonly parts: DialectParts<R>) {
    this.capabilities = { ...parts.capabilities, groupCommit: parts.channel.groupsCalls };
    this.kysely = parts.kysely;
  }

  /** A read, its driver errors mapped (an unreachable store is a StoreUnavailableError). */
  async read<T>(query: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
    try {
      return await query(this.kysely);
    } catch (error) {
      throw this.parts.mapError(error);
    }
  }

  run<N extends keyof R & string>(name: N, args: ArgsOf<R[N]>): Promise<ResultOf<R[N]>> {
    return this.parts.channel.run(name, args);
  }

  /** Statements in one transaction; each one's rows (RETURNING). */
  execute(statements: readonly Statement[]): Promise<unknown[][]> {
    return this.parts.channel.run('exec', statements.map((s) => ({ sql: s.sql, parameters: s.parameters })) as never);
  }

  /** One statement's first row, if it returned any. */
  async executeOne<Row>(statement: CompiledQuery<Row>): Promise<Row | undefined> {
    const [rows] = await this.execute([statement]);
    return rows?.[0] as Row | undefined;
  }

  /** Hand-written SQL with `?` placeholders, as this dialect runs it. */
  raw(sql: string, parameters: readonly unknown[]): CompiledQuery {
    return CompiledQuery.raw(this.parts.placeholders(sql), [...parameters]);
  }

  /** Told after each commit that notified `channel`, in any process sharing the database. */
  listen(channel: string, listener: () => void): () => void {
    return this.parts.listen(channel, listener);
  }

  notify(channel: string): Promise<void> {
    return this.parts.notify(channel);
  }

  probe(): Promise<void> {
    return this.parts.channel.probe();
  }

  async close(): Promise<void> {
    await this.parts.channel.close();
    await this.parts.closeReads();
  }
}
