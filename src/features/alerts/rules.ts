// The alert rules: their settings with defaults, and the pure conditions over a snapshot of the
// store (alerts-dal.ts reads it) that say what is firing now. No I/O here.
import { Type, type Static } from 'typebox';
import { utc } from './notices.js';

export const RULE_NAMES = ['destination_failing', 'destination_paused', 'delivery_backlog', 'source_rejections', 'held_events', 'store_unavailable'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

const Enabled = Type.Boolean({ description: 'Whether the rule is watched' });
const Minutes = (description: string) => Type.Integer({ minimum: 1, maximum: 10_080, description });

export const AlertRulesSchema = Type.Object(
  {
    repeatMinutes: Minutes('A firing alert repeats its notice at most this often'),
    destination_failing: Type.Object({ enabled: Enabled, failures: Type.Integer({ minimum: 1, maximum: 10_000, description: 'Consecutive failed attempts of one destination' }) }, { additionalProperties: false }),
    destination_paused: Type.Object({ enabled: Enabled }, { additionalProperties: false }),
    delivery_backlog: Type.Object({ enabled: Enabled, minutes: Minutes('How long the oldest due delivery has waited') }, { additionalProperties: false }),
    source_rejections: Type.Object(
      {
        enabled: Enabled,
        percent: Type.Integer({ minimum: 1, maximum: 100, description: "Share of a source's requests rejected" }),
        windowMinutes: Type.Integer({ minimum: 1, maximum: 1440, description: 'Over the last this many minutes' }),
        minRequests: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Only with at least this many requests in the window' }),
      },
      { additionalProperties: false },
    ),
    held_events: Type.Object({ enabled: Enabled, minutes: Minutes('Events held for review waiting longer than this') }, { additionalProperties: false }),
    store_unavailable: Type.Object({ enabled: Enabled }, { additionalProperties: false }),
  },
  { additionalProperties: false, title: 'AlertRules' },
);

export type AlertRules = Static<typeof AlertRulesSchema>;

export const DEFAULT_RULES: AlertRules = {
  repeatMinutes: 60,
  destination_failing: { enabled: true, failures: 5 },
  destination_paused: { enabled: true },
  delivery_backlog: { enabled: true, minutes: 10 },
  source_rejections: { enabled: true, percent: 20, windowMinutes: 15, minRequests: 20 },
  held_events: { enabled: true, minutes: 60 },
  store_unavailable: { enabled: true },
};

/** A change to the rules: any rule, any of its fields. */
export type RulesChange = { repeatMinutes?: number } & { [R in Exclude<keyof AlertRules, 'repeatMinutes'>]?: Partial<AlertRules[R]> };

/** The rules with a change applied; fields left out keep their value. */
export function applyRulesChange(rules: AlertRules, change: RulesChange): AlertRules {
  const next = { ...rules } as Record<string, unknown>;
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    next[key] = typeof value === 'object' ? { ...(rules[key as keyof AlertRules] as object), ...value } : value;
  }
  return next as AlertRules;
}

/** Rules kept by an older version may lack a rule or a field added since: defaults fill them. */
export function withDefaults(stored: unknown): AlertRules {
  if (stored === null || typeof stored !== 'object') return DEFAULT_RULES;
  return applyRulesChange(DEFAULT_RULES, stored);
}

/** What the rules read from the store, at one moment. */
export interface AlertSnapshot {
  /** Enabled destinations. */
  destinations: Array<{ id: string; name: string; consecutiveFailures: number; pausedAt: number | null; pauseReason: string | null }>;
  /** When the oldest due delivery became due; null when none is. */
  oldestDueAt: number | null;
  /** Each source's requests in the rejection window, by outcome and reason, with one example detail. */
  sourceTraffic: Array<{ source: string; outcome: string; reason: string | null; count: number; example: string | null }>;
  /** Events held for review longer than the rule's minutes. */
  held: { count: number; oldestAt: number | null };
}

/** One alert found firing: a rule and its subject (a destination id, a source, or the rule's name). */
export interface Finding {
  rule: RuleName;
  subject: string;
  /** What is wrong, in a few words (`Destination "Acme" failing`); also the recovery notice's subject. */
  title: string;
  /** The numbers behind it. */
  message: string;
}

const minutes = (ms: number) => `${Math.floor(ms / 60_000)} min`;

/** A rejection reason as an operator reads it (the codes recorded by recordRejection). */
export function reasonInWords(reason: string | null): string {
  switch (reason) {
    case 'unauthorized':
      return 'authentication failed (bad signature or secret)';
    case 'invalid_request':
      return 'invalid request (a field missing or malformed)';
    case 'unknown_user':
    case 'user_not_found':
      return 'unknown user';
    case 'unknown_offer':
      return 'unknown offer';
    case 'unknown_app':
      return 'unknown app';
    case 'original_not_found':
      return 'reversal of an unknown postback';
    case null:
      return 'no reason recorded';
    default:
      return reason;
  }
}

/** Every rule the store can answer (all but store_unavailable), evaluated: what fires now. */
export function evaluate(rules: AlertRules, snapshot: AlertSnapshot, now: number): Finding[] {
  return [...destinationFindings(rules, snapshot), ...backlogFindings(rules, snapshot, now), ...rejectionFindings(rules, snapshot), ...heldFindings(rules, snapshot, now)];
}

