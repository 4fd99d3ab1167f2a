import type { Goal, GoalCondition, GoalConfig } from '../../api';

// The goal form's fields as typed (text), the API body they make, and where the API's complaint
// about a field goes in the form.

export const MAX_CONDITIONS = 10;
export const MAX_DATA_VALUES = 5;

export interface ConditionDraft {
  eventType: string;
  offer: string;
  source: string;
  levelAtLeast: string;
  /** Key and value rows; a row without a key is left out. */
  data: Array<[string, string]>;
}

export type WindowUnit = 's' | 'min' | 'h' | 'd';
export const WINDOW_UNITS: Record<WindowUnit, { label: string; seconds: number }> = {
  s: { label: 'seconds', seconds: 1 },
  min: { label: 'minutes', seconds: 60 },
  h: { label: 'hours', seconds: 3600 },
  d: { label: 'days', seconds: 86_400 },
};

export interface GoalDraft {
  id: string;
  name: string;
  kind: GoalConfig['kind'];
  /** A group's conditions. */
  conditions: ConditionDraft[];
  /** A count's condition. */
  condition: ConditionDraft;
  count: string;
  repeat: boolean;
  window: string;
  windowUnit: WindowUnit;
  bonusCoins: string;
  enabled: boolean;
}

export type UpdateGoalDraft = (patch: Partial<GoalDraft>) => void;

export const EMPTY_CONDITION: ConditionDraft = { eventType: '', offer: '', source: '', levelAtLeast: '', data: [['', '']] };

function conditionDraftOf(condition: GoalCondition): ConditionDraft {
  const data = Object.entries(condition.data ?? {});
  return {
    eventType: condition.eventType ?? '',
    offer: condition.offer ?? '',
    source: condition.source ?? '',
    levelAtLeast: condition.levelAtLeast === undefined ? '' : String(condition.levelAtLeast),
    data: data.length === 0 ? [['', '']] : data,
  };
}

/** The largest unit the window is a whole number of: 604,800 s is 7 days. */
function windowDraftOf(seconds: number | undefined): Pick<GoalDraft, 'window' | 'windowUnit'> {
  if (seconds === undefined) return { window: '', windowUnit: 'h' };
  const unit = (['d', 'h', 'min'] as const).find((u) => seconds % WINDOW_UNITS[u].seconds === 0) ?? 's';
  return { window: String(seconds / WINDOW_UNITS[unit].seconds), windowUnit: unit };
}

/** The form's fields for a goal, or a new one's: a group of two empty conditions. */
export function draftOf(goal: Goal | null): GoalDraft {
  const config = goal?.config;
  return {
    id: goal?.id ?? '',
    name: goal?.name ?? '',
    kind: config?.kind ?? 'all',
    conditions: config?.kind === 'all' ? config.conditions.map(conditionDraftOf) : config?.kind === 'count' ? [conditionDraftOf(config.condition)] : [EMPTY_CONDITION, EMPTY_CONDITION],
    condition: config?.kind === 'count' ? conditionDraftOf(config.condition) : config?.kind === 'all' ? conditionDraftOf(config.conditions[0] ?? {}) : EMPTY_CONDITION,
    count: config?.kind === 'count' ? String(config.count) : '',
    repeat: config?.kind === 'count' ? config.repeat === true : false,
    ...windowDraftOf(config?.windowSeconds),
    bonusCoins: config?.bonusCoins === undefined ? '' : String(config.bonusCoins),
    enabled: goal?.enabled ?? true,
  };
}

/** Only what is filled in: an empty field matches anything. */
export function conditionOf(draft: ConditionDraft): GoalCondition {
  const data = draft.data.filter(([key]) => key.trim() !== '').map(([key, value]) => [key.trim(), value.trim()] as const);
  return {
    ...(draft.eventType.trim() === '' ? {} : { eventType: draft.eventType.trim() }),
    ...(draft.offer.trim() === '' ? {} : { offer: draft.offer.trim() }),
    ...(draft.source.trim() === '' ? {} : { source: draft.source.trim() }),
    ...(draft.levelAtLeast.trim() === '' ? {} : { levelAtLeast: Number(draft.levelAtLeast) }),
    ...(data.length === 0 ? {} : { data: Object.fromEntries(data) }),
  };
}

function configOf(draft: GoalDraft): GoalConfig {
  const window = draft.window.trim() === '' ? {} : { windowSeconds: Number(draft.window) * WINDOW_UNITS[draft.windowUnit].seconds };
  const bonus = draft.bonusCoins.trim() === '' ? {} : { bonusCoins: Number(draft.bonusCoins) };
  if (draft.kind === 'all') return { kind: 'all', conditions: draft.conditions.map(conditionOf), ...window, ...bonus };
  return { kind: 'count', condition: conditionOf(draft.condition), count: Number(draft.count), ...(draft.repeat ? { repeat: true } : {}), ...window, ...bonus };
}

/** The body to create the goal with (its id only when one is typed), or to change it. */
export function bodyOf(draft: GoalDraft, goal: Goal | null): Record<string, unknown> {
  const body = { name: draft.name.trim(), config: configOf(draft), enabled: draft.enabled };
  return goal === null && draft.id.trim() !== '' ? { id: draft.id.trim(), ...body } : body;
}

/** The API's complaint: the field it names (`config.conditions.1.levelAtLeast`) and its message. */
export interface Problem {
  field: string | null;
  message: string;
}

const CONDITION_FIELDS = new Set(['eventType', 'offer', 'source', 'levelAtLeast', 'data']);

/**
 * Where in the form a field the API names is shown: the field itself, a condition's field (its
 * data as a whole), the condition (what no one field of it says), or null: nowhere, so the
 * message goes under the form.
 */
export function placeOf(field: string | null, draft: GoalDraft): string | null {
  if (field === null) return null;
  if (field === 'name' || field === 'id' || field === 'config.windowSeconds' || field === 'config.bonusCoins') return field;
  if (draft.kind === 'count' && (field === 'config.count' || field === 'config.repeat')) return field;
  if (draft.kind === 'all' && field === 'config.conditions') return field;
  const match = draft.kind === 'all' ? /^config\.conditions\.(\d+)(?:\.([^.]+))?/.exec(field) : /^config\.condition()(?:\.([^.]+))?/.exec(field);
  if (match === null) return null;
  const base = draft.kind === 'all' ? `config.conditions.${match[1]}` : 'config.condition';
  if (draft.kind === 'all' && Number(match[1]) >= draft.conditions.length) return null;
  const part = match[2];
  return part !== undefined && CONDITION_FIELDS.has(part) ? `${base}.${part}` : base;
}

/** The message as shown under its field: without the field's path it starts with ("config.count must be >= 1"). */
export function messageAt(problem: Problem, place: string): string {
  const { field, message } = problem;
  let text = field !== null && message.startsWith(`${field} `) ? message.slice(field.length + 1) : message;
  // A deeper field than the one it is shown under (a data key under "Data") keeps its own name.
  if (field !== null && field.length > place.length && field.startsWith(`${place}.`)) text = `${field.slice(place.length + 1)} ${text}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
