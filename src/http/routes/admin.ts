import { Type } from 'typebox';
import type { ApiSecretService } from '../../features/api-secrets/api-secrets-service.js';
import type { CatalogService } from '../../features/catalog/catalog-service.js';
import type { LinkService } from '../../features/clicks/links-service.js';
import type { ConversionService } from '../../features/conversions/conversions-service.js';
import type { DeliveryService } from '../../features/delivery/delivery-service.js';
import type { DeliveryWorker } from '../../features/delivery/worker.js';
import type { DestinationService } from '../../features/destinations/destinations-service.js';
import type { UserService } from '../../features/ledger/users-service.js';
import type { SourceService } from '../../features/sources/sources-service.js';
import type { StatsService } from '../../features/stats/stats-service.js';
import { apiSecretDto, appDto, offerDto, pageDto, userDto } from '../dto.js';
import { ApiSecretCreatedSchema, ApiSecretSchema, AppSchema, ErrorSchema, IdText, ListQuery, NameText, OfferSchema, PageSchema, UserSchema } from '../schemas.js';
import type { App } from '../types.js';
import { attributionRoutes } from './admin-attribution.js';
import { rewardAppAdminRoutes } from './admin-reward-app.js';
import { goalRoutes } from './admin-goals.js';
import { auditRoutes } from './admin-audit.js';
import { alertRoutes } from './admin-alerts.js';
import type { AlertService } from '../../features/alerts/alerts-service.js';
import { auditChanges } from '../audit-hook.js';
import type { AdminAccess } from '../admin-auth.js';
import type { OperatorService } from '../../features/operators/operators.js';
import { operatorRoutes } from './admin-operators.js';
import type { AuditService } from '../../features/audit/audit.js';
import type { GoalService } from '../../features/goals/goals.js';
import type { AppKeyService } from '../../features/reward-app/app-keys.js';
import type { RewardAppService } from '../../features/reward-app/reward-app-service.js';
import { deliveryRoutes } from './admin-deliveries.js';
import { destinationRoutes } from './admin-destinations.js';
import { eventRoutes } from './admin-events.js';
import { linkRoutes } from './admin-links.js';
import { sourceRoutes } from './admin-sources.js';

export interface AdminDeps {
  /** Who may call which admin route (http/admin-auth.ts), shared with the other admin routes. */
  access: AdminAccess;
  operators: OperatorService;
  users: UserService;
  catalog: CatalogService;
  apiSecrets: ApiSecretService;
  sources: SourceService;
  destinations: DestinationService;
  worker: Pick<DeliveryWorker, 'test'>;
  deliveries: Pick<DeliveryService, 'list' | 'csv' | 'get' | 'replay'>;
  publicUrl: (request: { protocol: string; host: string }) => string;
  links: LinkService;
  conversions: Pick<ConversionService, 'policy' | 'setPolicy' | 'review' | 'events' | 'event'>;
  stats: Pick<StatsService, 'report'>;
  appKeys: AppKeyService;
  rewardApp: RewardAppService;
  goals: GoalService;
  audit: AuditService;
  alerts: AlertService;
}

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };

/** `/admin/api`: JSON for operators (session cookie) and automation (ADMIN_TOKEN or an admin API key). */
export function adminRoutes(deps: AdminDeps) {
  return async function (app: App): Promise<void> {
    deps.access.protect(app);
    auditChanges(app, deps.audit);

    operatorRoutes(app, { operators: deps.operators, access: deps.access, publicUrl: deps.publicUrl });
    usersRoutes(app, deps.users);
    catalogRoutes(app, deps.catalog);
    apiSecretRoutes(app, deps.apiSecrets);
    eventRoutes(app, deps.conversions);
    sourceRoutes(app, { sources: deps.sources, publicUrl: deps.publicUrl });
    destinationRoutes(app, deps.destinations, deps.worker);
    deliveryRoutes(app, deps.deliveries);
    linkRoutes(app, { links: deps.links, publicUrl: deps.publicUrl });
    attributionRoutes(app, { conversions: deps.conversions, stats: deps.stats });
    rewardAppAdminRoutes(app, deps);
    goalRoutes(app, deps.goals);
    auditRoutes(app, deps.audit);
    alertRoutes(app, deps.alerts);
    return Promise.resolve();
  };
}

