import type { TLocalizedValidationError } from 'typebox/error';

/** A rejected input, naming the offending field so a partner can fix their integration. */
export interface FieldProblem {
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

/** The first schema error as a field problem: `/payload/user_id` becomes `payload.user_id`. */
export function firstFieldProblem(errors: readonly TLocalizedValidationError[], root = 'body'): FieldProblem {
  const error = errors[0];
  if (error === undefined) return { field: root, message: 'is invalid' };
  if (error.keyword === 'required') {
    const missing = (error.params as { requiredProperties?: string[] }).requiredProperties?.[0];
    const parent = pointerToPath(error.instancePath);
    const field = missing === undefined ? parent || root : parent ? `${parent}.${missing}` : missing;
    return { field, message: 'is required' };
  }
  return { field: pointerToPath(error.instancePath) || root, message: error.message };
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}
