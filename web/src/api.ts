// The admin API, as the dashboard uses it: the token from the session, errors in words.

import type { components, paths } from './api-types.gen';

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

// The shapes of the admin API, named: generated from the hub's route schemas (`npm run api-types`).

type Schemas = components['schemas'];
type AdminApi = { [P in keyof paths as P extends `/admin/api${infer Path}` ? Path : never]: paths[P] };
type Json<Response> = Response extends { content: { 'application/json': infer Body } } ? Body : never;
/** What a route of the admin API answers on success, e.g. `Ok<'/users/{id}', 'get'>`. */
export type Ok<Path extends keyof AdminApi, Method extends 'get' | 'post' | 'put' | 'patch' | 'delete'> = AdminApi[Path][Method] extends { responses: infer Responses }
  ? Json<Responses[Extract<keyof Responses, 200 | 201>]>
  : never;

/** A page of a list: its items, and the cursor of the next page (null on the last). */
export type Page<T> = Omit<Ok<'/users', 'get'>, 'items'> & { items: T[] };

export type User = Schemas['User'];
export type LedgerEntry = Schemas['LedgerEntry'];
/** A balance with the fraction of a coin each source carries toward the next whole coin. */
export type Balance = Schemas['Balance'];
export type CarriedFraction = Balance['carried'][number];
/** "Where is my reward?": the status an app shows its user, and the steps that led to it. */
export type Trace = Schemas['Trace'];
export type TraceState = Trace['status']['state'];
export type TraceStep = Trace['steps'][number];
export type Adjusted = Ok<'/users/{id}/adjustments', 'post'>;
export type StoreApp = Schemas['App'];
export type Offer = Schemas['Offer'];
export type ApiSecret = Schemas['ApiSecret'];
export type ApiSecretCreated = Schemas['ApiSecretCreated'];
/** A key of the reward app's own API (/app/v1), for one store app. */
export type AppKey = Schemas['AppKey'];
export type AppKeyCreated = Schemas['AppKeyCreated'];
export type AppKeyScope = AppKey['scopes'][number];

export type HubEvent = Schemas['Event'];
export type FraudFlag = HubEvent['flags'][number];
/** Fraud review: flagged (credited anyway), held (waits for an operator), approved, rejected. */
export type ReviewState = NonNullable<HubEvent['review']>;

export type FieldPath = Schemas['FieldPath'];
export type SourceDefinition = Schemas['SourceDefinition'];
export type Source = Schemas['Source'];
/** A source as created or changed: with its secret when one was generated. */
export type SourceWithSecret = Schemas['SourceWithSecret'];
export type Presets = Ok<'/presets', 'get'>;
export type SourceSample = Ok<'/sources/{slug}/test', 'get'>;
export type SourceTestResult = Schemas['SourceTest'];

export type DestinationConfig = Schemas['DestinationConfig'];
export type Destination = Schemas['Destination'];
export type DestinationTestResult = Schemas['DestinationTest'];
/** A built-in destination preset: its whole config, and the `<placeholders>` in its URL the operator fills in. */
export type DestinationPreset = Schemas['DestinationPreset'];
export type DeliveryRow = Schemas['DeliveryRow'];
export type DeliveryDetail = Schemas['DeliveryDetail'];
export type Replayed = Ok<'/deliveries/replay', 'post'>;

/** A goal: all of a group of conditions (up to 10), or a count of matching events; its completion is an event of type `goal`. */
export type Goal = Schemas['Goal'];
export type GoalConfig = Schemas['GoalConfig'];
export type GoalCondition = Schemas['GoalCondition'];
/** A user's progress toward a goal: a group's conditions met or not (a count: null), the events counted, completions, the window's end. */
export type GoalProgress = Schemas['GoalProgress'];

export type TrackingLink = Schemas['Link'];
export type Click = Schemas['Click'];

export type FraudPolicy = Schemas['FraudPolicy'];
export type FraudAction = FraudPolicy['unknownClick'];

export type Report = Schemas['Report'];
export type ReportRow = Report['rows'][number];
export type ReportDimension = Report['by'];
export type Stats = Schemas['Stats'];

export type AuditEntry = Schemas['AuditEntry'];
export type AuditChange = AuditEntry['changes'][string];

export type AlertRules = Schemas['AlertRules'];
export type FiringAlert = Schemas['FiringAlert'];
export type AlertNotice = Schemas['AlertNotice'];
export type AlertChannel = Schemas['AlertChannel'];
export type AlertChannelTest = Schemas['AlertChannelTest'];
