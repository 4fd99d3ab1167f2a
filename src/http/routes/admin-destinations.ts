import { Type, type Static } from 'typebox';
import type { DestinationService } from '../../features/destinations/destinations-service.js';
import { DestinationConfigSchema, type DestinationConfig } from '../../features/destinations/definition.js';
import { CONFIG_DEFAULTS } from '../../features/destinations/destinations-service.js';
import { DESTINATION_PRESETS } from '../../features/destinations/presets.js';
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

// Write-only: the secret is sealed and never answered back (hasSigningSecret says one is set).
const SigningSecretInput = Type.String({
  minLength: 1,
  maxLength: 200,
  writeOnly: true,
  description: 'An existing Standard Webhooks secret to sign with instead of a generated one: whsec_ and base64 of 24 to 64 bytes. Never shown back',
});

const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    preset: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A destination preset to start from (GET /admin/api/destination-presets); config replaces any top-level key of it' })),
    config: ConfigInput,
    bearerToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    signingSecret: Type.Optional(SigningSecretInput),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const UpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    config: Type.Optional(ConfigInput),
    bearerToken: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2000 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    rotateSigningSecret: Type.Optional(Type.Boolean()),
    signingSecret: Type.Optional(SigningSecretInput),
  },
  { additionalProperties: false },
);

const PresetSchema = Type.Object(
  {
    name: Type.String(),
    title: Type.String(),
    description: Type.String({ description: 'What the preset is for, in one line' }),
    fill: Type.Array(
      Type.Object({ placeholder: Type.String({ description: 'A <placeholder> in config.url' }), label: Type.String(), example: Type.String() }),
      { description: 'The values only the operator knows: a destination is refused while its URL still has one of these placeholders' },
    ),
    config: DestinationConfigSchema,
  },
  { title: 'DestinationPreset' },
);

// Each preset as a whole config (the defaults under it), which a form or client copies as it is.
const PRESET_LIST: Array<Static<typeof PresetSchema>> = Object.entries(DESTINATION_PRESETS).map(([name, preset]) => ({
  name,
  title: preset.title,
  description: preset.description,
  fill: preset.fill.map((f) => ({ ...f })),
  config: { ...CONFIG_DEFAULTS, ...(preset.config as Partial<DestinationConfig>) } as DestinationConfig,
}));

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
  app.get(
    '/destination-presets',
    {
      schema: {
        tags,
        summary: 'The built-in destination presets: GG3, MomentScience, Standard Webhooks and the affiliate trackers, each as a whole config',
        response: { 200: Type.Object({ items: Type.Array(PresetSchema) }), 401: ErrorSchema, 503: ErrorSchema },
      },
    },
    () => ({ items: PRESET_LIST }),
  );
  app.post(
    '/destinations',
    { schema: { tags, summary: 'Create a destination, from a preset or not; with signing, its whsec_ secret (generated unless imported) is shown once', body: CreateBody, response: { 201: DestinationSchema, ...errors } } },
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
        summary: 'Change a destination; a rotated or imported signing secret takes over, the old one signing alongside for 24 h',
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
