import { Type, type TSchema } from 'typebox';
import type { ChannelRecord, NoticeRecord } from '../../features/alerts/alerts-dal.js';
import type { AlertService } from '../../features/alerts/alerts-service.js';
import { AlertRulesSchema, type FiringAlert } from '../../features/alerts/rules.js';
import { iso, pageDto } from '../dto.js';
import { ErrorSchema, ListQuery, PageSchema } from '../schemas.js';
import type { App } from '../types.js';
import { parseTime, TimeParam } from '../validation.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema };
const tags = ['alerts'];

const Time = Type.String({ format: 'date-time' });
// Spelled out (not mapped from RULE_NAMES) so that the type keeps each literal.
const RuleName = Type.Union([
  Type.Literal('destination_failing'),
  Type.Literal('destination_paused'),
  Type.Literal('delivery_backlog'),
  Type.Literal('source_rejections'),
  Type.Literal('held_events'),
  Type.Literal('store_unavailable'),
]);
const NoticeState = Type.Union([Type.Literal('firing'), Type.Literal('repeat'), Type.Literal('resolved')]);

const FiringSchema = Type.Object(
  {
    rule: RuleName,
    subject: Type.String({ description: "What it is about: a destination's id, a source, or the rule's own name" }),
    title: Type.String(),
    message: Type.String(),
    startedAt: Time,
    lastNoticeAt: Time,
  },
  { title: 'FiringAlert' },
);

const NoticeSchema = Type.Object(
  {
    id: Type.String(),
    at: Time,
    rule: Type.String(),
    subject: Type.String(),
    state: NoticeState,
    title: Type.String(),
    message: Type.String(),
    startedAt: Time,
    pending: Type.Array(Type.String(), { description: 'Channels it has yet to reach (retried at each check)' }),
    outcomes: Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), at: Time, detail: Type.String() }), { description: 'Per channel id: whether it reached it' }),
  },
  { title: 'AlertNotice' },
);

const ChannelSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    kind: Type.Union([Type.Literal('webhook'), Type.Literal('email')]),
    url: Type.Optional(Type.String()),
    to: Type.Optional(Type.Array(Type.String())),
    enabled: Type.Boolean(),
    hasSecret: Type.Boolean(),
    createdAt: Time,
    updatedAt: Time,
    secret: Type.Optional(Type.String({ description: "A webhook's whsec_ signing secret (Standard Webhooks); shown only when created" })),
  },
  { title: 'AlertChannel' },
);

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'http(s) URL: Slack incoming webhook, or any endpoint taking the JSON body' });
const Recipients = Type.Array(Type.String({ pattern: '^[^@\\s<>,]+@[^@\\s<>,]+$', maxLength: 320 }), { minItems: 1, maxItems: 50 });

