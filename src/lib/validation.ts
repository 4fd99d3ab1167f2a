import type { TLocalizedValidationError } from 'typebox/error';
import { ValidationError } from './errors.js';

/** A rejected input, naming the offending field so a partner can fix their integration. */
export interface FieldProblem {
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

/**
 * Where the validated value sits in what the client sent. `under`: a part of a larger input,
 * whose name leads every field (`config` → `config.url`). `whole`: the name of the value itself,
 * used when the problem is the value as a whole (`body must be object`).
 */
export interface FieldScope {
  under?: string;
  whole?: string;
}

/**
 * The one mapping of TypeBox errors to the field a client is told about, for route schemas at
 * the HTTP edge and for the schemas services check alike: `/payload/user_id` becomes
 * `payload.user_id`; a missing or unexpected property is named by its own full path.
 */
export function firstFieldProblem(errors: readonly TLocalizedValidationError[], scope: FieldScope = {}): FieldProblem {
  const whole = scope.under ?? scope.whole ?? 'body';
  // A property that `additionalProperties: false` refuses is reported twice, first as a bare
  // "schema is false" at the property; the additionalProperties error says what it means.
  const relevant = outsideUnchosenBranches(errors);
  const error = relevant.find((e) => e.keyword !== 'boolean') ?? relevant[0] ?? errors[0];
  if (error === undefined) return { field: whole, message: 'is invalid' };
  const path = [...(scope.under === undefined ? [] : [scope.under]), ...pointerToPath(error.instancePath)];
  if (error.keyword === 'required') {
    return { field: fieldName([...path, ...error.params.requiredProperties.slice(0, 1)], whole), message: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    return { field: fieldName([...path, ...error.params.additionalProperties.slice(0, 1)], whole), message: 'is not an allowed property' };
  }
  return { field: fieldName(path, whole), message: error.message };
}

/** The first schema error as the 400 a client gets. */
export function validationError(errors: readonly TLocalizedValidationError[], scope: FieldScope = {}): ValidationError {
  const { field, message } = firstFieldProblem(errors, scope);
  return new ValidationError(field, message);
}

/**
 * A union told apart by a constant (`kind: 'count'`) reports every branch's errors, the first
 * branch's first: without the errors of the branches whose constant the value does not have,
 * the client hears about the branch it chose (`config.count must be >= 1`, not that a group's
 * `config.conditions` is required).
 */
function outsideUnchosenBranches(errors: readonly TLocalizedValidationError[]): readonly TLocalizedValidationError[] {
  const unchosen = errors.filter((e) => e.keyword === 'const').flatMap((e) => /^(.*\/anyOf\/\d+)\/properties\/[^/]+$/.exec(e.schemaPath)?.[1] ?? []);
  if (unchosen.length === 0) return errors;
  return errors.filter((e) => e.keyword !== 'anyOf' && !unchosen.some((branch) => e.schemaPath === branch || e.schemaPath.startsWith(`${branch}/`)));
}

function fieldName(path: readonly string[], whole: string): string {
  return path.length === 0 ? whole : path.join('.');
}

function pointerToPath(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}
