// What an admin change changed, as the audit log keeps it: the fields that differ between the
// resource before and after, secrets never shown. Pure.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys whose values are secrets (a source's secret, an app key, a bearer token, a signing secret). */
const SECRET_KEY = /(secret|token|password|^key$)/i;

/** A value with every secret replaced by "[hidden]" (booleans saying whether one is set are kept). */
export function withoutSecrets(value: unknown): Json {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return (value ?? null) as Json;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, SECRET_KEY.test(key) && typeof v !== 'boolean' && v !== null ? '[hidden]' : withoutSecrets(v)]),
  );
}

export type Changes = Record<string, { before: Json; after: Json }>;

/**
 * The top-level fields that differ (a created resource: all of its fields, from null; a deleted
 * one: all of them, to null), secrets hidden on both sides. `updatedAt` is left out: it changes
 * with any change.
 */
export function changesBetween(before: unknown, after: unknown): Changes {
  const b = asRecord(withoutSecrets(before));
  const a = asRecord(withoutSecrets(after));
  const changes: Changes = {};
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (key === 'updatedAt') continue;
    const was = b[key] ?? null;
    const now = a[key] ?? null;
    if (JSON.stringify(was) !== JSON.stringify(now)) changes[key] = { before: was, after: now };
  }
  return changes;
}

function asRecord(value: Json): Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}
