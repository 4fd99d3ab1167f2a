import type { TraceState, TraceStep } from '../../api';

/** The trace's status, as a badge says it. */
export const STATE_WORDS: Record<TraceState, string> = {
  credited: 'credited',
  waiting: 'waiting for the partner',
  held: 'held for review',
  rejected: 'rejected',
  reversed: 'reversed',
  no_reward: 'no reward',
  adjusted: 'adjusted by hand',
  nothing_yet: 'nothing yet',
};

type Tone = 'good' | 'bad' | 'warn' | 'info' | 'neutral';

/** Each step's kind: its word and its colour on the timeline. */
export const STEP_KINDS: Record<TraceStep['kind'], { label: string; tone: Tone }> = {
  click: { label: 'Click', tone: 'info' },
  postback: { label: 'Postback', tone: 'neutral' },
  goal: { label: 'Goal', tone: 'good' },
  credit: { label: 'Credit', tone: 'good' },
  reversal: { label: 'Reversal', tone: 'bad' },
  adjustment: { label: 'Adjustment', tone: 'warn' },
  review: { label: 'Review', tone: 'warn' },
};
