import type { FieldPath, SourceDefinition } from '../../api';
import { HUB_FIELDS, parsePath } from './definition';

export interface FieldError {
  field?: string;
  message: string;
}

/**
 * What the form changes in the preset: the "other overrides" JSON, plus the mapping when it
 * differs from the preset's; or the field that is wrong.
 */
export function overridesOf(other: string, shownFields: Record<string, string>, presetDefinition: SourceDefinition | undefined): { error: FieldError } | { overrides: Record<string, unknown> } {
  let overrides: Record<string, unknown> = {};
  if (other.trim() !== '') {
    try {
      overrides = JSON.parse(other) as Record<string, unknown>;
      if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) throw new Error('not an object');
    } catch {
      return { error: { field: 'other', message: 'Other overrides must be a JSON object, e.g. {"reward": {"kind": "fixed", "coins": 10}}.' } };
    }
  }
  const mapped: Record<string, FieldPath> = {};
  for (const f of HUB_FIELDS) {
    const path = parsePath(shownFields[f.key] ?? '');
    if (path !== undefined) mapped[f.key] = path;
  }
  if (mapped.user === undefined) return { error: { field: 'fields.user', message: 'Map the user: the field that says whose postback it is.' } };
  const presetFields = JSON.stringify(Object.fromEntries(HUB_FIELDS.flatMap((f) => (presetDefinition?.fields[f.key] === undefined ? [] : [[f.key, presetDefinition.fields[f.key]]]))));
  if (JSON.stringify(mapped) !== presetFields) overrides = { ...overrides, fields: mapped };
  return { overrides };
}
