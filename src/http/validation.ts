import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Type } from 'typebox';
import { IsDate, IsDateTime } from 'typebox/format';
import { Value } from 'typebox/value';
import { ValidationError } from '../lib/errors.js';
import { validationError } from '../lib/validation.js';

/**
 * Route schemas are checked by TypeBox, the validator the services use, and a failure is the
 * same ValidationError a service throws, so one mapping names the field either way. Defaults
 * are filled in everywhere (an omitted fraud check takes its default). Query strings, path
 * parameters and headers are text, so they are converted ("50" → 50); bodies are JSON and are
 * not: `{"appId": 5}` is a mistake to report, not a string to invent.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  const converts = httpPart !== 'body';
  const whole = httpPart ?? 'request';
  // Filling in defaults walks the whole value, which a batch of 1,000 events feels: only where
  // the schema has any (a property that happens to be named `default` costs a walk, no more).
  const withDefaults = JSON.stringify(schema).includes('"default":') ? (input: unknown) => Value.Default(schema, input) : (input: unknown) => input;
  return (input: unknown) => {
    const value = converts ? convertText(schema, withDefaults(input)) : withDefaults(input);
    return check.Check(value) ? { value } : { error: validationError(check.Errors(value), { whole }) };
  };
};

/**
 * TypeBox's conversion is lenient where a query parameter should not be: it truncates "1.5" to
 * an integer 1 and reads "true" as 1. A text becomes a number only when it spells that number;
 * otherwise it stays text and fails the check, naming its field. Query strings, parameters and
 * headers are flat, so the top level is all there is to look at.
 */
function convertText(schema: TSchema, input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return Value.Convert(schema, input);
  const sent: Record<string, unknown> = { ...input };
  const converted = Value.Convert(schema, input) as Record<string, unknown>;
  for (const [key, text] of Object.entries(sent)) {
    const value = converted[key];
    if (typeof text === 'string' && typeof value === 'number' && (text.trim() === '' || Number(text) !== value)) converted[key] = text;
  }
  return converted;
}

/**
 * A time in a query string or a filter: an RFC 3339 date-time, or a date alone, which means the
 * start of that day in UTC (`from=2026-12-02`). No `format` on the schema: it would refuse the
 * date before `parseTime`, the one place a time is read, could take it.
 */
export const TIME_WORDS = 'An ISO-8601 date-time (`2026-12-02T10:00:00Z`), or a date alone (`2026-12-02`: the start of that day, UTC)';
export const TimeParam = Type.String({ minLength: 10, maxLength: 64, description: TIME_WORDS });

/** A time query parameter (an RFC 3339 date-time, or a date: its start, UTC) as epoch ms; a 400 naming the field otherwise. */
export function parseTime(field: string, text: string): number {
  const ms = IsDate(text) ? Date.parse(`${text}T00:00:00Z`) : IsDateTime(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(field, 'is not a date-time or a date (2026-12-02T10:00:00Z, 2026-12-02)');
  return ms;
}
