import { hkdfSync } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
// `app.createRateLimit`, decorated by the plugin that app.ts registers.
import type {} from '@fastify/rate-limit';
import { ForbiddenError, TooManyRequestsError, UnauthorizedError } from '../lib/errors.js';
import { bearerToken, hashSecret, safeEqual } from '../lib/secrets.js';
import { ADMIN_TOKEN_ACTOR, type OperatorService } from '../features/operators/operators.js';
import { SCOPES, type Actor } from '../features/operators/roles.js';
import { routeRule } from './route-scopes.js';
import type { App } from './types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling an admin route (set by the admin access hook; null on public routes). */
    actor: Actor | null;
  }
}

/**
 * Failed admin sign-ins allowed per client address per window. Ten a minute is far more than
 * a person mistyping or a dashboard tab holding an old token needs, and leaves a guesser about
 * 14,000 tries a day per address: hopeless against a random token, slow against a password.
 */
export const ADMIN_FAILURE_LIMIT = { max: 10, timeWindow: 60_000 };

export const SESSION_COOKIE = 'phub_session';
const CSRF_COOKIE = 'phub_csrf';
/** Both cookies are the dashboard's and its API's only. */
const COOKIE_PATH = '/admin';
const SIGN_IN = 'Sign in, or send the admin token or an admin API key (Authorization: Bearer …)';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AdminAccess {
  /** Adds to an admin route group its hooks: who is calling, may they use this route, CSRF. */
  protect(app: App): void;
  /** Counts a failed sign-in against the caller's address; answers the error to throw. */
  failed(request: FastifyRequest, error: Error): Promise<Error>;
  /** Refuses an address past the failure limit before its credentials are looked at. */
  throttle(request: FastifyRequest): Promise<void>;
  /** Sets the session cookie and answers the CSRF token bound to that session. */
  startSession(reply: FastifyReply, session: string): string;
  /** The CSRF token of the caller's session (for the dashboard to send back). */
  csrfToken(reply: FastifyReply, sessionId: string): string;
  endSession(reply: FastifyReply): void;
}

/**
 * Admin access, one hook shared by every admin route group so that they share one failure
 * count. A caller is the admin token (an owner key), an admin API key (`phk_…`, its scopes),
 * or a signed-in operator (the session cookie, their role's scopes). The route's rule
 * (route-scopes.ts) decides. A session's state-changing requests also need the CSRF token
 * bound to that session (the cookie is SameSite=Strict too); a bearer credential is not sent
 * by a browser on its own, so it needs none.
 *
 * Only failures count, per client address (`request.ip`, which follows TRUST_PROXY, IPv6 by
 * its /64): a busy dashboard is never slowed. An address past the limit is answered 429
 * without its credentials being looked at, or guessing could go on at full speed.
 */
export async function adminAccess(app: App, deps: { adminToken: string; operators: OperatorService; secretKey: string }): Promise<AdminAccess> {
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: COOKIE_PATH, sameSite: 'strict', httpOnly: true, secure: 'auto' },
    getToken: (request) => header(request, 'x-csrf-token'),
    getUserInfo: (request) => request.actor?.sessionId ?? '',
    // One key for every process that shares SECRET_KEY, apart from the key that seals secrets.
    csrfOpts: { hmacKey: Buffer.from(hkdfSync('sha256', deps.secretKey, '', 'postback-hub csrf', 32)), userInfo: true },
  });
  app.decorateRequest('actor', null);
  const failures = app.createRateLimit(ADMIN_FAILURE_LIMIT);
  const refusal = (status: Awaited<ReturnType<typeof failures>>) =>
    !status.isAllowed && status.isExceeded ? new TooManyRequestsError(status.ttlInSeconds, `Too many failed admin sign-ins from this address; retry in ${status.ttlInSeconds} s`) : null;

  const throttle = async (request: FastifyRequest) => {
    const throttled = refusal(await failures(request, { increment: false }));
    if (throttled !== null) throw throttled;
  };
  const failed = async (request: FastifyRequest, error: Error) => {
    const crossed = refusal(await failures(request));
    if (crossed === null) return error;
    // Said once per address and window: the requests after this one are refused before.
    request.log.warn({ ip: request.ip }, 'admin sign-ins throttled: too many failed attempts from this address');
    return crossed;
  };
  const identify = async (request: FastifyRequest): Promise<Actor> => {
    await throttle(request);
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined) {
      if (safeEqual(token, deps.adminToken)) return ADMIN_TOKEN_ACTOR;
      const key = token.startsWith('phk_') ? await deps.operators.key(token) : null;
      if (key !== null) return key;
      throw await failed(request, new UnauthorizedError(SIGN_IN));
    }
    // A session cookie is 256 random bits: an unknown one is an expired session, not a guess.
    const cookie = request.cookies[SESSION_COOKIE];
    const operator = cookie === undefined ? null : await deps.operators.session(cookie);
    if (operator === null) throw new UnauthorizedError(cookie === undefined ? SIGN_IN : 'Your session has ended; sign in again');
    return operator;
  };

  const authorize = async (request: FastifyRequest) => {
    const rule = routeRule(request.method === 'HEAD' ? 'GET' : request.method, request.routeOptions.url ?? '');
    // The app refuses to build with an admin route without a rule (app.ts); this is belt and braces.
    if (rule === undefined) throw new ForbiddenError('This route has no access rule');
    if (rule === 'public') return;
    const actor = await identify(request);
    request.actor = actor;
    if (rule !== 'signed-in' && !actor.scopes.has(rule)) {
      const who = actor.role === null ? `This key (${actor.name})` : `Your role (${actor.role})`;
      throw new ForbiddenError(`${who} may not do this: it needs the "${rule}" scope (${SCOPES[rule]})`, 'scope');
    }
  };

  return {
    protect(group) {
      group.addHook('onRequest', authorize);
      // The plugin's own check, which answers 403 through the error handler.
      group.addHook('onRequest', (request, reply, done) => {
        if (request.actor?.sessionId === undefined || SAFE_METHODS.has(request.method)) done();
        else app.csrfProtection(request, reply, done);
      });
    },
    failed,
    throttle,
    startSession(reply, session) {
      void reply.setCookie(SESSION_COOKIE, session, {
        path: COOKIE_PATH,
        httpOnly: true,
        sameSite: 'strict',
        // Over TLS (directly, or behind a proxy with TRUST_PROXY) the cookie never travels in clear.
        secure: 'auto',
        maxAge: Math.floor(deps.operators.policy.absoluteMs / 1000),
      });
      return reply.generateCsrf({ userInfo: hashSecret(session) });
    },
    csrfToken(reply, sessionId) {
      return reply.generateCsrf({ userInfo: sessionId });
    },
    endSession(reply) {
      void reply.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH });
    },
  };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
