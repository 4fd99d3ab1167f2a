import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { AppCaller, AppKeyScope, AppKeyService } from '../../features/reward-app/app-keys.js';
import { MAX_FEED_WAIT_SECONDS, type RewardAppService } from '../../features/reward-app/reward-app-service.js';
import type {} from '@fastify/rate-limit';
import { ForbiddenError, TooManyRequestsError, UnauthorizedError } from '../../lib/errors.js';
import { bearerToken } from '../../lib/secrets.js';
import { balanceDto, feedEntryDto, ledgerEntryDto, traceDto } from '../dto.js';
import { BalanceSchema, ErrorSchema, FeedEntrySchema, IdText, LedgerEntrySchema, ListQuery, PageSchema, TraceQuery, TraceSchema } from '../schemas.js';
import type { App } from '../types.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema };
const tags = ['reward app API'];
const security = [{ appKey: [] }];
const UserParams = Type.Object({ id: IdText });

/** Failed app keys allowed per client address per minute. */
export const APP_KEY_FAILURE_LIMIT = { max: 30, timeWindow: 60_000 };

/**
 * `/app/v1`: the reward app's own API, over an app key (`Authorization: Bearer pbk_…`). A key
 * speaks for one store app and sees that app's users only; each route needs one scope.
 */
export function rewardAppRoutes(deps: { appKeys: AppKeyService; rewardApp: RewardAppService }) {
  return async function (app: App): Promise<void> {
    const callers = new WeakMap<FastifyRequest, AppCaller>();
    // As for the admin token (admin-auth.ts): only failures count, per client address. A key is
    // 256 random bits, so this spares the store a scan's lookups rather than stopping a guess.
    const failures = app.createRateLimit(APP_KEY_FAILURE_LIMIT);
    app.addHook('onRequest', async (request) => {
      const status = await failures(request, { increment: false });
      if (!status.isAllowed && status.isExceeded) throw new TooManyRequestsError(status.ttlInSeconds, `Too many failed app keys from this address; retry in ${status.ttlInSeconds} s`);
      try {
        callers.set(request, await deps.appKeys.verify(bearerToken(request.headers.authorization)));
      } catch (error) {
        if (error instanceof UnauthorizedError) await failures(request);
        throw error;
      }
    });
    const caller = (request: FastifyRequest): AppCaller => callers.get(request)!;
    const needs =
      (scope: AppKeyScope): preHandlerAsyncHookHandler =>
      (request) =>
        caller(request).scopes.has(scope) ? Promise.resolve() : Promise.reject(new ForbiddenError(`This app key lacks the scope "${scope}"`, 'scope'));
    userRoutes(app, deps.rewardApp, caller, needs);
    feedRoutes(app, deps.rewardApp, caller, needs);
    return Promise.resolve();
  };
}

type Caller = (request: FastifyRequest) => AppCaller;
type Needs = (scope: AppKeyScope) => preHandlerAsyncHookHandler;

function userRoutes(app: App, rewardApp: RewardAppService, caller: Caller, needs: Needs): void {

  app.get(
    '/users/:id',
    { preHandler: needs('balances:read'), schema: { tags, security, summary: "A user's balance, with the fractions of a coin carried per source", params: UserParams, response: { 200: BalanceSchema, ...errors } } },
    async (request) => balanceDto(await rewardApp.balance(caller(request), request.params.id)),
  );

  app.get(
    '/users/:id/ledger',
    {
      preHandler: needs('balances:read'),
      schema: { tags, security, summary: "A user's ledger entries, newest first, each with its reason in plain words", params: UserParams, querystring: ListQuery, response: { 200: PageSchema(LedgerEntrySchema), ...errors } },
    },
    async (request) => {
      const found = await rewardApp.ledger(caller(request), request.params.id, request.query);
      return { items: found.items.map(ledgerEntryDto), nextCursor: found.nextCursor };
    },
  );

  app.get(
    '/users/:id/trace',
    {
      preHandler: needs('traces:read'),
      schema: {
        tags,
        security,
        summary: '"Where is my reward?": the click, the partner\'s postbacks and what became of them, the rule, the ledger, reviews and reversals, and one status to show the user',
        params: UserParams,
        querystring: TraceQuery,
        response: { 200: TraceSchema, ...errors },
      },
    },
    async (request) => {
      const { offer, transaction, source } = request.query;
      return traceDto(await rewardApp.trace(caller(request), request.params.id, { ...(offer === undefined ? {} : { offerId: offer }), ...(transaction === undefined ? {} : { transactionId: transaction }), ...(source === undefined ? {} : { source }) }));
    },
  );

}

function feedRoutes(app: App, rewardApp: RewardAppService, caller: Caller, needs: Needs): void {
  app.get(
    '/feed',
    {
      preHandler: needs('feed:read'),
      schema: {
        tags,
        security,
        summary:
          "The credit feed: every credit, reversal and adjustment of the app's users, in order, until acknowledged. At least once: apply each entry once by its id. With `wait`, an empty answer waits up to that many seconds for new entries (long-poll)",
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Read after this entry's position (nextCursor of the previous answer); without it, from the oldest unacknowledged entry" })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          wait: Type.Integer({ minimum: 0, maximum: MAX_FEED_WAIT_SECONDS, default: 0, description: 'Seconds to wait for an entry when there is none' }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(FeedEntrySchema),
            nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'The last position read (or the cursor sent): pass it back as `cursor`, and as `upTo` once applied' }),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const stop = new AbortController();
      reply.raw.once('close', () => stop.abort());
      const { cursor, limit, wait } = request.query;
      const found = await rewardApp.feed(caller(request), { ...(cursor === undefined ? {} : { cursor }), limit, waitSeconds: wait, signal: stop.signal });
      return { items: found.items.map(feedEntryDto), nextCursor: found.nextCursor };
    },
  );

  app.post(
    '/feed/ack',
    {
      preHandler: needs('feed:ack'),
      schema: {
        tags,
        security,
        summary: 'Acknowledge entries, by id or every one up to a position: they leave the feed. Idempotent: acknowledging again changes nothing',
        body: Type.Object(
          {
            ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 1000 })),
            upTo: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A position the feed gave out: every entry up to and including it' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            acknowledged: Type.Integer({ description: 'Entries acknowledged by this request' }),
            alreadyAcknowledged: Type.Integer({ description: 'Of the ids sent, those acknowledged before' }),
            unknown: Type.Array(Type.String(), { description: "Ids sent that are not in this app's feed" }),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const done = await rewardApp.ack(caller(request), request.body);
      return { acknowledged: done.acknowledged, alreadyAcknowledged: done.already, unknown: done.unknown };
    },
  );
}
