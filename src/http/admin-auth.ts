import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
// `app.createRateLimit`, decorated by the plugin that app.ts registers.
import type {} from '@fastify/rate-limit';
import { TooManyRequestsError, UnauthorizedError } from '../lib/errors.js';
import { bearerToken, safeEqual } from '../lib/secrets.js';
import type { App } from './types.js';

/**
 * Failed admin sign-ins allowed per client address per window. Ten a minute is far more than
 * a person mistyping or a dashboard tab holding an old token needs, and leaves a guesser about
 * 14,000 tries a day per address: hopeless against a random token of 16 characters or more.
 */
export const ADMIN_FAILURE_LIMIT = { max: 10, timeWindow: 60_000 };

/**
 * The admin token check, one hook shared by every admin route group so that they share one
 * count. Only failures count, per client address (`request.ip`, which follows TRUST_PROXY,
 * IPv6 by its /64 as the plugin does by default): a busy dashboard with the right token is
 * never slowed. An address past the limit is answered 429 without its token being looked at,
 * or guessing could go on at full speed (a 200 would tell the guesser it was right).
 */
export function adminAuthentication(app: App, adminToken: string): onRequestAsyncHookHandler {
  const failures = app.createRateLimit(ADMIN_FAILURE_LIMIT);
  const refuse = (status: Awaited<ReturnType<typeof failures>>) =>
    !status.isAllowed && status.isExceeded ? new TooManyRequestsError(status.ttlInSeconds, `Too many failed admin sign-ins from this address; retry in ${status.ttlInSeconds} s`) : null;
  return async (request: FastifyRequest) => {
    const throttled = refuse(await failures(request, { increment: false }));
    if (throttled !== null) throw throttled;
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined && safeEqual(token, adminToken)) return;
    const crossed = refuse(await failures(request));
    if (crossed === null) throw new UnauthorizedError('Missing or invalid admin token');
    // Said once per address and window: the requests after this one are refused above.
    request.log.warn({ ip: request.ip }, 'admin sign-ins throttled: too many failed tokens from this address');
    throw crossed;
  };
}
