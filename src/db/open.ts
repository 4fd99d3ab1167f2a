import type { DatabaseConfig } from '../app/config.js';
import { openPostgresStore } from './postgres/open.js';
import type { CommitObserver } from './sqlite/group-commit.js';
import { openSqliteStore } from './sqlite/open.js';
import type { Store } from '../store/store.js';

export interface OpenStoreOptions {
  /** PostgreSQL only: run inside this schema. */
  schema?: string;
  /** SQLite only: observe each group commit. */
  onCommit?: CommitObserver;
  /** SQLite only: this process alone may use the file (a serving hub: see sqlite/lock.ts). */
  exclusive?: boolean;
}

/** Opens the configured store and applies pending migrations. */
export function openStore(config: DatabaseConfig, options: OpenStoreOptions = {}): Promise<Store> {
  switch (config.kind) {
    case 'sqlite':
      return openSqliteStore(config.file, { ...(options.onCommit ? { onCommit: options.onCommit } : {}), ...(options.exclusive ? { exclusive: true } : {}) });
    case 'postgres':
      return openPostgresStore({ url: config.url, poolSize: config.poolSize, ...(options.schema ? { schema: options.schema } : {}) });
  }
}
