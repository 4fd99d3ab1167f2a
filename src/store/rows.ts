import { parseJson, type DeliveryAttemptsTable, type DeliveriesTable, type DestinationsTable, type SourcesTable, type ApiSecretsTable, type EventsTable, type LedgerEntriesTable, type OffersTable, type StoreAppsTable, type UsersTable, type LinksTable, type ClicksTable } from '../db/schema.js';
import type { AttemptRecord, DeliveryRecord, DeliveryState, DestinationRecord, SourceRecord, ApiSecretRecord, AppRecord, EventOutcome, EventRecord, LedgerEntryRecord, OfferRecord, RawRequest, UserRecord, LinkRecord, ClickRecord, ReviewState } from './store.js';
import type { FraudFlag } from '../features/conversions/fraud.js';

// Rows → records. BIGINT columns arrive as numbers from both drivers (see postgres/pool.ts).

/** A list of every column of `Row`: the compiler refuses one that misses a column. */
export function allColumns<Row>() {
  return <const Columns extends ReadonlyArray<keyof Row & string>>(columns: Columns & (Exclude<keyof Row, Columns[number]> extends never ? unknown : never)): Columns => columns;
}

/**
 * Every column of `events`, in the order the store writes and reads them: the recording's
 * parameters (`eventParams`) and a claim's rows of values follow it.
 */
export const EVENT_COLUMNS = allColumns<EventsTable>()([
  'id', 'source', 'type', 'outcome', 'reason', 'detail', 'external_id', 'dedupe_key', 'duplicate_of', 'user_id', 'offer_id', 'app_pid', 'level',
  'coins', 'amount_micros', 'currency', 'click_id', 'metadata', 'raw', 'received_at', 'partner', 'link_id', 'partner_click_id', 'flags', 'review',
]);

/**
 * Rows read as values (`SqlExecutor.values`) seen as the row objects of their `columns`, for
 * the mappers below: each column a getter on one shared prototype, so a row costs one small
 * object, not one property added at a time (ten times slower, and a garbage collector's meal).
 */
export function rowReader<Row>(columns: ReadonlyArray<keyof Row & string>): (values: readonly unknown[]) => Row {
  const prototype: object = {};
  columns.forEach((column, i) => {
    Object.defineProperty(prototype, column, {
      get(this: { values: readonly unknown[] }) {
        return this.values[i];
      },
    });
  });
  return (values) => {
    const row = Object.create(prototype) as { values: readonly unknown[] };
    row.values = values;
    return row as Row;
  };
}

export function userFromRow(row: UsersTable): UserRecord {
  return {
    id: row.id,
    appId: row.app_id,
    deviceId: row.device_id,
    coins: Number(row.coins),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function appFromRow(row: StoreAppsTable): AppRecord {
  return { pid: row.pid, name: row.name, createdAt: Number(row.created_at) };
}

export function offerFromRow(row: OffersTable): OfferRecord {
  return { id: row.id, name: row.name, createdAt: Number(row.created_at) };
}

export function apiSecretFromRow(row: Omit<ApiSecretsTable, 'secret_hash'>): ApiSecretRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

export function ledgerEntryFromRow(row: LedgerEntriesTable): LedgerEntryRecord {
  return {
    id: row.id,
    userId: row.user_id,
    eventId: row.event_id,
    delta: Number(row.delta),
    kind: row.kind,
    createdAt: Number(row.created_at),
  };
}

export function sourceFromRow(row: SourcesTable): SourceRecord {
  return {
    slug: row.slug,
    name: row.name,
    preset: row.preset,
    overrides: parseJson<Record<string, unknown>>(row.overrides),
    secretCiphertext: row.secret_ciphertext,
    enabled: Number(row.enabled) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function destinationFromRow(row: DestinationsTable): DestinationRecord {
  return {
    id: row.id,
    name: row.name,
    config: parseJson<Record<string, unknown>>(row.config),
    secretsCiphertext: row.secrets_ciphertext,
    enabled: Number(row.enabled) === 1,
    pausedAt: row.paused_at === null ? null : Number(row.paused_at),
    pauseReason: row.pause_reason,
    consecutiveFailures: Number(row.consecutive_failures),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function deliveryFromRow(row: DeliveriesTable): DeliveryRecord {
  return {
    id: row.id,
    eventId: row.event_id,
    destinationId: row.destination_id,
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function attemptFromRow(row: DeliveryAttemptsTable): AttemptRecord {
  return {
    id: row.id,
    attempt: Number(row.attempt),
    startedAt: Number(row.started_at),
    url: row.url,
    method: row.method,
    requestHeaders: parseJson<Record<string, string>>(row.request_headers),
    status: row.status === null ? null : Number(row.status),
    latencyMs: row.latency_ms === null ? null : Number(row.latency_ms),
    responseExcerpt: row.response_excerpt,
    error: row.error,
  };
}

export function eventFromRow(row: EventsTable): EventRecord {
  return {
    id: row.id,
    source: row.source,
    type: row.type,
    outcome: row.outcome as EventOutcome,
    reason: row.reason,
    detail: row.detail,
    externalId: row.external_id,
    duplicateOf: row.duplicate_of,
    userId: row.user_id,
    offerId: row.offer_id,
    appPid: row.app_pid,
    level: row.level === null ? null : Number(row.level),
    coins: Number(row.coins),
    amountMicros: row.amount_micros === null ? null : Number(row.amount_micros),
    currency: row.currency,
    clickId: row.click_id,
    metadata: parseJson<Record<string, unknown>>(row.metadata),
    raw: row.raw === null ? null : parseJson<RawRequest>(row.raw),
    receivedAt: Number(row.received_at),
    partner: row.partner,
    linkId: row.link_id,
    partnerClickId: row.partner_click_id,
    flags: row.flags === null ? [] : parseJson<FraudFlag[]>(row.flags),
    review: row.review as ReviewState | null,
  };
}

export function linkFromRow(row: LinksTable): LinkRecord {
  return {
    id: row.id,
    name: row.name,
    offerId: row.offer_id,
    partner: row.partner,
    config: parseJson<Record<string, unknown>>(row.config),
    enabled: Number(row.enabled) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function clickFromRow(row: ClicksTable): ClickRecord {
  return {
    id: row.id,
    linkId: row.link_id,
    offerId: row.offer_id,
    partner: row.partner,
    userId: row.user_id,
    partnerClickId: row.partner_click_id,
    ip: row.ip,
    userAgent: row.user_agent,
    query: row.query === null ? {} : parseJson<Record<string, string>>(row.query),
    createdAt: Number(row.created_at),
  };
}
