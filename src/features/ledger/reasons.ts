// A ledger entry in plain language: what it was for (the offer or game, the partner, the level
// or session), the rule and its numbers, what a reversal took back. Pure: built at read time from
// the entry and the event it came from, so the wording can improve without rewriting a ledger.
import { formatCoins } from './carry.js';

/** A ledger entry with what its reason is told from (the event, its offer, its source). */
export interface EntryStory {
  id: string;
  userId: string;
  eventId: string | null;
  delta: number;
  kind: string;
  createdAt: number;
  note: string | null;
  source: string | null;
  sourceName: string | null;
  eventType: string | null;
  externalId: string | null;
  offerId: string | null;
  offerName: string | null;
  level: number | null;
  partner: string | null;
  rewardMicros: number | null;
  metadata: Record<string, unknown> | null;
}

/** Who sent an event, by the name an app's users know: the source's name, else a known one. */
export function partnerName(source: string, sourceName: string | null): string {
  if (sourceName !== null && sourceName !== '') return sourceName;
  if (source === 'reward-levels') return 'the level postback API';
  if (source === 'platform') return 'the platform events API';
  if (source === 'goals') return 'goals';
  return source;
}

export function describeEntry(entry: EntryStory): string {
  if (entry.kind === 'adjustment') return `Manual adjustment: ${entry.note ?? 'no reason given'}`;
  if (entry.kind === 'goal') return `Goal “${typeof entry.metadata?.goalName === 'string' ? entry.metadata.goalName : entry.externalId}” completed: a bonus of ${entry.delta} coins`;
  const from = entry.source === null ? '' : ` from ${partnerName(entry.source, entry.sourceName)}`;
  const what = subject(entry);
  const metadata = entry.metadata ?? {};
  if (entry.kind === 'reversal') {
    const reversed = typeof metadata.reversesExternalId === 'string' ? `postback "${metadata.reversesExternalId}"` : null;
    if (reversed !== null) return `Reversal of ${reversed}${from}: ${Math.abs(entry.delta)} coins taken back`;
    return `Taken back: ${what}${from} was rejected in review (${Math.abs(entry.delta)} coins)`;
  }
  const rule = typeof metadata.reward === 'string' ? metadata.reward : null;
  const exact = entry.rewardMicros !== null && entry.rewardMicros % 1_000_000 !== 0;
  const carried = exact ? ` (${formatCoins(entry.rewardMicros!)} exact: whole coins are credited as the fractions add up)` : '';
  return `${capitalise(what)}${from}${rule === null ? '' : `: ${rule}`}${carried}`;
}

/** "session of “Puzzle Quest”", "level 30 of “Word Blitz”", "conversion". */
function subject(entry: EntryStory): string {
  const offer = entry.offerName ?? entry.offerId;
  const kind = entry.level !== null ? `level ${entry.level}` : (entry.eventType ?? 'event');
  return offer === null ? kind : `${kind} of “${offer}”`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
