import { Type } from 'typebox';
import type { AppKeyService } from '../../features/reward-app/app-keys.js';
import type { RewardAppService } from '../../features/reward-app/reward-app-service.js';
import { appKeyDto, balanceDto, ledgerEntryDto, pageDto, traceDto, userDto } from '../dto.js';
import { AppKeyCreatedSchema, AppKeySchema, AppKeyScopeSchema, BalanceSchema, ErrorSchema, IdText, LedgerEntrySchema, ListQuery, NameText, PageSchema, TraceQuery, TraceSchema, UserSchema } from '../schemas.js';
import type { App } from '../types.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };

/** The operator's side of the reward app: its keys, and each user's balance, ledger, trace and adjustments. */
export function rewardAppAdminRoutes(app: App, deps: { appKeys: AppKeyService; rewardApp: RewardAppService }): void {
  const keyTags = ['store apps'];
  const PidParams = Type.Object({ pid: IdText });
  app.post(
    '/apps/:pid/keys',
    {
      schema: {
        tags: keyTags,
        summary: "Create an app key for the reward app's own API (/app/v1): shown once, in this answer",
        params: PidParams,
        body: Type.Object({ name: Type.Optional(NameText), scopes: Type.Array(AppKeyScopeSchema, { minItems: 1, maxItems: 4 }) }, { additionalProperties: false }),
        response: { 201: AppKeyCreatedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const created = await deps.appKeys.create(request.params.pid, request.body);
      return reply.status(201).send({ ...appKeyDto(created), key: created.key });
    },
  );
  app.get(
    '/apps/:pid/keys',
    { schema: { tags: keyTags, summary: "An app's keys, with their last use (never the keys themselves)", params: PidParams, querystring: ListQuery, response: { 200: PageSchema(AppKeySchema), ...errors } } },
    async (request) => pageDto(await deps.appKeys.list(request.params.pid, request.query), appKeyDto),
  );
  app.delete(
    '/apps/:pid/keys/:id',
    { schema: { tags: keyTags, summary: 'Revoke an app key (at once in this process, within a second in others)', params: Type.Object({ pid: IdText, id: IdText }), response: { 200: AppKeySchema, ...errors } } },
    async (request) => appKeyDto(await deps.appKeys.revoke(request.params.pid, request.params.id)),
  );

  const tags = ['users'];
  const Params = Type.Object({ id: IdText });
  app.get(
    '/users/:id/balance',
    { schema: { tags, summary: "A user's balance, with the fractions of a coin carried per source", params: Params, response: { 200: BalanceSchema, ...errors } } },
    async (request) => balanceDto(await deps.rewardApp.balance(null, request.params.id)),
  );
  app.get(
    '/users/:id/ledger',
    {
      schema: { tags, summary: "A user's ledger, newest first, each entry with its reason", params: Params, querystring: ListQuery, response: { 200: PageSchema(LedgerEntrySchema), ...errors } },
    },
    async (request) => {
      const found = await deps.rewardApp.ledger(null, request.params.id, request.query);
      return { items: found.items.map(ledgerEntryDto), nextCursor: found.nextCursor };
    },
  );
  app.get(
    '/users/:id/trace',
    { schema: { tags, summary: '"Where is my reward?" for a user: clicks, postbacks, rules, ledger, reviews and reversals, and one status', params: Params, querystring: TraceQuery, response: { 200: TraceSchema, ...errors } } },
    async (request) => {
      const { offer, transaction, source } = request.query;
      return traceDto(await deps.rewardApp.trace(null, request.params.id, { ...(offer === undefined ? {} : { offerId: offer }), ...(transaction === undefined ? {} : { transactionId: transaction }), ...(source === undefined ? {} : { source }) }));
    },
  );
  app.post(
    '/users/:id/adjustments',
    {
      schema: {
        tags,
        summary: 'Credit (positive coins) or debit (negative) a user by hand, with the reason: a ledger entry of its own kind, in the trace and the feed. A debit never takes a balance below zero (409)',
        params: Params,
        body: Type.Object(
          {
            coins: Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000, description: 'Whole coins, not 0' }),
            reason: Type.String({ minLength: 1, maxLength: 500, description: 'Shown to the user as the entry\'s reason ("Manual adjustment: …")' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ user: UserSchema, entryId: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const done = await deps.rewardApp.adjust(request.params.id, request.body);
      return reply.status(201).send({ user: userDto(done.user), entryId: done.entryId });
    },
  );
}
