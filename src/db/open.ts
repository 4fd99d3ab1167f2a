import type { Database } from './database.js';
import { openPostgres } from './postgres/open.js';
import type { CommitObserver, Registry } from './procedure.js';
import { openSqliteDatabase } from './sqlite/open.js';

/** Where the hub keeps its records: the embedded SQLite file or a PostgreSQL server. */
export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize: number };

export interface OpenOptions<R extends Registry> {
  /** The transactional procedures the write channel runs… */
  procedures: R;
  /** …and the URL of the module that exports them as `procedures` (SQLite's writer thread loads it). */
  proceduresModule: string;
  /** PostgreSQL only: run inside this schema. */
  schema?: string;
  /** Observe each group commit (SQLite; PostgreSQL with `groupCommit`). */
  onCommit?: CommitObserver;
  /**
   * PostgreSQL: concurrent procedure calls share one transaction (as on SQLite, which always
   * groups), those of a procedure that runs `together` as one. On unless set to false: then
   * each call is a transaction of its own.
   */
  groupCommit?: boolean;
  /** SQLite only: this process alone may use the file (a serving hub: see sqlite/lock.ts). */
  exclusive?: boolean;
}

/** Opens the configured database and applies pending migrations. */
export function openDatabase<R extends Registry>(config: DatabaseConfig, options: OpenOptions<R>): Promise<Database<R>> {
  switch (config.kind) {
    case 'sqlite':
      return openSqliteDatabase<R>(config.file, {
        proceduresModule: options.proceduresModule,
        ...(options.onCommit ? { onCommit: options.onCommit } : {}),
        ...(options.exclusive ? { exclusive: true } : {}),
      });
    case 'postgres':
      return openPostgres({ url: config.url, poolSize: config.poolSize, ...(options.schema ? { schema: options.schema } : {}) }, options.procedures, {
        groupCommit: options.groupCommit ?? true,
        ...(options.onCommit ? { onCommit: options.onCommit } : {}),
      });
  }
}
