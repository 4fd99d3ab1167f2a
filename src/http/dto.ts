import type { Static } from 'typebox';
import { formatMicros } from '../lib/money.js';
import type { UserRecord } from '../features/ledger/ledger-types.js';
import { formatCoins } from '../features/ledger/carry.js';
import { partnerName } from '../features/ledger/reasons.js';
import type { AppKeyRecord } from '../features/reward-app/app-keys.js';
import type { ToldEntry } from '../features/reward-app/reward-app-service.js';
import type { Trace } from '../features/reward-app/trace.js';
import type { AppRecord, OfferRecord } from '../features/catalog/catalog-types.js';
import type { ApiSecretRecord } from '../features/api-secrets/api-secrets-types.js';
import type { EventRecord } from '../features/conversions/events-types.js';
import type { AttemptRecord, DeliveryRecord } from '../features/delivery/delivery-types.js';
import type { Page } from '../db/paging.js';
import type { EventSchema } from './schemas.js';

// Records → API JSON: times as ISO-8601, money as decimal strings.

export const iso = (ms: number) => new Date(ms).toISOString();

export const userDto = (u: UserRecord) => ({ id: u.id, coins: u.coins, appId: u.appId, deviceId: u.deviceId, createdAt: iso(u.createdAt), updatedAt: iso(u.updatedAt) });
export const appDto = (a: AppRecord) => ({ pid: a.pid, name: a.name, createdAt: iso(a.createdAt) });
export const offerDto = (o: OfferRecord) => ({ id: o.id, name: o.name, createdAt: iso(o.createdAt) });
export const apiSecretDto = (s: ApiSecretRecord) => ({
  id: s.id,
  name: s.name,
  prefix: s.prefix,
  createdAt: iso(s.createdAt),
  revokedAt: s.revokedAt === null ? null : iso(s.revokedAt),
});
/** A ledger entry with its reason (features/ledger/reasons.ts). */
export const ledgerEntryDto = (e: ToldEntry) => ({
  id: e.id,
  userId: e.userId,
  eventId: e.eventId,
  delta: e.delta,
  kind: e.kind,
  reason: e.reason,
  exactReward: e.rewardMicros === null || e.rewardMicros === 0 || e.kind === 'adjustment' ? null : formatCoins(e.rewardMicros),
  source: e.source,
  offerId: e.offerId,
  note: e.note,
  createdAt: iso(e.createdAt),
});

export const feedEntryDto = (e: ToldEntry & { position: string }) => ({ ...ledgerEntryDto(e), position: e.position });

export const appKeyDto = (k: AppKeyRecord) => ({
  id: k.id,
  appPid: k.appPid,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  createdAt: iso(k.createdAt),
  lastUsedAt: k.lastUsedAt === null ? null : iso(k.lastUsedAt),
  revokedAt: k.revokedAt === null ? null : iso(k.revokedAt),
});

export function balanceDto(b: { user: UserRecord; carried: ReadonlyArray<{ source: string; sourceName: string | null; micros: number }> }) {
  return {
    userId: b.user.id,
    coins: b.user.coins,
    carried: b.carried.map((c) => ({ source: c.source, partner: partnerName(c.source, c.sourceName), fraction: formatCoins(c.micros) })),
    updatedAt: iso(b.user.updatedAt),
  };
}

export function traceDto(t: Trace & { user: UserRecord }) {
  return {
    userId: t.user.id,
    coins: t.user.coins,
    status: t.status,
    steps: t.steps.map((step) => ({ ...step, at: iso(step.at) })),
  };
}

/** The one mapping of an event to its public JSON; the return type holds it to the API's schema. */
export function eventDto(e: EventRecord): Static<typeof EventSchema> {
  return {
    id: e.id,
    source: e.source,
    type: e.type,
    outcome: e.outcome,
    reason: e.reason,
    detail: e.detail,
    externalId: e.externalId,
    duplicateOf: e.duplicateOf,
    userId: e.userId,
    offerId: e.offerId,
    appPid: e.appPid,
    level: e.level,
    coins: e.coins,
    exactReward: e.rewardMicros === null ? null : formatCoins(e.rewardMicros),
    amount: e.amountMicros === null ? null : formatMicros(e.amountMicros),
    currency: e.currency,
    clickId: e.clickId,
    partner: e.partner,
    linkId: e.linkId,
    partnerClickId: e.partnerClickId,
    flags: e.flags,
    review: e.review,
    test: e.test,
    metadata: e.metadata,
    raw: e.raw,
    receivedAt: iso(e.receivedAt),
  };
}

export const deliveryDto = (d: DeliveryRecord) => ({
  id: d.id,
  eventId: d.eventId,
  destinationId: d.destinationId,
  state: d.state,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt === null ? null : iso(d.nextAttemptAt),
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
});

export const attemptDto = (a: AttemptRecord) => ({
  attempt: a.attempt,
  startedAt: iso(a.startedAt),
  url: a.url,
  method: a.method,
  requestHeaders: a.requestHeaders,
  status: a.status,
  latencyMs: a.latencyMs,
  responseExcerpt: a.responseExcerpt,
  error: a.error,
});

export function pageDto<T, D>(page: Page<T>, toDto: (item: T) => D) {
  return { items: page.items.map(toDto), nextCursor: page.nextCursor };
}