const CreateChannelBody = Type.Union(
  [
    Type.Object({ kind: Type.Literal('webhook'), name: Name, url: Url, enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('email'), name: Name, to: Recipients, enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  ],
);

const UpdateChannelBody = Type.Object(
  { name: Type.Optional(Name), url: Type.Optional(Url), to: Type.Optional(Recipients), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

// A change to the rules: any rule, any of its fields.
// (Partial drops additionalProperties: it is given again, so that a misspelt threshold is refused, not kept.)
const strictPartial = <T extends TSchema>(schema: T) => Type.Partial(schema, { additionalProperties: false });
const RulesChangeBody = strictPartial(
  Type.Object(
    Object.fromEntries(
      Object.entries(AlertRulesSchema.properties).map(([key, schema]) => [key, 'properties' in schema ? strictPartial(schema as typeof AlertRulesSchema.properties.source_rejections) : schema]),
    ),
  ),
);

const TestResultSchema = Type.Object({ ok: Type.Boolean(), detail: Type.String({ description: 'What the channel answered, or why it could not be reached' }) }, { title: 'AlertChannelTest' });

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const firingDto = (a: FiringAlert) => ({ rule: a.rule, subject: a.subject, title: a.title, message: a.message, startedAt: iso(a.startedAt), lastNoticeAt: iso(a.lastSentAt) });
const noticeDto = (n: NoticeRecord) => ({
  ...n,
  at: iso(n.at),
  startedAt: iso(n.startedAt),
  outcomes: Object.fromEntries(Object.entries(n.outcomes).map(([id, o]) => [id, { ...o, at: iso(o.at) }])),
});
const channelDto = (c: ChannelRecord, secret?: string | null) => ({
  id: c.id,
  name: c.name,
  kind: c.kind,
  ...(c.config.url === undefined ? {} : { url: c.config.url }),
  ...(c.config.to === undefined ? {} : { to: c.config.to }),
  enabled: c.enabled,
  hasSecret: c.secretCiphertext !== null,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
  ...(secret === undefined || secret === null ? {} : { secret }),
});

/** `/admin/api/alerts`: what fires now, the notices sent, the rules and the channels notices go to. */
export function alertRoutes(app: App, alerts: AlertService): void {
  alertStateRoutes(app, alerts);
  alertChannelRoutes(app, alerts);
}

/** What fires, what was sent, and the rules. */
function alertStateRoutes(app: App, alerts: AlertService): void {
  app.get(
    '/alerts',
    { schema: { tags, summary: 'The alerts firing now, oldest first', response: { 200: Type.Object({ items: Type.Array(FiringSchema) }), ...errors } } },
    async () => ({ items: (await alerts.firing()).map(firingDto) }),
  );
  app.get(
    '/alerts/history',
    {
      schema: {
        tags,
        summary: 'Every alert notice (firing, repeat, resolved), newest first',
        querystring: Type.Object({ ...ListQuery.properties, rule: Type.Optional(RuleName), state: Type.Optional(NoticeState), from: Type.Optional(TimeParam), to: Type.Optional(TimeParam) }),
        response: { 200: PageSchema(NoticeSchema), ...errors },
      },
    },
    async (request) => {
      const { limit, cursor, rule, state, from, to } = request.query;
      return pageDto(
        await alerts.history({
          limit,
          ...(cursor === undefined ? {} : { cursor }),
          ...(rule === undefined ? {} : { rule }),
          ...(state === undefined ? {} : { state }),
          ...(from === undefined ? {} : { from: parseTime('from', from) }),
          ...(to === undefined ? {} : { to: parseTime('to', to) }),
        }),
        noticeDto,
      );
    },
  );
  app.get('/alerts/rules', { schema: { tags, summary: 'The alert rules: thresholds, on or off, how often a firing alert repeats', response: { 200: AlertRulesSchema, ...errors } } }, () =>
    alerts.rules(),
  );
  app.put(
    '/alerts/rules',
    { schema: { tags, summary: 'Change the alert rules; fields left out keep their value', body: RulesChangeBody, response: { 200: AlertRulesSchema, ...errors } } },
    (request) => alerts.setRules(request.body),
  );
}

/** Where notices go. */
function alertChannelRoutes(app: App, alerts: AlertService): void {
  app.get('/alerts/channels', { schema: { tags, summary: 'Alert channels', querystring: ListQuery, response: { 200: PageSchema(ChannelSchema), ...errors } } }, async (request) =>
    pageDto(await alerts.listChannels(request.query), (c) => channelDto(c)),
  );
  app.post(
    '/alerts/channels',
    {
      schema: {
        tags,
        summary: 'Add a channel: a webhook (Slack-compatible JSON, signed with Standard Webhooks; its whsec_ secret shown once) or email recipients (needs SMTP_URL)',
        body: CreateChannelBody,
        response: { 201: ChannelSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { channel, secret } = await alerts.createChannel(request.body);
      return reply.status(201).send(channelDto(channel, secret));
    },
  );
  app.get('/alerts/channels/:id', { schema: { tags, summary: 'An alert channel', params: Params, response: { 200: ChannelSchema, ...errors } } }, async (request) =>
    channelDto(await alerts.channel(request.params.id)),
  );
  app.patch(
    '/alerts/channels/:id',
    { schema: { tags, summary: 'Change an alert channel', params: Params, body: UpdateChannelBody, response: { 200: ChannelSchema, ...errors } } },
    async (request) => channelDto(await alerts.updateChannel(request.params.id, request.body)),
  );
  app.delete('/alerts/channels/:id', { schema: { tags, summary: 'Delete an alert channel', params: Params, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    await alerts.deleteChannel(request.params.id);
    return reply.status(204).send(null);
  });
  app.post(
    '/alerts/channels/:id/test',
    { schema: { tags, summary: 'Send a test notice to the channel; answers what happened', params: Params, response: { 200: TestResultSchema, ...errors } } },
    async (request) => {
      const outcome = await alerts.testChannel(request.params.id);
      return outcome.ok ? { ok: true, detail: outcome.detail } : { ok: false, detail: outcome.error };
    },
  );
}
