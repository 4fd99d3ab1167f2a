// "Where is my reward?": a user's click, the partner's postbacks and what became of them, the rule,
// the ledger, a review, a reversal — in order, ending in one status an app can show its user.
// Pure: the service reads the rows (trace-service.ts) and this tells the story.
import { formatCoins } from '../ledger/carry.js';
import { describeEntry, partnerName, type EntryStory } from '../ledger/reasons.js';

export interface TraceClick {
  id: string;
  linkId: string;
  linkName: string | null;
  offerId: string;
  offerName: string | null;
  partner: string | null;
  /** The store app whose install referrer the click's redirect carried (a Play Store link). */
  referrerPid: string | null;
  createdAt: number;
}

export interface TraceEvent {
  id: string;
  source: string;
  sourceName: string | null;
  type: string;
  outcome: 'accepted' | 'duplicate' | 'rejected';
  reason: string | null;
  detail: string | null;
  externalId: string | null;
  offerId: string | null;
  offerName: string | null;
  level: number | null;
  clickId: string | null;
  duplicateOf: string | null;
  coins: number;
  rewardMicros: number | null;
  review: 'flagged' | 'held' | 'approved' | 'rejected' | null;
  flags: ReadonlyArray<{ detail: string }>;
  metadata: Record<string, unknown>;
  receivedAt: number;
}

export type TraceState = 'credited' | 'waiting' | 'held' | 'rejected' | 'reversed' | 'no_reward' | 'adjusted' | 'nothing_yet';

export interface TraceStep {
  at: number;
  kind: 'click' | 'postback' | 'goal' | 'credit' | 'reversal' | 'adjustment' | 'review';
  text: string;
  clickId?: string;
  eventId?: string;
  entryId?: string;
}

export interface Trace {
  status: { state: TraceState; message: string };
  steps: TraceStep[];
}

export interface TraceInput {
  clicks: readonly TraceClick[];
  /** Oldest first. */
  events: readonly TraceEvent[];
  entries: readonly EntryStory[];
  /** The median time from click to postback of the offer's (or partner's) attributed conversions. */
  typicalDelayMs: number | null;
  /** Whether the trace is about one offer, game or transaction, or the user as a whole. */
  scope: string;
}

export function buildTrace(input: TraceInput): Trace {
  return { status: status(input), steps: steps(input) };
}

function steps({ clicks, events, entries }: TraceInput): TraceStep[] {
  const out: TraceStep[] = [];
  for (const c of clicks) {
    const target = c.referrerPid === null ? '' : `, sent to the Play Store with an install referrer for app ${c.referrerPid}`;
    out.push({ at: c.createdAt, kind: 'click', clickId: c.id, text: `Clicked ${c.linkName === null ? 'a tracking link' : `“${c.linkName}”`} for ${offerText(c.offerId, c.offerName)}${c.partner === null ? '' : ` (partner ${c.partner})`}${target}` });
  }
  for (const e of events) out.push({ at: e.receivedAt, kind: isGoal(e) ? 'goal' : 'postback', eventId: e.id, text: postbackText(e) });
  for (const e of events) {
    if (e.review === 'approved' || e.review === 'rejected') {
      // Decided when its credit (approved) or take-back (rejected) was written, if it made one.
      const entry = entries.find((x) => x.eventId === e.id && (x.kind === 'reversal') === (e.review === 'rejected'));
      const decided = entry?.createdAt ?? e.receivedAt;
      out.push({ at: decided, kind: 'review', eventId: e.id, text: e.review === 'approved' ? 'Approved in review' : 'Rejected in review' });
    }
  }
  for (const entry of entries) {
    const kind = entry.kind === 'reversal' ? 'reversal' : entry.kind === 'adjustment' ? 'adjustment' : 'credit';
    const amount = `${entry.delta > 0 ? '+' : ''}${entry.delta} coins`;
    out.push({ at: entry.createdAt, kind, entryId: entry.id, ...(entry.eventId === null ? {} : { eventId: entry.eventId }), text: `${amount}: ${describeEntry(entry)}` });
  }
  // Stable: at equal times, clicks before postbacks before their credits.
  return out.map((step, i) => ({ step, i })).sort((a, b) => a.step.at - b.step.at || a.i - b.i).map(({ step }) => step);
}

