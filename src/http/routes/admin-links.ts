import { Type, type Static } from 'typebox';
import type { LinkService } from '../../features/clicks/links-service.js';
import { LinkConfigSchema } from '../../features/clicks/link-targets.js';
import { pageDto } from '../dto.js';
import { ErrorSchema, IdText, ListQuery, NameText, Nullable, PageSchema } from '../schemas.js';
import type { App } from '../types.js';
import { parseTime, TimeParam as Time } from '../validation.js';
import type { ClickRecord, LinkRecord } from '../../features/clicks/clicks-types.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };
const tags = ['tracking links'];
const Partner = Type.String({ minLength: 1, maxLength: 128, description: 'The partner (affiliate or traffic source) whose link it is; its postback destinations match on it' });
const LinkId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

const LinkSchema = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  offerId: Type.String(),
  partner: Nullable(Type.String()),
  config: LinkConfigSchema,
  enabled: Type.Boolean(),
  url: Type.String({ description: 'The link to give out: clicks on it are recorded and redirected' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
}, { title: 'Link' });

const ListedLinkSchema = Type.Object(
  {
    ...LinkSchema.properties,
    clicks: Type.Integer({ description: 'Clicks on it so far' }),
    conversions: Type.Integer({ description: 'Conversions attributed to it so far (accepted, not rejected in review), as the reports count them' }),
  },
  { title: 'ListedLink' },
);

const ClickSchema = Type.Object({
  id: Type.String({ description: 'The click id' }),
  linkId: Type.String(),
  offerId: Type.String(),
  partner: Nullable(Type.String()),
  userId: Nullable(Type.String()),
  partnerClickId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  query: Type.Record(Type.String(), Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
}, { title: 'Click' });

const ConfigInput = Type.Partial(LinkConfigSchema);

const Params = Type.Object({ id: LinkId });

const CreateLinkBody = Type.Object(
  {
    id: Type.Optional({ ...LinkId, description: 'The path of the link (/c/ID); random if omitted' }),
    name: Type.Optional(NameText),
    offerId: IdText,
    partner: Type.Optional(Nullable(Partner)),
    config: ConfigInput,
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const UpdateLinkBody = Type.Object(
  { name: Type.Optional(NameText), partner: Type.Optional(Nullable(Partner)), config: Type.Optional(ConfigInput), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

const LinkListQuery = Type.Object({ ...ListQuery.properties, offer: Type.Optional(IdText), partner: Type.Optional(Partner) });

const ClickListQuery = Type.Object({ ...ListQuery.properties, from: Type.Optional(Time), to: Type.Optional(Time), link: Type.Optional(LinkId), user: Type.Optional(IdText) });

export interface LinkRouteDeps {
  links: LinkService;
  publicUrl: (request: { protocol: string; host: string }) => string;
}

/** `/admin/api/links` and `/admin/api/clicks`: tracking links and what became of them. */
export function linkRoutes(app: App, deps: LinkRouteDeps): void {
  trackingLinkRoutes(app, deps);
  clickRoutes(app, deps.links);
}

/** Create, list, read, change and delete tracking links; each answers the URL to give out. */
function trackingLinkRoutes(app: App, deps: LinkRouteDeps): void {
  const { links } = deps;
  app.post(
    '/links',
    { schema: { tags, summary: 'Create a tracking link for an offer, optionally a partner’s', body: CreateLinkBody, response: { 201: LinkSchema, ...errors } } },
    async (request, reply) => {
      const { body } = request;
      const link = await links.create({
        offerId: body.offerId,
        config: body.config,
        ...(body.id === undefined ? {} : { id: body.id }),
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.partner === undefined ? {} : { partner: body.partner }),
        ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
      });
      return reply.code(201).send(linkDto(link, deps.publicUrl(request)));
    },
  );

  app.get(
    '/links',
    { schema: { tags, summary: 'List tracking links, each with its clicks and conversions so far', querystring: LinkListQuery, response: { 200: PageSchema(ListedLinkSchema), ...errors } } },
    async (request) => {
      const { limit, cursor, offer, partner } = request.query;
      const page = await links.list({ limit, ...(cursor === undefined ? {} : { cursor }), ...(offer === undefined ? {} : { offerId: offer }), ...(partner === undefined ? {} : { partner }) });
      const origin = deps.publicUrl(request);
      return pageDto(page, (l) => ({ ...linkDto(l, origin), clicks: l.clicks, conversions: l.conversions }));
    },
  );

  app.get('/links/:id', { schema: { tags, summary: 'A tracking link', params: Params, response: { 200: LinkSchema, ...errors } } }, async (request) =>
    linkDto(await links.get(request.params.id), deps.publicUrl(request)),
  );

  app.patch(
    '/links/:id',
    {
      schema: {
        tags,
        summary: 'Change a link: its name, partner, config (replaced as a whole) or enabled flag',
        params: Params,
        body: UpdateLinkBody,
        response: { 200: LinkSchema, ...errors },
      },
    },
    async (request) => {
      const { name, partner, config, enabled } = request.body;
      const link = await links.update(request.params.id, {
        ...(name === undefined ? {} : { name }),
        ...(partner === undefined ? {} : { partner }),
        ...(config === undefined ? {} : { config }),
        ...(enabled === undefined ? {} : { enabled }),
      });
      return linkDto(link, deps.publicUrl(request));
    },
  );

  app.delete(
    '/links/:id',
    { schema: { tags, summary: 'Delete a link that was never clicked (disable it otherwise)', params: Params, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await links.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
}

/** The clicks recorded on the links, newest first. */
function clickRoutes(app: App, links: LinkService): void {
  app.get(
    '/clicks',
    { schema: { tags, summary: 'Clicks, newest first', querystring: ClickListQuery, response: { 200: PageSchema(ClickSchema), ...errors } } },
    async (request) => {
      const { limit, cursor, from, to, link, user } = request.query;
      const page = await links.clicks({
        limit,
        ...(cursor === undefined ? {} : { cursor }),
        ...(from === undefined ? {} : { from: parseTime('from', from) }),
        ...(to === undefined ? {} : { to: parseTime('to', to) }),
        ...(link === undefined ? {} : { linkId: link }),
        ...(user === undefined ? {} : { userId: user }),
      });
      return pageDto(page, clickDto);
    },
  );
}

/** A link as the API answers it, with the URL to give out on `origin`. */
const linkDto = (l: LinkRecord, origin: string): Static<typeof LinkSchema> => ({
  id: l.id,
  name: l.name,
  offerId: l.offerId,
  partner: l.partner,
  config: l.config as Static<typeof LinkConfigSchema>,
  enabled: l.enabled,
  url: `${origin}/c/${encodeURIComponent(l.id)}`,
  createdAt: new Date(l.createdAt).toISOString(),
  updatedAt: new Date(l.updatedAt).toISOString(),
});

const clickDto = (c: ClickRecord): Static<typeof ClickSchema> => ({ ...c, createdAt: new Date(c.createdAt).toISOString() });
