import { Type, type Static } from 'typebox';
import type { DestinationService } from '../../features/destinations/destinations-service.js';
import { DestinationConfigSchema } from '../../features/destinations/definition.js';
import type { DeliveryWorker } from '../../features/delivery/worker.js';
import { ErrorSchema, ListQuery, PageSchema } from '../schemas.js';
import type { App } from '../types.js';
import type { DestinationRecord } from '../../features/destinations/destinations-types.js';

const DestinationSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  config: DestinationConfigSchema,
  enabled: Type.Boolean(),
  paused: Type.Union([Type.Object({ at: Type.String({ format: 'date-time' }), reason: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  consecutiveFailures: Type.Integer(),
  hasBearerToken: Type.Boolean(),
  hasSigningSecret: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  signingSecret: Type.Optional(Type.String({ description: 'The whsec_ signing secret; shown only when created or rotated' })),
}, { title: 'Destination' });

// What an operator sends: the URL, and any part of the configuration to change from its defaults.
const ConfigInput = Type.Intersect([Type.Partial(DestinationConfigSchema), Type.Object({ url: DestinationConfigSchema.properties.url })]);

const CreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), config: ConfigInput, bearerToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

const UpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    config: Type.Optional(ConfigInput),
    bearerToken: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    rotateSigningSecret: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const TestResultSchema = Type.Object({
  success: Type.Boolean(),
  request: Type.Union([
    Type.Object({ url: Type.String(), method: Type.String(), headers: Type.Record(Type.String(), Type.String()), body: Type.Union([Type.String(), Type.Null()]) }),
    Type.Null(),
  ]),
  status: Type.Union([Type.Integer(), Type.Null()]),
  excerpt: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  latencyMs: Type.Integer(),
}, { title: 'DestinationTest' });

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };
const tags = ['destinations'];

/** `/admin/api/destinations`: where the hub sends postbacks. */
export function destinationRoutes(app: App, destinations: DestinationService, worker: Pick<DeliveryWorker, 'test'>): void {
  destinationRecordRoutes(app, destinations);
  destinationControlRoutes(app, destinations, worker);
}

/** Create, list, read, change and delete destinations. */
function destinationRecordRoutes(app: App, destinations: DestinationService): void {
  const dto = (d: DestinationRecord, signingSecret?: string | null) => destinationDto(destinations, d, signingSecret);
  app.post(
    '/destinations',
    { schema: { tags, summary: 'Create a destination; with signing, its whsec_ secret is shown once', body: CreateBody, response: { 201: DestinationSchema, ...errors } } },
    async (request, reply) => {
      const { destination, signingSecret } = await destinations.create(request.body);
      return reply.status(201).send(dto(destination, signingSecret));
    },
  );
  app.get('/destinations', { schema: { tags, summary: 'List destinations', querystring: ListQuery, response: { 200: PageSchema(DestinationSchema), ...errors } } }, async (request) => {
    const page = await destinations.list(request.query);
    return { items: page.items.map((d) => dto(d)), nextCursor: page.nextCursor };
  });
  app.get('/destinations/:id', { schema: { tags, summary: 'A destination', params: Params, response: { 200: DestinationSchema, ...errors } } }, async (request) =>
    dto(await destinations.get(request.params.id)),
  );
  app.patch(
    '/destinations/:id',
    {
      schema: {
        tags,
        summary: 'Change a destination; rotateSigningSecret keeps the old secret signing for 24 h',
        params: Params,
        body: UpdateBody,
        response: { 200: DestinationSchema, ...errors },
      },
    },
    async (request) => {
      const { destination, signingSecret } = await destinations.update(request.params.id, request.body);
      return dto(destination, signingSecret);
    },
  );
  app.delete(
    '/destinations/:id',
    { schema: { tags, summary: 'Delete a destination without deliveries (disable one that has them)', params: Params, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await destinations.delete(request.params.id);
      return reply.status(204).send(null);
    },
  );
}

/** What an operator does to a destination in use: pause it, resume it, try it. */
function destinationControlRoutes(app: App, destinations: DestinationService, worker: Pick<DeliveryWorker, 'test'>): void {
  app.post(
    '/destinations/:id/pause',
    { schema: { tags, summary: 'Pause a destination: its deliveries are still queued and wait for the resume', params: Params, response: { 200: DestinationSchema, ...errors } } },
    async (request) => destinationDto(destinations, await destinations.pause(request.params.id)),
  );
  app.post(
    '/destinations/:id/resume',
    { schema: { tags, summary: 'Resume a paused destination: its waiting deliveries go out', params: Params, response: { 200: DestinationSchema, ...errors } } },
    async (request) => destinationDto(destinations, await destinations.resume(request.params.id)),
  );
  app.post(
    '/destinations/:id/test',
    {
      schema: {
        tags,
        summary: 'Send a sample event to the destination now and answer what the partner answered (nothing is recorded)',
        params: Params,
        response: { 200: TestResultSchema, ...errors },
      },
    },
    async (request) => worker.test(await destinations.get(request.params.id)),
  );
}

function destinationDto(destinations: DestinationService, d: DestinationRecord, signingSecret?: string | null): Static<typeof DestinationSchema> {
  const secrets = destinations.secrets(d);
  return {
    id: d.id,
    name: d.name,
    config: d.config as Static<typeof DestinationConfigSchema>,
    enabled: d.enabled,
    paused: d.pausedAt === null ? null : { at: new Date(d.pausedAt).toISOString(), reason: d.pauseReason },
    consecutiveFailures: d.consecutiveFailures,
    hasBearerToken: secrets.bearerToken !== undefined,
    hasSigningSecret: secrets.signingSecret !== undefined,
    createdAt: new Date(d.createdAt).toISOString(),
    updatedAt: new Date(d.updatedAt).toISOString(),
    ...(signingSecret ? { signingSecret } : {}),
  };
}
