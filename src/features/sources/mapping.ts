import { parseMicros, parseMicrosTruncating } from '../../lib/money.js';
import type { FieldProblem, Parsed } from '../../lib/validation.js';
import type { FieldPath, ReversalRule, SourceDefinition } from './definition.js';

/** The request's data: query parameters and the parsed body (JSON object or form fields). */
export interface InboundInput {
  query: Record<string, string>;
  body: Record<string, unknown> | null;
}

/** A postback in the hub's terms, before the store decides its outcome. */
export interface MappedPostback {
  userId: string;
  /** The dedupe key: the partner's id, or the configured fields joined. */
  externalId: string;
  offerId: string | null;
  eventType: string;
  amountMicros: number | null;
  currency: string | null;
  level: number | null;
  clickId: string | null;
  status: string | null;
  partnerCoins: number | null;
  /** Epoch milliseconds, when the partner sent one. */
  timestamp: number | null;
  /** A reversal takes back what the original (by this external id) credited. */
  reversalOf: string | null;
  /** The partner's amount as sent, when it was finer than a micro-unit and so cut. */
  amountExact: string | null;
  /** The definition's `keep` fields that were present, by their kept names. */
  data: Record<string, string> | null;
}

/**
 * Reads one value: the body first, then the query; an exact key first (form fields may contain
 * dots), then a nested path. Numbers and booleans become their text; objects are not values.
 */
