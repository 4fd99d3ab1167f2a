// The admin API, as the dashboard uses it: a signed-in operator's session cookie (with its CSRF
// token on every change) or a bearer credential (the admin token or an admin API key) kept in
// this tab; errors in words.

import type { components, paths } from './api-types.gen';

const TOKEN_KEY = 'postback-hub.admin-token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

// The session's CSRF token lives in memory only: the hub answers it again on GET /session.
let csrfToken: string | null = null;

// The session cookie is HttpOnly, out of the page's sight. This says only that this browser signed in
// with a password and has not signed out (no secret): without it, start-up shows sign-in without
// asking the hub, whose 401 would be the browser console's error on every visit.
const SESSION_HINT_KEY = 'postback-hub.signed-in';
function hintSession(on: boolean): void {
  if (on) localStorage.setItem(SESSION_HINT_KEY, '1');
  else localStorage.removeItem(SESSION_HINT_KEY);
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
/** Called when the hub refuses the token or the session: the app goes back to sign-in with the message. */
export function setUnauthorizedListener(listener: Listener): void {
  onUnauthorized = listener;
}

const BASE = '/admin/api';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const UNREACHABLE = 'The hub cannot be reached: check that it is running and your connection.';

interface SendInit {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  accept?: string;
}

/** One request: a bearer token when this tab holds one, else the session cookie and, on a change, the CSRF token. */
async function request(path: string, init: SendInit, bearer: string | null = getToken()): Promise<Response> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  else if (UNSAFE.has(method) && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(`${BASE}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal === undefined ? {} : { signal: init.signal }),
      cache: 'no-store',
      // A bearer token needs no cookie; a session is the cookie (same origin only).
      credentials: bearer === null ? 'same-origin' : 'omit',
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network', UNREACHABLE);
  }
}

async function failure(response: Response): Promise<ApiError> {
  let body: { error?: string; message?: string; field?: string } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // not JSON: described by the status below
  }
  return new ApiError(response.status, body.error ?? `http_${response.status}`, body.message ?? describeStatus(response.status), body.field);
}

async function send(path: string, init: SendInit = {}): Promise<Response> {
  const bearer = getToken();
  let response = await request(path, init, bearer);
  if (response.ok) return response;
  let error = await failure(response);
  // The CSRF token may be stale (another tab signed in again): read it once more, and retry once.
  if (bearer === null && error.status === 403 && error.code === 'csrf') {
    const again = await request('/session', {}, null);
    if (again.ok) {
      csrfToken = ((await again.json()) as Session).csrfToken;
      response = await request(path, init, null);
      if (response.ok) return response;
      error = await failure(response);
    } else error = await failure(again);
  }
  if (error.status === 401) {
    setToken(null);
    hintSession(false);
    csrfToken = null;
    onUnauthorized(bearer === null ? 'Your session has ended; sign in again.' : 'The hub refused the admin token. Sign in again.');
  }
  throw error;
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

/** Keeps a session answer's CSRF token for the changes that follow. */
function kept(session: Session): Session {
  csrfToken = session.csrfToken;
  return session;
}

/**
 * Who this tab is signed in as, asked at start-up: the token it holds, else the session cookie.
 * `ended`: the session this browser had is over (the sign-in page says so).
 */
export async function currentSession(): Promise<{ session: Session } | { session: null; ended: boolean }> {
  const token = getToken();
  if (token === null && localStorage.getItem(SESSION_HINT_KEY) === null) return { session: null, ended: false };
  const response = await request('/session', {}, token);
  if (response.status === 401) {
    setToken(null);
    hintSession(false);
    return { session: null, ended: token === null };
  }
  if (!response.ok) throw await failure(response);
  return { session: kept((await response.json()) as Session) };
}

/** Signs in with the admin token or an admin API key: checked, then kept in this tab. */
export async function signInWithToken(token: string): Promise<Session> {
  const response = await request('/session', {}, token);
  if (response.status === 401) throw new ApiError(401, 'unauthorized', 'That admin token is not the hub’s. Check it and try again.');
  if (!response.ok) throw await failure(response);
  setToken(token);
  hintSession(false);
  return kept((await response.json()) as Session);
}

/** Signs in with an email and password: the hub sets the session cookie and answers the CSRF token. */
export async function signInWithPassword(email: string, password: string): Promise<Session> {
  setToken(null);
  const response = await request('/session', { body: { email, password } }, null);
  if (!response.ok) throw await failure(response);
  hintSession(true);
  return kept((await response.json()) as Session);
}

/** Accepts an invitation: sets the operator's password and signs them in. */
export async function acceptInvitation(token: string, password: string): Promise<Session> {
  setToken(null);
  const response = await request('/invitations/accept', { body: { token, password } }, null);
  if (!response.ok) throw await failure(response);
  hintSession(true);
  return kept((await response.json()) as Session);
}

/** Signs out: ends the session on the hub (a token is only forgotten by this tab). */
export async function signOut(): Promise<void> {
  const bearer = getToken();
  setToken(null);
  hintSession(false);
  if (bearer === null) {
    const response = await request('/session', { method: 'DELETE' }, null);
    // Already over is signed out too.
    if (!response.ok && response.status !== 401) throw await failure(response);
  }
  csrfToken = null;
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
/** A link as the list gives it: with its clicks and conversions so far. */
export type ListedLink = Schemas['ListedLink'];
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
/** Who is signed in (an operator, or a key: the admin token is an owner key), with their scopes. */
export type Session = Schemas['Session'];
export type Scope = Schemas['Scope'];
export type Role = Schemas['Role'];
export type Operator = Schemas['Operator'];
export type Invitation = Schemas['Invitation'];
export type AdminKey = Schemas['AdminKey'];
export type AdminKeyCreated = Schemas['AdminKeyCreated'];
