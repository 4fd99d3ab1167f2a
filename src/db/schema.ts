/**
 * The tables as Kysely sees them. Times are epoch milliseconds (BIGINT) in both dialects so
 * that the same queries, cursors and comparisons work on SQLite and PostgreSQL; money is
 * integer micro-units and coins are integers, never floats. JSON columns are TEXT on SQLite
 * and JSONB on PostgreSQL: they are written as JSON text and read through `parseJson`.
 */
export interface Tables {
  users: UsersTable;
  store_apps: StoreAppsTable;
  offers: OffersTable;
  api_secrets: ApiSecretsTable;
  events: EventsTable;
  ledger_entries: LedgerEntriesTable;
  sources: SourcesTable;
  destinations: DestinationsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  links: LinksTable;
  clicks: ClicksTable;
  settings: SettingsTable;
  app_keys: AppKeysTable;
  reward_carry: RewardCarryTable;
  credit_feed: CreditFeedTable;
  goals: GoalsTable;
  goal_progress: GoalProgressTable;
  audit_log: AuditLogTable;
  operators: OperatorsTable;
  operator_sessions: OperatorSessionsTable;
  admin_keys: AdminKeysTable;
  alert_state: AlertStateTable;
  alert_history: AlertHistoryTable;
  alert_channels: AlertChannelsTable;
}

