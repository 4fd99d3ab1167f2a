// The admin API, as the dashboard uses it: the token from the session, errors in words.

const TOKEN_KEY = 'postback-hub.admin-token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** An answer that is not a success, with the hub's message and the field at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

type Listener = (message: string) => void;
let onUnauthorized: Listener = () => {};
/** Called when the hub refuses the token: the app goes back to sign-in with the message. */
export function setUnauthorizedListener(listener: Listener): void {
  onUnauthorized = listener;
}

const BASE = '/admin/api';

async function send(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal; accept?: string } = {}): Promise<Response> {
  const token = getToken();
  const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal === undefined ? {} : { signal: init.signal }),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'The hub cannot be reached: check that it is running and your connection.');
  }
  if (response.ok) return response;
  let body: { error?: string; message?: string; field?: string } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // not JSON: described by the status below
  }
  const message = body.message ?? describeStatus(response.status);
  if (response.status === 401) {
    onUnauthorized('The hub refused the admin token. Sign in again.');
  }
  throw new ApiError(response.status, body.error ?? `http_${response.status}`, message, body.field);
}

function describeStatus(status: number): string {
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many failed sign-ins from this address; wait a minute and try again.';
  if (status === 503) return 'The hub’s store is unavailable right now; try again in a moment.';
  if (status >= 500) return `The hub failed to answer (HTTP ${status}).`;
  return `The hub answered HTTP ${status}.`;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const response = await send(path, init);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Downloads a file the API streams (e.g. the CSV), under the given name. */
export async function download(path: string, filename: string): Promise<void> {
  const response = await send(path, { accept: 'text/csv' });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Checks a token without keeping it. */
export async function checkToken(token: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${BASE}/sources?limit=1`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'network', 'The hub cannot be reached: check that it is running and your connection.');
  }
  if (response.status === 401) throw new ApiError(401, 'unauthorized', 'That admin token is not the hub’s. Check it and try again.');
  if (!response.ok) throw new ApiError(response.status, 'http', describeStatus(response.status));
}

export function qs(params: Record<string, string | number | undefined | null | false>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

// The shapes of the admin API (src/http/schemas.ts and the route files).

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Outcome = 'accepted' | 'duplicate' | 'rejected';
export type DeliveryState = 'pending' | 'delivering' | 'succeeded' | 'failed';

export interface RawRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  ip: string;
  body: string | null;
  bodyTruncated: boolean;
}

export interface HubEvent {
  id: string;
  source: string;
  type: string;
  outcome: Outcome;
  reason: string | null;
  detail: string | null;
  externalId: string | null;
  duplicateOf: string | null;
  userId: string | null;
  offerId: string | null;
  appPid: string | null;
  level: number | null;
  coins: number;
  amount: string | null;
  currency: string | null;
  clickId: string | null;
  /** Attribution: the partner whose traffic it was, through which link, with the partner's own click id. */
  partner: string | null;
  linkId: string | null;
  partnerClickId: string | null;
  /** Fraud-check findings. */
  flags: FraudFlag[];
  review: ReviewState | null;
  metadata: Record<string, unknown>;
  raw: RawRequest | null;
  receivedAt: string;
}

/** Fraud review: flagged (credited anyway), held (waits for an operator), approved, rejected. */
export type ReviewState = 'flagged' | 'held' | 'approved' | 'rejected';

export interface FraudFlag {
  check: string;
  action: 'flag' | 'hold';
  detail: string;
}

export type FieldPath = string | string[];
export interface SourceDefinition {
  fields: Record<string, FieldPath | undefined>;
  defaults?: { eventType?: string; currency?: string };
  dedupeKey?: FieldPath[];
  users?: 'create' | 'must-exist';
  auth: Array<{ kind: string; [key: string]: unknown }>;
  reward: { kind: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Source {
  slug: string;
  name: string | null;
  preset: string;
  enabled: boolean;
  overrides: Record<string, unknown>;
  definition: SourceDefinition;
  hasSecret: boolean;
  inboundUrl: string;
  createdAt: string;
  updatedAt: string;
  secret?: string;
}

export interface SourceTestResult {
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };
  notes: string[];
  answer: { status: number; contentType: string; body: string };
  event: HubEvent | null;
}

export interface DestinationConfig {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  match: { eventTypes?: string[]; sources?: string[]; offers?: string[]; partners?: string[] };
  unknownMacros: 'empty' | 'keep' | 'error';
  retry: { kind: 'linear'; intervalMs: number; resends: number } | { kind: 'schedule'; delaysMs: number[] } | { kind: 'exponential'; baseMs: number; capMs: number; maxAttempts: number; jitter: boolean };
  success: { kind: '2xx' } | { kind: 'status'; status: number } | { kind: 'body'; equals: string };
  timeoutMs: number;
  followRedirects: boolean;
  signing?: { kind: 'standard-webhooks' } | { kind: 'hmac-header'; header: string; algorithm: 'sha1' | 'sha256' | 'sha512' };
  pauseAfterFailures: number;
  maxConcurrency?: number;
  ratePerSecond?: number;
}

export interface Destination {
  id: string;
  name: string;
  config: DestinationConfig;
  enabled: boolean;
  paused: { at: string; reason: string | null } | null;
  consecutiveFailures: number;
  hasBearerToken: boolean;
  hasSigningSecret: boolean;
  createdAt: string;
  updatedAt: string;
  signingSecret?: string;
}

export interface DestinationTestResult {
  success: boolean;
  request: { url: string; method: string; headers: Record<string, string>; body: string | null } | null;
  status: number | null;
  excerpt: string | null;
  error: string | null;
  latencyMs: number;
}

export interface Delivery {
  id: string;
  eventId: string;
  destinationId: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryRow extends Delivery {
  eventType: string;
  userId: string | null;
  offerId: string | null;
  payout: string | null;
  currency: string | null;
  advertiser: string | null;
}

export interface Attempt {
  attempt: number;
  startedAt: string;
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  status: number | null;
  latencyMs: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

export interface DeliveryDetail extends Delivery {
  history: Attempt[];
}

export interface User {
  id: string;
  coins: number;
  appId: string | null;
  deviceId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LedgerEntry {
  id: string;
  userId: string;
  eventId: string | null;
  delta: number;
  kind: string;
  createdAt: string;
}

export interface StoreApp {
  pid: string;
  name: string | null;
  createdAt: string;
}

export interface Offer {
  id: string;
  name: string | null;
  createdAt: string;
}

export interface ApiSecret {
  id: string;
  name: string | null;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  secret?: string;
}

/** Where a link's clicks go: exactly one of a URL template or a Play Store listing. */
export interface LinkConfig {
  target?: string;
  playStore?: { package: string; pid: string };
  /** The click's query parameter carrying the partner's own click id (default click_id). */
  partnerClickIdParam?: string;
}

export interface TrackingLink {
  id: string;
  name: string | null;
  offerId: string;
  partner: string | null;
  config: LinkConfig;
  enabled: boolean;
  /** The link to give out: origin/c/ID. */
  url: string;
  createdAt: string;
  updatedAt: string;
}

export interface Click {
  id: string;
  linkId: string;
  offerId: string;
  partner: string | null;
  userId: string | null;
  partnerClickId: string | null;
  ip: string | null;
  userAgent: string | null;
  query: Record<string, string>;
  createdAt: string;
}

export type FraudAction = 'off' | 'flag' | 'hold';

export interface FraudPolicy {
  attributionWindowDays: number;
  unknownClick: FraudAction;
  fastConversion: { action: FraudAction; seconds: number };
  clicksPerIp: { action: FraudAction; max: number; windowMinutes: number };
  perUserPerDay: { action: FraudAction; max: number };
  perOfferPerDay: { action: FraudAction; max: number };
  perUserPerOffer: { action: FraudAction; max: number };
  repeatOfferCredit: FraudAction;
}

export type ReportDimension = 'offer' | 'partner' | 'day';

export interface ReportRow {
  /** The offer id, the partner, or the UTC day (YYYY-MM-DD); null: none. */
  key: string | null;
  clicks: number;
  conversions: number;
  /** Of those, attributed to a tracking-link click. */
  attributedConversions: number;
  /** attributedConversions / clicks. */
  conversionRate: number | null;
  /** Per currency, decimal strings. */
  revenue: Record<string, string>;
  coins: number;
}

export interface Report {
  from: string;
  to: string;
  by: ReportDimension;
  rows: ReportRow[];
}

export interface StatsCounts {
  accepted: number;
  duplicate: number;
  rejected: number;
  coinsCredited: number;
  coinsReversed: number;
  revenue: Record<string, string>;
  deliveries: Record<DeliveryState, number>;
  successRate: number | null;
}

export interface Stats {
  from: string;
  to: string;
  bucketSeconds: number;
  now: string;
  buckets: Array<StatsCounts & { start: string }>;
  totals: StatsCounts;
  backlog: { pending: number; delivering: number; failed: number };
  oldestDueAgeSeconds: number | null;
  pausedDestinations: number;
}
