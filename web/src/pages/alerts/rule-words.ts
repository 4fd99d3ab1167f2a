import type { AlertRules } from '../../api';

export type RuleName = Exclude<keyof AlertRules, 'repeatMinutes'>;

/** Each rule in words, in the order the page lists them. */
export const RULES: Array<{ name: RuleName; title: string; hint: string }> = [
  { name: 'destination_failing', title: 'Destination failing', hint: 'A destination’s attempts fail this many times in a row; recovers on its next success.' },
  { name: 'destination_paused', title: 'Destination paused', hint: 'A destination is paused (by its failures, a 410 Gone, or an operator); recovers when it is resumed.' },
  { name: 'delivery_backlog', title: 'Deliveries backing up', hint: 'The oldest delivery that is due has waited this long for a worker.' },
  { name: 'source_rejections', title: 'Source rejecting requests', hint: 'A source’s share of rejected requests (bad signature, unknown user, …) over a window; the notice names the main reason.' },
  { name: 'held_events', title: 'Events waiting for review', hint: 'Events held by the fraud checks have waited this long for an approval or a rejection.' },
  { name: 'store_unavailable', title: 'Store refusing writes', hint: 'The database refuses a probe write. Each process notices on its own and records it once the store is back.' },
];

export const RULE_TITLE: Record<string, string> = Object.fromEntries(RULES.map((r) => [r.name, r.title]));