function usersRoutes(app: App, users: UserService): void {
  const tags = ['users'];
  const Params = Type.Object({ id: IdText });
  app.post(
    '/users',
    {
      schema: {
        tags,
        summary: 'Create a user',
        body: Type.Object({ id: Type.Optional(IdText), appId: Type.Optional(NameText), deviceId: Type.Optional(NameText) }, { additionalProperties: false }),
        response: { 201: UserSchema, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(userDto(await users.create(request.body))),
  );
  app.get(
    '/users',
    { schema: { tags, summary: 'List users', querystring: ListQuery, response: { 200: PageSchema(UserSchema), ...errors } } },
    async (request) => pageDto(await users.list(request.query), userDto),
  );
  app.get(
    '/users/:id',
    { schema: { tags, summary: 'A user with their coin balance', params: Params, response: { 200: UserSchema, ...errors } } },
    async (request) => userDto(await users.get(request.params.id)),
  );
  app.patch(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Change a user',
        params: Params,
        body: Type.Object({ appId: Type.Optional(NameText), deviceId: Type.Optional(NameText) }, { additionalProperties: false }),
        response: { 200: UserSchema, ...errors },
      },
    },
    async (request) => userDto(await users.update(request.params.id, request.body)),
  );
  app.delete(
    '/users/:id',
    { schema: { tags, summary: 'Delete a user that has no ledger entries', params: Params, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await users.delete(request.params.id);
      return reply.status(204).send(null);
    },
  );
}

function catalogRoutes(app: App, catalog: CatalogService): void {
  const Name = Type.Object({ name: Type.Optional(NameText) }, { additionalProperties: false });

  const appTags = ['store apps'];
  const PidParams = Type.Object({ pid: IdText });
  app.post(
    '/apps',
    {
      schema: {
        tags: appTags,
        summary: 'Register a store app (store_apps.pid)',
        body: Type.Object({ pid: IdText, name: Type.Optional(NameText) }, { additionalProperties: false }),
        response: { 201: AppSchema, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(appDto(await catalog.createApp(request.body))),
  );
  app.get(
    '/apps',
    { schema: { tags: appTags, summary: 'List store apps', querystring: ListQuery, response: { 200: PageSchema(AppSchema), ...errors } } },
    async (request) => pageDto(await catalog.listApps(request.query), appDto),
  );
  app.get(
    '/apps/:pid',
    { schema: { tags: appTags, summary: 'A store app', params: PidParams, response: { 200: AppSchema, ...errors } } },
    async (request) => appDto(await catalog.getApp(request.params.pid)),
  );
  app.patch(
    '/apps/:pid',
    { schema: { tags: appTags, summary: 'Rename a store app', params: PidParams, body: Name, response: { 200: AppSchema, ...errors } } },
    async (request) => appDto(await catalog.updateApp(request.params.pid, request.body)),
  );
  app.delete(
    '/apps/:pid',
    { schema: { tags: appTags, summary: 'Remove a store app', params: PidParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await catalog.deleteApp(request.params.pid);
      return reply.status(204).send(null);
    },
  );

  const offerTags = ['offers'];
  const IdParams = Type.Object({ id: IdText });
  app.post(
    '/offers',
    {
      schema: {
        tags: offerTags,
        summary: 'Add a game or offer to the catalog (reward_games.id)',
        body: Type.Object({ id: IdText, name: Type.Optional(NameText) }, { additionalProperties: false }),
        response: { 201: OfferSchema, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(offerDto(await catalog.createOffer(request.body))),
  );
  app.get(
    '/offers',
    { schema: { tags: offerTags, summary: 'List offers', querystring: ListQuery, response: { 200: PageSchema(OfferSchema), ...errors } } },
    async (request) => pageDto(await catalog.listOffers(request.query), offerDto),
  );
  app.get(
    '/offers/:id',
    { schema: { tags: offerTags, summary: 'An offer', params: IdParams, response: { 200: OfferSchema, ...errors } } },
    async (request) => offerDto(await catalog.getOffer(request.params.id)),
  );
  app.patch(
    '/offers/:id',
    { schema: { tags: offerTags, summary: 'Rename an offer', params: IdParams, body: Name, response: { 200: OfferSchema, ...errors } } },
    async (request) => offerDto(await catalog.updateOffer(request.params.id, request.body)),
  );
  app.delete(
    '/offers/:id',
    { schema: { tags: offerTags, summary: 'Remove an offer', params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await catalog.deleteOffer(request.params.id);
      return reply.status(204).send(null);
    },
  );
}

function apiSecretRoutes(app: App, apiSecrets: ApiSecretService): void {
  const tags = ['api secrets'];
  app.post(
    '/api-secrets',
    {
      schema: {
        tags,
        summary: 'Create a partner API secret (returned once, stored only as a hash)',
        body: Type.Object({ name: Type.Optional(NameText) }, { additionalProperties: false }),
        response: { 201: ApiSecretCreatedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const created = await apiSecrets.create(request.body ?? {});
      return reply.status(201).send({ ...apiSecretDto(created), secret: created.secret });
    },
  );
  app.get(
    '/api-secrets',
    { schema: { tags, summary: 'List API secrets (never the secrets themselves)', querystring: ListQuery, response: { 200: PageSchema(ApiSecretSchema), ...errors } } },
    async (request) => pageDto(await apiSecrets.list(request.query), apiSecretDto),
  );
  app.delete(
    '/api-secrets/:id',
    {
      schema: { tags, summary: 'Revoke an API secret', params: Type.Object({ id: IdText }), response: { 200: ApiSecretSchema, ...errors } },
    },
    async (request) => apiSecretDto(await apiSecrets.revoke(request.params.id)),
  );
}