/** A person who signs in to the dashboard; an invited one has no password until accepted. */
export interface OperatorsTable {
  id: string;
  email: string;
  role: string;
  password_hash: string | null;
  /** SHA-256 of the invitation's token, until it is accepted. */
  invite_hash: string | null;
  invite_expires_at: number | null;
  invited_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface OperatorSessionsTable {
  /** SHA-256 of the session cookie. */
  id: string;
  operator_id: string;
  created_at: number;
  last_seen_at: number;
  address: string | null;
  user_agent: string | null;
}

export interface AdminKeysTable {
  id: string;
  name: string;
  key_hash: string;
  prefix: string;
  /** JSON: the scopes (features/operators/roles.ts). */
  scopes: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** An alert (a rule and its subject, e.g. a destination's id): firing or resolved, and when it last sent a notice. */
export interface AlertStateTable {
  rule: string;
  subject: string;
  state: string;
  title: string;
  message: string;
  started_at: number;
  last_sent_at: number;
  resolved_at: number | null;
}

/** A notice sent (or being sent): firing, repeat or resolved. */
export interface AlertHistoryTable {
  id: string;
  at: number;
  rule: string;
  subject: string;
  state: string;
  title: string;
  message: string;
  started_at: number;
  /** JSON: the ids of the channels it still has to reach; null once none. */
  pending: string | null;
  /** When any process may (re)send it to those; null once none are pending. */
  retry_at: number | null;
  /** JSON: per channel id, whether it was sent (and the error if not). */
  outcomes: string;
}

/** Where alert notices go: a webhook (its whsec_ secret sealed) or email recipients. */
export interface AlertChannelsTable {
  id: string;
  name: string;
  kind: string;
  config: string;
  secret_ciphertext: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

/** A change made through the admin API: who, when, from where, what (secrets hidden). */
export interface AuditLogTable {
  id: string;
  at: number;
  actor: string;
  address: string | null;
  method: string;
  route: string;
  resource: string;
  resource_id: string | null;
  status: number;
  /** JSON: the fields changed, each with its value before and after (features/audit/changes.ts). */
  changes: string;
}

export interface GoalsTable {
  id: string;
  name: string;
  /** GoalConfig as JSON (features/goals/definition.ts). */
  config: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

/** A user's progress toward a goal: conditions met (bits), events counted, completions. */
export interface GoalProgressTable {
  goal_id: string;
  user_id: string;
  met: number;
  count: number;
  window_start: number;
  completions: number;
  last_event: string | null;
  completed_by: string | null;
  updated_at: number;
  /** The goal's rule as of the row's last event: 'all' or 'count', a group's full mask, a count's target, repeat (0/1), its window. */
  kind: string;
  full_mask: number;
  target: number;
  repeat: number;
  window_ms: number | null;
}

/** A reward app's API keys: only their hashes are stored. */
export interface AppKeysTable {
  id: string;
  app_pid: string;
  name: string | null;
  key_hash: string;
  prefix: string;
  /** JSON array of scopes. */
  scopes: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** The fraction of a coin (micro-coins, 0 to 999,999) a user's rewards from a source have left over. */
export interface RewardCarryTable {
  user_id: string;
  source: string;
  micros: number;
  updated_at: number;
}

/** The credit feed: a row per ledger entry of an app's user, until the app acknowledges it. */
export interface CreditFeedTable {
  seq: number;
  /** The writing transaction (PostgreSQL xid8, read as text); 0 on SQLite. */
  tx: string | number;
  app_pid: string;
  entry_id: string;
  user_id: string;
  acked_at: number | null;
}

export interface LinksTable {
  id: string;
  name: string | null;
  offer_id: string;
  partner: string | null;
  /** JSON: the link's target and modes (see domain/links). */
  config: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface ClicksTable {
  id: string;
  link_id: string;
  offer_id: string;
  partner: string | null;
  user_id: string | null;
  partner_click_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** JSON: the click's query parameters. */
  query: string | null;
  created_at: number;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface DestinationsTable {
  id: string;
  name: string;
  /** DestinationConfig as JSON (domain/destinations/definition.ts). */
  config: string;
  /** Bearer token and signing secrets, sealed (lib/secret-box.ts). */
  secrets_ciphertext: string | null;
  enabled: number;
  paused_at: number | null;
  pause_reason: string | null;
  consecutive_failures: number;
  created_at: number;
  updated_at: number;
}

/** States: pending → delivering (leased) → succeeded | pending (retry) | failed. */
export interface DeliveriesTable {
  id: string;
  event_id: string;
  destination_id: string;
  state: string;
  /** Every attempt, across replays: the next attempt's number is this plus one. */
  attempts: number;
  /** How many attempts came before the last replay: the retry policy counts `attempts - round_start`. */
  round_start: number;
  next_attempt_at: number | null;
  lease_until: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface DeliveryAttemptsTable {
  id: string;
  delivery_id: string;
  attempt: number;
  started_at: number;
  url: string;
  method: string;
  request_headers: string;
  status: number | null;
  latency_ms: number | null;
  response_excerpt: string | null;
  error: string | null;
}

export interface SourcesTable {
  slug: string;
  name: string | null;
  preset: string;
  /** The operator's changes to the preset (JSON): see domain/sources/presets.ts. */
  overrides: string;
  /** The source secret, encrypted (lib/secret-box.ts); never stored in clear. */
  secret_ciphertext: string | null;
  /** 1 or 0 (SQLite has no boolean). */
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface UsersTable {
  id: string;
  app_id: string | null;
  device_id: string | null;
  /** Sum of the user's ledger entries, kept in the same transaction as each entry. */
  coins: number;
  created_at: number;
  updated_at: number;
}

export interface StoreAppsTable {
  pid: string;
  name: string | null;
  created_at: number;
}

export interface OffersTable {
  id: string;
  name: string | null;
  created_at: number;
}

export interface ApiSecretsTable {
  id: string;
  name: string | null;
  /** SHA-256 of the secret, hex: secrets are random and long, so a fast hash is enough. */
  secret_hash: string;
  /** The first characters, so an operator can tell secrets apart without seeing them. */
  prefix: string;
  created_at: number;
  revoked_at: number | null;
}

export interface EventsTable {
  id: string;
  source: string;
  type: string;
  outcome: string;
  reason: string | null;
  detail: string | null;
  external_id: string | null;
  /** Equals external_id on accepted events only; unique per source, so it is the dedupe lock. */
  dedupe_key: string | null;
  duplicate_of: string | null;
  user_id: string | null;
  offer_id: string | null;
  app_pid: string | null;
  level: number | null;
  coins: number;
  amount_micros: number | null;
  currency: string | null;
  click_id: string | null;
  metadata: string;
  raw: string | null;
  received_at: number;
  partner: string | null;
  link_id: string | null;
  partner_click_id: string | null;
  /** JSON array of fraud-check findings, or null when none. */
  flags: string | null;
  review: string | null;
  /** The exact reward in micro-coins (signed: a reversal's is negative); null before 0006. */
  reward_micros: number | null;
  /** The W3C traceparent of the intake that recorded it; null when tracing was off. */
  trace_context: string | null;
  /** 1: a dashboard test postback (credits nothing; left out of reports, stats and traces). */
  test: number;
}

export interface LedgerEntriesTable {
  id: string;
  user_id: string;
  event_id: string | null;
  delta: number;
  kind: string;
  created_at: number;
  /** A manual adjustment's reason. */
  note: string | null;
}

/** JSON columns come back as text from SQLite and as parsed values from PostgreSQL. */
export function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