function postbackText(e: TraceEvent): string {
  if (isGoal(e)) {
    const by = Array.isArray(e.metadata.completedBy) ? ` by ${e.metadata.completedBy.length} event${e.metadata.completedBy.length === 1 ? '' : 's'}` : '';
    return `Goal “${typeof e.metadata.goalName === 'string' ? e.metadata.goalName : e.externalId}” completed${by}${e.coins > 0 ? `: a bonus of ${e.coins} coins` : ''}`;
  }
  const what = `${e.level !== null ? `level ${e.level}` : e.type}${e.offerId === null ? '' : ` of ${offerText(e.offerId, e.offerName)}`}`;
  const from = `${partnerName(e.source, e.sourceName)} reported ${what}${e.externalId === null ? '' : ` (transaction ${e.externalId})`}${e.clickId === null ? '' : `, from click ${e.clickId}`}`;
  if (e.outcome === 'duplicate') return `${from}: a duplicate of a postback already recorded, not credited again`;
  if (e.outcome === 'rejected') return `${from}: rejected (${e.reason ?? 'refused'}${e.detail === null ? '' : `: ${e.detail}`})`;
  const reward = typeof e.metadata.reward === 'string' ? `; rule: ${e.metadata.reward}` : '';
  const note = typeof e.metadata.rewardNote === 'string' ? ` (${e.metadata.rewardNote})` : '';
  const held = e.review === 'held' || (e.review !== null && e.metadata.heldCredit !== undefined) ? `; held for review: ${e.flags.map((f) => f.detail).join('; ')}` : '';
  return `${from}: accepted${reward}${note}${held}`;
}

/** A completed goal's own event (goals/goal-sql.ts). */
function isGoal(e: TraceEvent): boolean {
  return e.type === 'goal' && e.source === 'goals';
}

function offerText(id: string, name: string | null): string {
  return name === null ? `“${id}”` : `“${name}”`;
}

function status({ clicks, events, entries, typicalDelayMs, scope }: TraceInput): Trace['status'] {
  const latestClick = clicks.at(-1);
  const reversals = new Map<string, TraceEvent>();
  for (const e of events) if (e.outcome === 'accepted' && typeof e.metadata.reverses === 'string') reversals.set(e.metadata.reverses, e);
  const originals = events.filter((e) => e.outcome === 'accepted' && typeof e.metadata.reverses !== 'string');
  const latest = originals.at(-1);
  // A click newer than every postback: its conversion is what the user is waiting for.
  if (latestClick !== undefined && (events.length === 0 || latestClick.createdAt > events.at(-1)!.receivedAt)) {
    const usual =
      typicalDelayMs === null
        ? 'no typical delay is known for this offer yet'
        : `this offer's partner reports usually within ${duration(typicalDelayMs)} (median of its click-to-postback times)`;
    return { state: 'waiting', message: `waiting for the partner: no postback yet since the click at ${when(latestClick.createdAt)}; ${usual}` };
  }
  if (latest === undefined) {
    const rejected = events.filter((e) => e.outcome === 'rejected').at(-1);
    if (rejected !== undefined) return { state: 'rejected', message: `rejected: ${rejected.detail ?? rejected.reason ?? 'the postback was refused'}` };
    if (events.length > 0) return { state: 'rejected', message: 'rejected: every postback was a duplicate of one recorded for another user or offer' };
    const adjustment = entries.filter((entry) => entry.kind === 'adjustment').at(-1);
    if (adjustment !== undefined) {
      return { state: 'adjusted', message: `adjusted by hand: ${adjustment.delta > 0 ? '+' : ''}${adjustment.delta} coins on ${when(adjustment.createdAt)} (${adjustment.note ?? 'no reason given'}); no click and no postback yet` };
    }
    return { state: 'nothing_yet', message: `nothing yet: no click and no postback for ${scope}` };
  }
  const reversal = reversals.get(latest.id);
  if (reversal !== undefined) return { state: 'reversed', message: `reversed: ${partnerName(latest.source, latest.sourceName)} took back this conversion on ${when(reversal.receivedAt)} (${Math.abs(reversal.coins)} coins)` };
  if (latest.review === 'held') return { state: 'held', message: `held for review: ${latest.flags.map((f) => f.detail).join('; ') || 'an operator checks it before it is credited'}` };
  if (latest.review === 'rejected') return { state: 'rejected', message: 'rejected in review: an operator decided not to credit this conversion' };
  const credited = entries.filter((entry) => entry.eventId === latest.id).reduce((sum, entry) => sum + entry.delta, 0);
  if (latest.rewardMicros === null || latest.rewardMicros === 0) {
    const note = typeof latest.metadata.rewardNote === 'string' ? `: ${latest.metadata.rewardNote}` : '';
    return { state: 'no_reward', message: `recorded on ${when(latest.receivedAt)}, with no reward${note}` };
  }
  if (credited === 0) {
    return { state: 'credited', message: `credited ${formatCoins(latest.rewardMicros)} coins on ${when(latest.receivedAt)}: below a whole coin so far, carried until the fractions add up to one` };
  }
  return { state: 'credited', message: `credited ${credited} coins on ${when(latest.receivedAt)}` };
}

/** A time as a user reads it: "2026-12-03 08:33 UTC". */
export function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** 40 seconds, 11 minutes, 3 hours, 2 days: rounded up, so "within" holds. */
export function duration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size || size === 1000) {
      const n = Math.max(1, Math.ceil(ms / size));
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return '1 second';
}

/** The middle value (the lower of the two middles), or null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
