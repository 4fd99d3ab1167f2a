import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { ValidationError } from '../lib/errors.js';

// ajv-formats ships CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const common: Options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false };

/**
 * Query strings and path parameters are text, so they are coerced ("50" → 50). Bodies are
 * JSON and are not: `{"appId": 5}` is a mistake to report, not a string to invent.
 */
const coercing = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
const strict = addFormats(new Ajv({ ...common, coerceTypes: false }));

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema);

/** A date-time query parameter (ISO-8601) as epoch ms; a 400 naming the field otherwise. */
export function parseTime(field: string, text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ValidationError(field, 'is not a date-time');
  return ms;
}