function destinationFindings(rules: AlertRules, snapshot: AlertSnapshot): Finding[] {
  const found: Finding[] = [];
  for (const d of snapshot.destinations) {
    if (rules.destination_failing.enabled && d.consecutiveFailures >= rules.destination_failing.failures) {
      found.push({
        rule: 'destination_failing',
        subject: d.id,
        title: `Destination "${d.name}" failing`,
        message: `${d.consecutiveFailures} consecutive failed attempts (alert at ${rules.destination_failing.failures})`,
      });
    }
    if (rules.destination_paused.enabled && d.pausedAt !== null) {
      found.push({
        rule: 'destination_paused',
        subject: d.id,
        title: `Destination "${d.name}" paused`,
        message: `paused since ${utc(d.pausedAt)} (${d.pauseReason ?? 'no reason recorded'}); its deliveries wait until it is resumed`,
      });
    }
  }
  return found;
}

function backlogFindings(rules: AlertRules, snapshot: AlertSnapshot, now: number): Finding[] {
  const rule = rules.delivery_backlog;
  if (!rule.enabled || snapshot.oldestDueAt === null) return [];
  const waited = now - snapshot.oldestDueAt;
  if (waited < rule.minutes * 60_000) return [];
  return [{ rule: 'delivery_backlog', subject: 'deliveries', title: 'Deliveries backing up', message: `the oldest due delivery has waited ${minutes(waited)} (alert at ${rule.minutes} min)` }];
}

function rejectionFindings(rules: AlertRules, snapshot: AlertSnapshot): Finding[] {
  const rule = rules.source_rejections;
  if (!rule.enabled) return [];
  type Reasons = Map<string | null, { count: number; example: string | null }>;
  const bySource = new Map<string, { total: number; rejected: number; reasons: Reasons }>();
  for (const row of snapshot.sourceTraffic) {
    const source = bySource.get(row.source) ?? { total: 0, rejected: 0, reasons: new Map() as Reasons };
    bySource.set(row.source, source);
    source.total += row.count;
    if (row.outcome !== 'rejected') continue;
    source.rejected += row.count;
    const reason = source.reasons.get(row.reason) ?? { count: 0, example: row.example };
    reason.count += row.count;
    source.reasons.set(row.reason, reason);
  }
  const found: Finding[] = [];
  for (const [source, { total, rejected, reasons }] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
    // Integers only: rejected/total > percent/100.
    if (total < rule.minRequests || rejected * 100 <= rule.percent * total) continue;
    const [reason, top] = [...reasons].sort(([a, x], [b, y]) => y.count - x.count || String(a).localeCompare(String(b)))[0]!;
    const example = top.example === null ? '' : ` — e.g. "${top.example}"`;
    found.push({
      rule: 'source_rejections',
      subject: source,
      title: `Source "${source}" rejecting requests`,
      message: `${rejected} of ${total} requests rejected in the last ${rule.windowMinutes} min (${Math.round((rejected * 100) / total)} %, alert above ${rule.percent} %); mostly ${reasonInWords(reason)}: ${top.count} of ${rejected}${example}`,
    });
  }
  return found;
}

function heldFindings(rules: AlertRules, snapshot: AlertSnapshot, now: number): Finding[] {
  const rule = rules.held_events;
  if (!rule.enabled || snapshot.held.count === 0 || snapshot.held.oldestAt === null) return [];
  const { count, oldestAt } = snapshot.held;
  return [
    {
      rule: 'held_events',
      subject: 'review',
      title: 'Events waiting for review',
      message: `${count} held event${count === 1 ? '' : 's'} waiting longer than ${rule.minutes} min; the oldest for ${minutes(now - oldestAt)}`,
    },
  ];
}

/** An alert as the store keeps it while it fires. */
export interface FiringAlert {
  rule: RuleName;
  subject: string;
  title: string;
  message: string;
  startedAt: number;
  lastSentAt: number;
}

export type Transition =
  | { kind: 'firing'; finding: Finding }
  | { kind: 'repeat'; finding: Finding; startedAt: number }
  | { kind: 'resolved'; alert: FiringAlert };

/**
 * What the findings change: an alert that starts fires once; one still firing repeats once
 * `repeatMinutes` have passed since its last notice; one no longer found is resolved. Only
 * alerts of the rules evaluated are resolved (store_unavailable is kept elsewhere).
 */
export function transitions(findings: readonly Finding[], firing: readonly FiringAlert[], options: { now: number; repeatMinutes: number; evaluated: ReadonlySet<RuleName> }): Transition[] {
  const key = (a: { rule: string; subject: string }) => `${a.rule}\u0000${a.subject}`;
  const current = new Map(firing.map((a) => [key(a), a]));
  const found = new Set<string>();
  const result: Transition[] = [];
  for (const finding of findings) {
    const k = key(finding);
    if (found.has(k)) continue;
    found.add(k);
    const alert = current.get(k);
    if (alert === undefined) result.push({ kind: 'firing', finding });
    else if (options.now - alert.lastSentAt >= options.repeatMinutes * 60_000) result.push({ kind: 'repeat', finding, startedAt: alert.startedAt });
  }
  for (const alert of firing) {
    if (!found.has(key(alert)) && options.evaluated.has(alert.rule)) result.push({ kind: 'resolved', alert });
  }
  return result;
}
