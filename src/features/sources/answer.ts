import type { AnswerConfig } from './definition.js';

export type AnswerOutcome = 'accepted' | 'duplicate' | 'rejected';

export interface AnswerVars {
  event_id: string;
  external_id: string;
  user_id: string;
  coins: number;
}

/** The status a JSON source answers for this outcome, when it overrides the hub's. */
export function jsonStatus(config: AnswerConfig, outcome: AnswerOutcome, reason?: string): number | undefined {
  if (config.format !== 'json') return undefined;
  if (outcome === 'accepted') return config.successStatus;
  if (outcome === 'duplicate') return config.duplicateStatus;
  return reason === undefined ? undefined : config.rejectedStatus?.[reason];
}

/**
 * The text a partner expects (`1`, `OK`, `<id>:OK`), or null for the hub's JSON answer. A
 * duplicate gets the success answer unless the source says otherwise: the partner must stop
 * retrying either way.
 */
export function renderTextAnswer(config: AnswerConfig, outcome: AnswerOutcome, vars: AnswerVars, reason?: string): { status: number; body: string } | null {
  if (config.format === 'json') return null;
  const answer =
    outcome === 'accepted'
      ? config.success
      : outcome === 'duplicate'
        ? (config.duplicate ?? config.success)
        : ((reason === undefined ? undefined : config.rejectedBy?.[reason]) ?? config.rejected);
  if (answer === undefined) return null;
  const body = answer.body.replace(/\{(event_id|external_id|user_id|coins)\}/g, (_, name: keyof AnswerVars) => String(vars[name]));
  return { status: answer.status, body };
}
