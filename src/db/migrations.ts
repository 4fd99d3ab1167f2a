import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Numbered schema changes, one entry per change, each written for both dialects. Applied in
 * order at start-up by Kysely's Migrator, which records them and (on PostgreSQL) holds a lock
 * so that several processes starting at once apply each change exactly once. Never edit a
 * released entry: add the next number.
 */
/** The only column types that differ between the dialects. */
export interface ColumnTypes {
  /** Milliseconds, coins, micro-units. */
  time: 'INTEGER' | 'BIGINT';
  json: 'TEXT' | 'JSONB';
  /** An integer key the database numbers itself, in insertion order. */
  serial: string;
  /**
   * The writing transaction's id (PostgreSQL: a feed is read in commit order through it; on
   * SQLite, with one writer, insertion order is commit order and it is always 0).
   */
  txid: string;
}

const COLUMN_TYPES: Record<Dialect, ColumnTypes> = {
  sqlite: { time: 'INTEGER', json: 'TEXT', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT', txid: 'INTEGER NOT NULL DEFAULT 0' },
  postgres: { time: 'BIGINT', json: 'JSONB', serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', txid: 'xid8 NOT NULL DEFAULT pg_current_xact_id()' },
};

/**
 * A migration's statements: written once, from the dialect's column types (every migration from
 * 0004 on), or as the two texts the first three were released with.
 */
type Statements = ((types: ColumnTypes) => string[]) | Record<Dialect, string[]>;

const MIGRATIONS: ReadonlyArray<{ name: string; up: Statements }> = [
  {
    name: '0001_initial',
    up: {
      sqlite: [
        `CREATE TABLE users (
           id TEXT PRIMARY KEY, app_id TEXT, device_id TEXT,
           coins INTEGER NOT NULL DEFAULT 0,
           created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
        `CREATE TABLE store_apps (pid TEXT PRIMARY KEY, name TEXT, created_at INTEGER NOT NULL)`,
        `CREATE TABLE offers (id TEXT PRIMARY KEY, name TEXT, created_at INTEGER NOT NULL)`,
        `CREATE TABLE api_secrets (
           id TEXT PRIMARY KEY, name TEXT, secret_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
           created_at INTEGER NOT NULL, revoked_at INTEGER)`,
        `CREATE TABLE events (
           id TEXT PRIMARY KEY, source TEXT NOT NULL, type TEXT NOT NULL, outcome TEXT NOT NULL,
           reason TEXT, detail TEXT, external_id TEXT, dedupe_key TEXT, duplicate_of TEXT,
           user_id TEXT, offer_id TEXT, app_pid TEXT, level INTEGER,
           coins INTEGER NOT NULL DEFAULT 0, amount_micros INTEGER, currency TEXT, click_id TEXT,
           metadata TEXT NOT NULL DEFAULT '{}', raw TEXT, received_at INTEGER NOT NULL)`,
        `CREATE UNIQUE INDEX events_dedupe ON events (source, dedupe_key)`,
        `CREATE INDEX events_received ON events (received_at)`,
        `CREATE INDEX events_user ON events (user_id, id)`,
        `CREATE TABLE ledger_entries (
           id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),
           event_id TEXT REFERENCES events (id), delta INTEGER NOT NULL, kind TEXT NOT NULL,
           created_at INTEGER NOT NULL)`,
        `CREATE INDEX ledger_user ON ledger_entries (user_id, id)`,
        `CREATE INDEX ledger_event ON ledger_entries (event_id)`,
      ],
      postgres: [
        `CREATE TABLE users (
           id TEXT PRIMARY KEY, app_id TEXT, device_id TEXT,
           coins BIGINT NOT NULL DEFAULT 0,
           created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
        `CREATE TABLE store_apps (pid TEXT PRIMARY KEY, name TEXT, created_at BIGINT NOT NULL)`,
        `CREATE TABLE offers (id TEXT PRIMARY KEY, name TEXT, created_at BIGINT NOT NULL)`,
        `CREATE TABLE api_secrets (
           id TEXT PRIMARY KEY, name TEXT, secret_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
           created_at BIGINT NOT NULL, revoked_at BIGINT)`,
        `CREATE TABLE events (
           id TEXT PRIMARY KEY, source TEXT NOT NULL, type TEXT NOT NULL, outcome TEXT NOT NULL,
           reason TEXT, detail TEXT, external_id TEXT, dedupe_key TEXT, duplicate_of TEXT,
           user_id TEXT, offer_id TEXT, app_pid TEXT, level INTEGER,
           coins BIGINT NOT NULL DEFAULT 0, amount_micros BIGINT, currency TEXT, click_id TEXT,
           metadata JSONB NOT NULL DEFAULT '{}', raw JSONB, received_at BIGINT NOT NULL)`,
        `CREATE UNIQUE INDEX events_dedupe ON events (source, dedupe_key)`,
        `CREATE INDEX events_received ON events (received_at)`,
        `CREATE INDEX events_user ON events (user_id, id)`,
        `CREATE TABLE ledger_entries (
           id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id),
           event_id TEXT REFERENCES events (id), delta BIGINT NOT NULL, kind TEXT NOT NULL,
           created_at BIGINT NOT NULL)`,
        `CREATE INDEX ledger_user ON ledger_entries (user_id, id)`,
        `CREATE INDEX ledger_event ON ledger_entries (event_id)`,
      ],
    },
  },
  {
    name: '0002_sources',
    up: {
      sqlite: [
        `CREATE TABLE sources (
           slug TEXT PRIMARY KEY, name TEXT, preset TEXT NOT NULL, overrides TEXT NOT NULL DEFAULT '{}',
           secret_ciphertext TEXT, enabled INTEGER NOT NULL DEFAULT 1,
           created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
      ],
      postgres: [
        `CREATE TABLE sources (
           slug TEXT PRIMARY KEY, name TEXT, preset TEXT NOT NULL, overrides JSONB NOT NULL DEFAULT '{}',
           secret_ciphertext TEXT, enabled SMALLINT NOT NULL DEFAULT 1,
           created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
      ],
    },
  },
  {
    // The transactional outbox: a delivery row is written in the transaction that records
    // its event, so nothing is lost between the two.
    name: '0003_destinations',
    up: {
      sqlite: [
        `CREATE TABLE destinations (
           id TEXT PRIMARY KEY, name TEXT NOT NULL, config TEXT NOT NULL, secrets_ciphertext TEXT,
           enabled INTEGER NOT NULL DEFAULT 1, paused_at INTEGER, pause_reason TEXT,
           consecutive_failures INTEGER NOT NULL DEFAULT 0,
           created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
        `CREATE TABLE deliveries (
           id TEXT PRIMARY KEY, event_id TEXT NOT NULL REFERENCES events (id),
           destination_id TEXT NOT NULL REFERENCES destinations (id), state TEXT NOT NULL,
           attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER, lease_until INTEGER,
           last_status INTEGER, last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
        `CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at)`,
        `CREATE INDEX deliveries_event ON deliveries (event_id)`,
        `CREATE INDEX deliveries_destination ON deliveries (destination_id, id)`,
        `CREATE TABLE delivery_attempts (
           id TEXT PRIMARY KEY, delivery_id TEXT NOT NULL REFERENCES deliveries (id), attempt INTEGER NOT NULL,
           started_at INTEGER NOT NULL, url TEXT NOT NULL, method TEXT NOT NULL, request_headers TEXT NOT NULL,
           status INTEGER, latency_ms INTEGER, response_excerpt TEXT, error TEXT)`,
        `CREATE INDEX attempts_delivery ON delivery_attempts (delivery_id, attempt)`,
      ],
      postgres: [
        `CREATE TABLE destinations (
           id TEXT PRIMARY KEY, name TEXT NOT NULL, config JSONB NOT NULL, secrets_ciphertext TEXT,
           enabled SMALLINT NOT NULL DEFAULT 1, paused_at BIGINT, pause_reason TEXT,
           consecutive_failures INTEGER NOT NULL DEFAULT 0,
           created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
        `CREATE TABLE deliveries (
           id TEXT PRIMARY KEY, event_id TEXT NOT NULL REFERENCES events (id),
           destination_id TEXT NOT NULL REFERENCES destinations (id), state TEXT NOT NULL,
           attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at BIGINT, lease_until BIGINT,
           last_status INTEGER, last_error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
        `CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at)`,
        `CREATE INDEX deliveries_event ON deliveries (event_id)`,
        `CREATE INDEX deliveries_destination ON deliveries (destination_id, id)`,
        `CREATE TABLE delivery_attempts (
           id TEXT PRIMARY KEY, delivery_id TEXT NOT NULL REFERENCES deliveries (id), attempt INTEGER NOT NULL,
           started_at BIGINT NOT NULL, url TEXT NOT NULL, method TEXT NOT NULL, request_headers JSONB NOT NULL,
           status INTEGER, latency_ms INTEGER, response_excerpt TEXT, error TEXT)`,
        `CREATE INDEX attempts_delivery ON delivery_attempts (delivery_id, attempt)`,
      ],
    },
  },
  {
    // Tracking links, their clicks, and what attribution and fraud screening add to events.
    name: '0004_clicks',
    up: clicksSchema,
  },
  {
    // A link's clicks, newest first (the dashboard's list of them), and whether it has any
    // (deleting it): both read the whole clicks table without this, the second inside a write
    // transaction. Entries land at the end of each link's range, so it costs the click path's
    // write little.
    name: '0005_clicks_link',
    up: () => ['CREATE INDEX clicks_link ON clicks (link_id, id)'],
  },
  {
    // The reward app's side: its keys, the credit feed, the fractions of coins carried per user
    // and source, an event's exact reward, a manual adjustment's reason.
    name: '0006_reward_app',
    up: rewardAppSchema,
  },
  {
    // Goals and each user's progress toward them.
    name: '0007_goals',
    up: ({ time, json }) => [
      `CREATE TABLE goals (
         id TEXT PRIMARY KEY, name TEXT NOT NULL, config ${json} NOT NULL, enabled SMALLINT NOT NULL DEFAULT 1,
         created_at ${time} NOT NULL, updated_at ${time} NOT NULL)`,
      // The goal's rule is kept on each row (as of its last event): one statement advances any goals.
      `CREATE TABLE goal_progress (
         goal_id TEXT NOT NULL REFERENCES goals (id), user_id TEXT NOT NULL, met INTEGER NOT NULL,
         count ${time} NOT NULL, window_start ${time} NOT NULL, completions INTEGER NOT NULL,
         last_event TEXT, completed_by TEXT, updated_at ${time} NOT NULL,
         kind TEXT NOT NULL, full_mask INTEGER NOT NULL, target ${time} NOT NULL, repeat SMALLINT NOT NULL, window_ms ${time},
         PRIMARY KEY (goal_id, user_id))`,
      `CREATE INDEX goal_progress_user ON goal_progress (user_id, goal_id)`,
    ],
  },
  {
    // Every change made through the admin API: appended, never changed.
    name: '0008_audit_log',
    up: ({ time, json }) => [
      `CREATE TABLE audit_log (
         id TEXT PRIMARY KEY, at ${time} NOT NULL, actor TEXT NOT NULL, address TEXT, method TEXT NOT NULL,
         route TEXT NOT NULL, resource TEXT NOT NULL, resource_id TEXT, status INTEGER NOT NULL, changes ${json} NOT NULL)`,
      `CREATE INDEX audit_log_at ON audit_log (at)`,
      `CREATE INDEX audit_log_resource ON audit_log (resource, resource_id)`,
    ],
  },
  {
    // Operators (people, with a role), their sessions, and admin API keys (for automation).
    name: '0009_operators',
    up: ({ time, json }) => [
      `CREATE TABLE operators (
         id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, role TEXT NOT NULL, password_hash TEXT,
         invite_hash TEXT UNIQUE, invite_expires_at ${time}, invited_by TEXT,
         created_at ${time} NOT NULL, updated_at ${time} NOT NULL)`,
      // A session is kept by the SHA-256 of its cookie: a copy of the table signs nobody in.
      `CREATE TABLE operator_sessions (
         id TEXT PRIMARY KEY, operator_id TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
         created_at ${time} NOT NULL, last_seen_at ${time} NOT NULL, address TEXT, user_agent TEXT)`,
      `CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id)`,
      `CREATE TABLE admin_keys (
         id TEXT PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
         scopes ${json} NOT NULL, created_by TEXT NOT NULL, created_at ${time} NOT NULL,
         last_used_at ${time}, revoked_at ${time})`,
    ],
  },
  {
    // Alerts: what is firing (one row per rule and subject, its transitions claimed by
    // compare-and-set so that several processes send each notice once), every notice sent
    // (with the channels still to send it to), and where notices go.
    name: '0010_alerts',
    up: ({ time, json }) => [
      `CREATE TABLE alert_state (
         rule TEXT NOT NULL, subject TEXT NOT NULL, state TEXT NOT NULL, title TEXT NOT NULL, message TEXT NOT NULL,
         started_at ${time} NOT NULL, last_sent_at ${time} NOT NULL, resolved_at ${time},
         PRIMARY KEY (rule, subject))`,
      `CREATE TABLE alert_history (
         id TEXT PRIMARY KEY, at ${time} NOT NULL, rule TEXT NOT NULL, subject TEXT NOT NULL, state TEXT NOT NULL,
         title TEXT NOT NULL, message TEXT NOT NULL, started_at ${time} NOT NULL,
         pending ${json}, retry_at ${time}, outcomes ${json} NOT NULL)`,
      `CREATE INDEX alert_history_rule ON alert_history (rule, id)`,
      `CREATE INDEX alert_history_retry ON alert_history (retry_at) WHERE retry_at IS NOT NULL`,
      `CREATE TABLE alert_channels (
         id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, config ${json} NOT NULL, secret_ciphertext TEXT,
         enabled SMALLINT NOT NULL DEFAULT 1, created_at ${time} NOT NULL, updated_at ${time} NOT NULL)`,
    ],
  },
  {
    // The W3C traceparent of the intake that recorded an event, when tracing is on: its
    // deliveries' attempts, sent later and maybe by another process, continue that trace.
    name: '0011_events_trace_context',
    up: () => ['ALTER TABLE events ADD COLUMN trace_context TEXT'],
  },
  {
    // A dashboard test postback is recorded through the real intake but flagged: it credits no
    // ledger, and reports, stats, traces and alerts leave it out. Its deliveries are the event's
    // (a delivery belongs to one event), so they read the flag from it.
    name: '0012_test_events',
    up: () => ['ALTER TABLE events ADD COLUMN test SMALLINT NOT NULL DEFAULT 0'],
  },
  {
    // A replay starts a new round of the retry policy without renumbering the attempts: the
    // delivery keeps counting every attempt, and `round_start` holds how many came before the
    // round (the policy counts from there). The links list counts each link's conversions
    // through `events_link`, partial so that an event without a click costs the index nothing.
    name: '0013_replay_rounds',
    up: () => [
      `ALTER TABLE deliveries ADD COLUMN round_start INTEGER NOT NULL DEFAULT 0`,
      `CREATE INDEX events_link ON events (link_id) WHERE link_id IS NOT NULL`,
    ],
  },
];

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    getMigrations() {
      const entries = MIGRATIONS.map(({ name, up }): [string, Migration] => [
        name,
        {
          async up(db: Kysely<unknown>) {
            for (const statement of typeof up === 'function' ? up(COLUMN_TYPES[dialect]) : up[dialect]) await sql.raw(statement).execute(db);
          },
        },
      ]);
      return Promise.resolve(Object.fromEntries(entries));
    },
  };
}

function clicksSchema({ time, json }: ColumnTypes): string[] {
  return [
    `CREATE TABLE links (
       id TEXT PRIMARY KEY, name TEXT, offer_id TEXT NOT NULL REFERENCES offers (id), partner TEXT,
       config ${json} NOT NULL, enabled SMALLINT NOT NULL DEFAULT 1,
       created_at ${time} NOT NULL, updated_at ${time} NOT NULL)`,
    `CREATE TABLE clicks (
       id TEXT PRIMARY KEY, link_id TEXT NOT NULL, offer_id TEXT NOT NULL, partner TEXT,
       user_id TEXT, partner_click_id TEXT, ip TEXT, user_agent TEXT, query ${json},
       created_at ${time} NOT NULL)`,
    `CREATE INDEX clicks_created ON clicks (created_at)`,
    `CREATE INDEX clicks_user_offer ON clicks (user_id, offer_id, created_at)`,
    `CREATE INDEX clicks_ip ON clicks (ip, created_at)`,
    `CREATE TABLE settings (key TEXT PRIMARY KEY, value ${json} NOT NULL, updated_at ${time} NOT NULL)`,
    `ALTER TABLE events ADD COLUMN partner TEXT`,
    `ALTER TABLE events ADD COLUMN link_id TEXT`,
    `ALTER TABLE events ADD COLUMN partner_click_id TEXT`,
    `ALTER TABLE events ADD COLUMN flags ${json}`,
    `ALTER TABLE events ADD COLUMN review TEXT`,
    `CREATE INDEX events_offer ON events (offer_id, received_at)`,
    `CREATE INDEX events_review ON events (review, id)`,
  ];
}

function rewardAppSchema({ time, json, serial, txid }: ColumnTypes): string[] {
  return [
    `CREATE TABLE app_keys (
       id TEXT PRIMARY KEY, app_pid TEXT NOT NULL REFERENCES store_apps (pid), name TEXT,
       key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, scopes ${json} NOT NULL,
       created_at ${time} NOT NULL, last_used_at ${time}, revoked_at ${time})`,
    `CREATE INDEX app_keys_app ON app_keys (app_pid, id)`,
    `CREATE TABLE reward_carry (
       user_id TEXT NOT NULL REFERENCES users (id), source TEXT NOT NULL, micros ${time} NOT NULL,
       updated_at ${time} NOT NULL, PRIMARY KEY (user_id, source))`,
    `CREATE TABLE credit_feed (
       seq ${serial}, tx ${txid}, app_pid TEXT NOT NULL, entry_id TEXT NOT NULL REFERENCES ledger_entries (id),
       user_id TEXT NOT NULL, acked_at ${time})`,
    `CREATE INDEX credit_feed_waiting ON credit_feed (app_pid, tx, seq) WHERE acked_at IS NULL`,
    `CREATE INDEX credit_feed_entry ON credit_feed (entry_id)`,
    `CREATE INDEX credit_feed_acked ON credit_feed (acked_at) WHERE acked_at IS NOT NULL`,
    `CREATE INDEX users_app ON users (app_id, id)`,
    `ALTER TABLE events ADD COLUMN reward_micros ${time}`,
    `ALTER TABLE ledger_entries ADD COLUMN note TEXT`,
  ];
}
