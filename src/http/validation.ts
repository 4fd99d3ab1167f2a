import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
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

/** A date-time query parameter (ISO-8601) as epoch ms; a 400 naming the field otherwise. */
export function parseTime(field: string, text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ValidationError(field, 'is not a date-time');
  return ms;
}
