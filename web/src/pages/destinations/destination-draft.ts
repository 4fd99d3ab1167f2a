import type { Destination, DestinationConfig, DestinationPreset } from '../../api';

// The destination form's fields as typed (text), and the API body they make.

export type RetryKind = DestinationConfig['retry']['kind'];
export type SigningKind = 'none' | 'standard-webhooks' | 'hmac-header';
type HmacSigning = Extract<NonNullable<DestinationConfig['signing']>, { kind: 'hmac-header' }>;

export interface DestinationDraft {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  body: string;
  headers: string;
  eventTypes: string;
  sources: string;
  offers: string;
  partners: string;
  goals: string;
  retryKind: RetryKind;
  linear: { interval: string; resends: string };
  schedule: string;
  exponential: { base: string; cap: string; attempts: string };
  success: DestinationConfig['success'];
  timeout: string;
  signing: SigningKind;
  hmac: { header: string; algorithm: HmacSigning['algorithm'] };
  bearer: string;
  removeBearer: boolean;
  enabled: boolean;
  rotate: boolean;
  /** An existing whsec_ secret to sign with instead of a generated one. */
  importSecret: string;
}

export type UpdateDraft = (patch: Partial<DestinationDraft>) => void;

const list = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

const seconds = (text: string) => Math.round(Number(text) * 1000);

/** The form's fields for a destination, or a new one's defaults. */
export function draftOf(destination: Destination | null): DestinationDraft {
  return draftOfConfig(destination?.config, destination?.name ?? '', destination?.enabled ?? true);
}

/** The form filled from a preset's config, keeping the name and state already typed. */
export function draftOfPreset(preset: DestinationPreset, current: DestinationDraft): DestinationDraft {
  return { ...draftOfConfig(preset.config, current.name.trim() === '' ? preset.title : current.name, current.enabled), bearer: current.bearer };
}

/** A preset's URL with the values typed so far; a placeholder left empty stays, for the hub to point out. */
export function presetUrl(preset: DestinationPreset, fills: Readonly<Record<string, string>>): string {
  let url = preset.config.url;
  for (const { placeholder } of preset.fill) {
    const value = fills[placeholder]?.trim() ?? '';
    if (value !== '') url = url.split(placeholder).join(value);
  }
  return url;
}

function draftOfConfig(c: DestinationConfig | undefined, name: string, enabled: boolean): DestinationDraft {
  return {
    name,
    url: c?.url ?? '',
    method: c?.method ?? 'GET',
    body: c?.body ?? '',
    headers: c?.headers ? JSON.stringify(c.headers, null, 2) : '',
    eventTypes: c?.match.eventTypes?.join(', ') ?? '',
    sources: c?.match.sources?.join(', ') ?? '',
    offers: c?.match.offers?.join(', ') ?? '',
    partners: c?.match.partners?.join(', ') ?? '',
    goals: c?.match.goals?.join(', ') ?? '',
    retryKind: c?.retry.kind ?? 'exponential',
    linear: c?.retry.kind === 'linear' ? { interval: String(c.retry.intervalMs / 1000), resends: String(c.retry.resends) } : { interval: '60', resends: '5' },
    schedule: c?.retry.kind === 'schedule' ? c.retry.delaysMs.map((d) => d / 1000).join(', ') : '0, 60, 90, 120, 150',
    exponential: c?.retry.kind === 'exponential' ? { base: String(c.retry.baseMs / 1000), cap: String(c.retry.capMs / 1000), attempts: String(c.retry.maxAttempts) } : { base: '10', cap: '3600', attempts: '10' },
    success: c?.success ?? { kind: '2xx' },
    timeout: String((c?.timeoutMs ?? 10_000) / 1000),
    signing: c?.signing?.kind ?? 'none',
    hmac: c?.signing?.kind === 'hmac-header' ? { header: c.signing.header, algorithm: c.signing.algorithm } : { header: 'X-Signature', algorithm: 'sha256' },
    bearer: '',
    removeBearer: false,
    enabled,
    rotate: false,
    importSecret: '',
  };
}

function retryOf(draft: DestinationDraft): DestinationConfig['retry'] {
  const { linear, exponential } = draft;
  if (draft.retryKind === 'linear') return { kind: 'linear', intervalMs: seconds(linear.interval), resends: Number(linear.resends) };
  if (draft.retryKind === 'schedule') return { kind: 'schedule', delaysMs: list(draft.schedule).map(seconds) };
  return { kind: 'exponential', baseMs: seconds(exponential.base), capMs: seconds(exponential.cap), maxAttempts: Number(exponential.attempts), jitter: true };
}

function matchOf(draft: DestinationDraft): DestinationConfig['match'] {
  return {
    ...(list(draft.eventTypes).length ? { eventTypes: list(draft.eventTypes) } : {}),
    ...(list(draft.sources).length ? { sources: list(draft.sources) } : {}),
    ...(list(draft.offers).length ? { offers: list(draft.offers) } : {}),
    ...(list(draft.partners).length ? { partners: list(draft.partners) } : {}),
    ...(list(draft.goals).length ? { goals: list(draft.goals) } : {}),
  };
}

function signingOf(draft: DestinationDraft): { signing?: DestinationConfig['signing'] } {
  if (draft.signing === 'none') return {};
  return { signing: draft.signing === 'standard-webhooks' ? { kind: 'standard-webhooks' } : { kind: 'hmac-header', header: draft.hmac.header, algorithm: draft.hmac.algorithm } };
}

/** The body to create or update the destination with, or why the fields cannot make one. */
export function payloadOf(draft: DestinationDraft, destination: Destination | null): { error: string } | { payload: Record<string, unknown> } {
  let parsedHeaders: Record<string, string> | undefined;
  if (draft.headers.trim() !== '') {
    try {
      parsedHeaders = JSON.parse(draft.headers) as Record<string, string>;
    } catch {
      return { error: 'Headers must be a JSON object such as {"X-Partner": "hub"}.' };
    }
  }
  const config: Partial<DestinationConfig> & { url: string } = {
    url: draft.url.trim(),
    method: draft.method,
    ...(draft.method === 'POST' && draft.body.trim() !== '' ? { body: draft.body } : {}),
    ...(parsedHeaders ? { headers: parsedHeaders } : {}),
    match: matchOf(draft),
    retry: retryOf(draft),
    success: draft.success,
    timeoutMs: seconds(draft.timeout),
    ...signingOf(draft),
  };
  return {
    payload: {
      name: draft.name.trim(),
      config,
      enabled: draft.enabled,
      ...(draft.bearer !== '' ? { bearerToken: draft.bearer } : destination !== null && draft.removeBearer ? { bearerToken: null } : {}),
      // An imported secret replaces the current one: a rotation asked for alongside it would only be refused.
      ...(draft.signing !== 'none' && draft.importSecret.trim() !== '' ? { signingSecret: draft.importSecret.trim() } : destination !== null && draft.rotate ? { rotateSigningSecret: true } : {}),
    },
  };
}
