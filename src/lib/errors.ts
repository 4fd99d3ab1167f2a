/**
 * Errors that carry their meaning to the edge. Services throw these; the HTTP error handler
 * (src/http/error-handler.ts) is the one place that turns them into status codes and bodies.
 */
export abstract class AppError extends Error {
  abstract readonly statusCode: number;
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The one JSON error body: `error` is a stable code, `field` names the input at fault. */
export interface ErrorBody {
  ok: false;
  error: string;
  message: string;
  field?: string;
}

export function errorBody(error: AppError): ErrorBody {
  return { ok: false, error: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
}

/** Bad input: a 400 naming the field. */
export class ValidationError extends AppError {
  readonly statusCode = 400;
  constructor(field: string, message: string, code = 'invalid_request') {
    super(code, `${field} ${message}`, field);
  }
}

export class UnauthorizedError extends AppError {
  readonly statusCode = 401;
  constructor(message = 'Missing or invalid credentials') {
    super('unauthorized', message);
  }
}

/** Too many failed attempts from one client: answered without looking at what was sent. */
export class TooManyRequestsError extends AppError {
  readonly statusCode = 429;
  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many failed attempts; retry in ${retryAfterSeconds} s`,
  ) {
    super('too_many_requests', message);
  }
}

export class NotFoundError extends AppError {
  readonly statusCode = 404;
  constructor(message: string, field?: string, code = 'not_found') {
    super(code, message, field);
  }
}

export class ConflictError extends AppError {
  readonly statusCode = 409;
  constructor(message: string, field?: string, code = 'conflict') {
    super(code, message, field);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  readonly statusCode = 415;
  constructor(message: string) {
    super('unsupported_media_type', message, 'content-type');
  }
}

/** The store cannot be reached or cannot write: the caller should retry later. */
export class StoreUnavailableError extends AppError {
  readonly statusCode = 503;
  constructor(message = 'Storage is unavailable; nothing was recorded, please retry') {
    super('store_unavailable', message);
  }
}

/** A unique constraint refused a row; the service decides what that means (usually a 409). */
export class UniqueViolationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UniqueViolationError';
  }
}

/** A row other rows still refer to (an offer a tracking link uses): deleting it is a 409, not a fault. */
export class InUseError extends ConflictError {
  constructor() {
    super('Still in use: other records refer to it; remove or change those first', undefined, 'in_use');
  }
}

/**
 * The hub cannot start, for a reason the operator can act on (the store is unreachable, the
 * port is taken, another process holds the SQLite file): the message is one line that says
 * what and, where it can, what to do. The command line prints it without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** Authenticated, but the credentials do not allow this (an app key without the scope). */
export class ForbiddenError extends AppError {
  readonly statusCode = 403;
  constructor(message: string, field?: string) {
    super('forbidden', message, field);
  }
}
