import { Type, type Static } from 'typebox';
import { SourceDefinitionSchema, SourceOverridesSchema } from '../../features/sources/definition.js';
import { PRESETS } from '../../features/sources/presets.js';
import type { SourceService } from '../../features/sources/sources-service.js';
import { ErrorSchema, ListQuery, NameText, PageSchema } from '../schemas.js';
import type { App } from '../types.js';
import type { SourceRecord } from '../../features/sources/sources-types.js';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Names the inbound URL: /postbacks/{slug}' });
const Secret = Type.String({ minLength: 16, maxLength: 500 });

const SourceSchema = Type.Object({
  slug: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  preset: Type.String(),
  enabled: Type.Boolean(),
  overrides: Type.Record(Type.String(), Type.Unknown()),
  definition: SourceDefinitionSchema,
  hasSecret: Type.Boolean(),
  inboundUrl: Type.String({ description: 'The URL to give the partner' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
}, { title: 'Source' });

const SourceWithSecretSchema = Type.Object({
  ...SourceSchema.properties,
  secret: Type.Optional(Type.String({ description: 'The source secret; shown only when created or rotated' })),
}, { title: 'SourceWithSecret' });

const CreateSourceBody = Type.Object(
  {
    slug: Slug,
    name: Type.Optional(NameText),
    preset: Type.String({ description: `One of ${Object.keys(PRESETS).join(', ')}` }),
    overrides: Type.Optional(SourceOverridesSchema),
    secret: Type.Optional(Secret),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const UpdateSourceBody = Type.Object(
  {
    name: Type.Optional(NameText),
    preset: Type.Optional(Type.String()),
    overrides: Type.Optional(SourceOverridesSchema),
    enabled: Type.Optional(Type.Boolean()),
    rotateSecret: Type.Optional(Type.Union([Type.Boolean(), Secret])),
  },
  { additionalProperties: false },
);

const Params = Type.Object({ slug: Slug });
const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };
const tags = ['sources'];

export interface SourceRouteDeps {
  sources: SourceService;
  publicUrl: (request: { protocol: string; host: string }) => string;
}

/** `/admin/api/sources`: inbound partners, their presets, mappings, authentication and rules. */
export function sourceRoutes(app: App, deps: SourceRouteDeps): void {
  const dto = (source: SourceRecord, base: string, secret?: string | null) => sourceDto(deps.sources, source, base, secret);

  app.get('/presets', { schema: { tags, summary: 'The built-in source presets and their definitions', response: { 200: Type.Record(Type.String(), SourceDefinitionSchema) } } }, () => PRESETS);

  app.post(
    '/sources',
    {
      schema: {
        tags,
        summary: 'Create a source; the secret (generated if the authentication needs one) is shown once',
        body: CreateSourceBody,
        response: { 201: SourceWithSecretSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { source, secret } = await deps.sources.create(request.body);
      return reply.status(201).send(dto(source, deps.publicUrl(request), secret));
    },
  );
  app.get(
    '/sources',
    { schema: { tags, summary: 'List sources', querystring: ListQuery, response: { 200: PageSchema(SourceSchema), ...errors } } },
    async (request) => {
      const page = await deps.sources.list(request.query);
      return { items: page.items.map((s) => dto(s, deps.publicUrl(request))), nextCursor: page.nextCursor };
    },
  );
  app.get(
    '/sources/:slug',
    { schema: { tags, summary: 'A source with its effective definition', params: Params, response: { 200: SourceSchema, ...errors } } },
    async (request) => dto(await deps.sources.get(request.params.slug), deps.publicUrl(request)),
  );
  app.patch(
    '/sources/:slug',
    {
      schema: {
        tags,
        summary: 'Change a source; rotateSecret: true generates a new secret (shown once)',
        params: Params,
        body: UpdateSourceBody,
        response: { 200: SourceWithSecretSchema, ...errors },
      },
    },
    async (request) => {
      const { source, secret } = await deps.sources.update(request.params.slug, request.body);
      return dto(source, deps.publicUrl(request), secret);
    },
  );
  app.delete(
    '/sources/:slug',
    { schema: { tags, summary: 'Delete a source (its events stay)', params: Params, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await deps.sources.delete(request.params.slug);
      return reply.status(204).send(null);
    },
  );
}

/** A source as the API answers it: its effective definition, the inbound URL on `base`, and a secret only when just made. */
function sourceDto(sources: SourceService, source: SourceRecord, base: string, secret?: string | null): Static<typeof SourceWithSecretSchema> {
  return {
    slug: source.slug,
    name: source.name,
    preset: source.preset,
    enabled: source.enabled,
    overrides: source.overrides,
    definition: sources.definition(source),
    hasSecret: source.secretCiphertext !== null,
    inboundUrl: `${base}/postbacks/${source.slug}`,
    createdAt: new Date(source.createdAt).toISOString(),
    updatedAt: new Date(source.updatedAt).toISOString(),
    ...(secret === undefined || secret === null ? {} : { secret }),
  };
}
