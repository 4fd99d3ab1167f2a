import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ConflictError, StoreUnavailableError, TooManyRequestsError, UniqueViolationError, errorBody, type ErrorBody } from '../lib/errors.js';

export type { ErrorBody } from '../lib/errors.js';

/**
 * The one place that maps errors to HTTP. Bad input is a 4xx naming the field; an
 * unreachable store is a 503 and a throttled client a 429 (both with Retry-After, so clients
 * retry later); anything else is a 500 whose details go to the log, never to the caller.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toHttp(error, { bodyLimit: request.routeOptions.bodyLimit });
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ error: body.error, field: body.field }, body.message);
    if (error instanceof StoreUnavailableError) void reply.header('retry-after', '5');
    if (error instanceof TooManyRequestsError) void reply.header('retry-after', String(error.retryAfterSeconds));
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ ok: false, error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } satisfies ErrorBody),
  );
}

/** Errors Fastify meets before a route is chosen (a path that is not valid percent-encoding): the same JSON as every other error. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toHttp(error);
  request.log.info({ error: body.error, field: body.field }, body.message);
  void reply.status(status).send(body);
}

/** `bodyLimit`: the route's, named in a 413 so that the sender knows what would be accepted. */
export function toHttp(error: unknown, context: { bodyLimit?: number } = {}): { status: number; body: ErrorBody } {
  if (error instanceof UniqueViolationError) error = new ConflictError('Already exists');
  if (error instanceof AppError) return { status: error.statusCode, body: errorBody(error) };
  // A route schema's refusal is a ValidationError (http/validation.ts), mapped as an AppError above.
  const e = error as FastifyError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: { ok: false, error: 'payload_too_large', message: context.bodyLimit === undefined ? 'Request body is too large' : `Request body is larger than ${context.bodyLimit} bytes`, field: 'body' },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { ok: false, error: 'unsupported_media_type', message: 'Content-Type must be application/json', field: 'content-type' } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { ok: false, error: 'invalid_json', message: 'body is empty', field: 'body' } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: { ok: false, error: 'invalid_json', message: 'body is not valid JSON', field: 'body' } };
    case 'FST_CSRF_MISSING_SECRET':
    case 'FST_CSRF_INVALID_TOKEN':
      return {
        status: 403,
        body: { ok: false, error: 'csrf', message: 'Missing or invalid CSRF token: send X-CSRF-Token with the token GET /admin/api/session answers', field: 'x-csrf-token' },
      };
    case 'FST_ERR_BAD_URL':
      return { status: 400, body: { ok: false, error: 'invalid_request', message: 'the path is not valid percent-encoded UTF-8', field: 'url' } };
  }
  if (error instanceof SyntaxError || e.statusCode === 400) {
    return { status: 400, body: { ok: false, error: 'invalid_request', message: e.message, field: 'body' } };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { ok: false, error: 'bad_request', message: e.message } };
  }
  return { status: 500, body: { ok: false, error: 'internal_error', message: 'Internal error; it has been logged' } };
}