export function lookup(input: InboundInput, path: FieldPath): string | undefined {
  for (const candidate of typeof path === 'string' ? [path] : path) {
    for (const source of [input.body, input.query] as Array<Record<string, unknown> | null>) {
      if (source === null) continue;
      const value = Object.hasOwn(source, candidate) ? source[candidate] : dig(source, candidate.split('.'));
      const text = asText(value);
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

function dig(value: unknown, keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  return undefined;
}

/** The name a partner knows a field by: the first path of its alternatives. */
function nameOf(path: FieldPath): string {
  return typeof path === 'string' ? path : (path[0] ?? '');
}

const problem = (field: string, message: string): { ok: false; problem: FieldProblem } => ({ ok: false, problem: { field, message } });

export function mapPostback(definition: SourceDefinition, input: InboundInput): Parsed<MappedPostback> {
  const { fields } = definition;
  const read = (path: FieldPath | undefined) => (path === undefined ? undefined : lookup(input, path));

  const userId = read(fields.user);
  if (userId === undefined) return problem(nameOf(fields.user), 'is required');

  const amountText = read(fields.amount);
  let amountMicros: number | null = null;
  let amountExact: string | null = null;
  if (amountText !== undefined) {
    // An estimate may be finer than a micro-unit (Gamezop's revenue per session): it is cut
    // to micro-units rather than refused, which the partner would only retry; the exact text is kept.
    const parsed = parseMicrosTruncating(amountText);
    if (parsed === null) return problem(nameOf(fields.amount!), 'must be a decimal number');
    amountMicros = parsed.micros;
    if (!parsed.exact) amountExact = amountText.trim();
    // Cents to micro-units, rounding toward zero below a hundredth of a cent.
    if (definition.amountUnit === 'cent') amountMicros = Math.trunc(amountMicros / 100);
  }

  const levelText = read(fields.level);
  let level: number | null = null;
  if (levelText !== undefined) {
    if (!/^\d{1,9}$/.test(levelText) || Number(levelText) < 1) return problem(nameOf(fields.level!), 'must be a positive integer');
    level = Number(levelText);
  }

  const rewardText = read(fields.reward);
  let partnerCoins: number | null = null;
  if (rewardText !== undefined) {
    // Partners send rewards as "10", "10.0" or "-10" (a reversal); coins are whole.
    const micros = parseMicros(rewardText);
    if (micros === null || micros % 1_000_000 !== 0) return problem(nameOf(fields.reward!), 'must be a whole number of coins');
    partnerCoins = micros / 1_000_000;
  }

  const timestampText = read(fields.timestamp);
  let timestamp: number | null = null;
  if (timestampText !== undefined) {
    timestamp = parseTimestamp(timestampText);
    if (timestamp === null) return problem(nameOf(fields.timestamp!), 'must be a Unix time or an ISO-8601 date-time');
  }

  const offerId = read(fields.offer) ?? null;
  const eventType = read(fields.eventType) ?? definition.defaults?.eventType ?? 'conversion';
  const clickId = read(fields.clickId) ?? null;
  const hub: Record<string, string | null> = { user: userId, offer: offerId, level: level === null ? null : String(level), eventType, clickId };

  let externalId = read(fields.externalId);
  if (externalId === undefined && definition.dedupeKey !== undefined && definition.dedupeKey.length > 0) {
    const parts: string[] = [];
    for (const part of definition.dedupeKey) {
      const optional = typeof part === 'string' && part.startsWith('?');
      const path = optional ? part.slice(1) : part;
      const isHubField = typeof path === 'string' && path.startsWith('$');
      const value = isHubField ? (hub[path.slice(1)] ?? undefined) : lookup(input, path);
      if (value === undefined && !optional) {
        const name = isHubField ? nameOf(fields[path.slice(1) as keyof typeof fields] ?? path) : nameOf(path);
        return problem(name, 'is required (part of the de-duplication key)');
      }
      parts.push(value ?? '');
    }
    externalId = parts.join('|');
  }
  if (externalId === undefined) {
    return problem(fields.externalId === undefined ? 'externalId' : nameOf(fields.externalId), 'is required (the de-duplication key)');
  }

  const mapped: MappedPostback = {
    userId,
    externalId,
    offerId,
    eventType,
    amountMicros,
    currency: (read(fields.currency) ?? definition.defaults?.currency ?? (amountMicros === null ? null : 'USD'))?.toUpperCase() ?? null,
    level,
    clickId,
    status: read(fields.status) ?? null,
    partnerCoins,
    timestamp,
    reversalOf: null,
    data: kept(definition.keep, input),
    amountExact,
  };
  mapped.reversalOf = reversalOf(definition.reversal, mapped, input);
  return { ok: true, value: mapped };
}

function kept(keep: SourceDefinition['keep'], input: InboundInput): Record<string, string> | null {
  if (keep === undefined) return null;
  const data: Record<string, string> = {};
  for (const [name, path] of Object.entries(keep)) {
    const value = lookup(input, path);
    if (value !== undefined) data[name] = value;
  }
  return Object.keys(data).length === 0 ? null : data;
}

/** The external id of the postback this one reverses, or null if it is not a reversal. */
export function reversalOf(rule: ReversalRule | undefined, mapped: MappedPostback, input: InboundInput): string | null {
  if (rule === undefined) return null;
  const original = () => (rule.kind !== 'prefixed-id' && rule.original !== undefined ? (lookup(input, rule.original) ?? null) : mapped.externalId);
  switch (rule.kind) {
    case 'status':
      return mapped.status !== null && rule.values.includes(mapped.status) ? original() : null;
    case 'flag':
      return lookup(input, rule.path) === rule.value ? original() : null;
    case 'negative-amount':
      return (mapped.amountMicros ?? 0) < 0 || (mapped.partnerCoins ?? 0) < 0 ? original() : null;
    case 'prefixed-id':
      return mapped.externalId.startsWith(rule.prefix) && mapped.externalId.length > rule.prefix.length ? mapped.externalId.slice(rule.prefix.length) : null;
  }
}

/** Unix seconds, milliseconds or microseconds (told apart by size), or ISO-8601; epoch ms. */
export function parseTimestamp(text: string): number | null {
  if (/^\d{9,17}$/.test(text)) {
    const n = Number(text);
    if (n < 1e11) return n * 1000;
    if (n < 1e14) return n;
    return Math.floor(n / 1000);
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
