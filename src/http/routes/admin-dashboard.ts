import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { onRequestAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import { formatMicros } from '../../lib/money.js';
import type { AuthRule, FieldPath, SourceDefinition } from '../../features/sources/definition.js';
import { signedMessage, type HashSignatureScheme, type SignedRequest } from '../../features/sources/signatures.js';
import type { SourcePostbackIntake, SourceAnswer } from '../../features/sources/source-intake.js';
import type { SourceService } from '../../features/sources/sources-service.js';
import { AppError, errorBody, StoreUnavailableError, ValidationError } from '../../lib/errors.js';
import { eventDto, iso } from '../dto.js';
import { ErrorSchema, EventSchema } from '../schemas.js';
import type { App } from '../types.js';
import { parseTime } from '../validation.js';
import type { DeliveryState } from '../../features/delivery/delivery-types.js';
import type { StatsDal } from '../../features/stats/stats-dal.js';
import type { EventsDal } from '../../features/conversions/events-dal.js';

/**
 * What the web dashboard needs beyond the rest of the admin API: the overview's time series
 * and a "send test postback" that goes through a source's real intake, signed with its secret
 * as the partner would sign it (the browser never holds a source's secret).
 */
export interface DashboardApiDeps {
  /** The admin token check (http/admin-auth.ts), shared with the other admin routes. */
  authenticate: onRequestAsyncHookHandler;
  store: Pick<StatsDal, 'stats'> & Pick<EventsDal, 'listEvents'>;
  sources: Pick<SourceService, 'get' | 'load'>;
  intake: Pick<SourcePostbackIntake, 'handle'>;
  origin: (request: { protocol: string; host: string }) => string;
  now: () => number;
}

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema };
const security = [{ adminToken: [] }];
const MAX_BUCKETS = 2000;

const Counts = {
  accepted: Type.Integer(),
  duplicate: Type.Integer(),
  rejected: Type.Integer(),
  coinsCredited: Type.Integer({ description: 'Coins credited by accepted events' }),
  coinsReversed: Type.Integer({ description: 'Coins taken back by reversals (a positive number)' }),
  revenue: Type.Record(Type.String(), Type.String(), { description: 'Revenue of accepted events per currency, decimal strings' }),
  deliveries: Type.Object({ pending: Type.Integer(), delivering: Type.Integer(), succeeded: Type.Integer(), failed: Type.Integer() }, { description: 'Deliveries created, by their state now' }),
  successRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'succeeded / (succeeded + failed); null when none has finished' }),
};

const StatsSchema = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  bucketSeconds: Type.Integer(),
  now: Type.String({ format: 'date-time' }),
  buckets: Type.Array(Type.Object({ start: Type.String({ format: 'date-time' }), ...Counts })),
  totals: Type.Object(Counts),
  backlog: Type.Object({ pending: Type.Integer(), delivering: Type.Integer(), failed: Type.Integer() }, { description: 'Deliveries waiting or given up now, of any age' }),
  oldestDueAgeSeconds: Type.Union([Type.Integer(), Type.Null()], { description: 'How long the oldest due delivery has waited; null when none is due' }),
  pausedDestinations: Type.Integer(),
}, { title: 'Stats' });

const TestRequestSchema = Type.Object(
  {
    method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST')], { description: 'Default: GET when the source authenticates in the query, else POST JSON' })),
    fields: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.String({ maxLength: 2000 }), {
        description: 'Input fields by path (`payload.user_id` nests in a JSON body); default: a sample built from the source mapping',
      }),
    ),
    authenticate: Type.Optional(Type.Boolean({ description: 'Add the credentials the source expects, signed with its secret (default true)' })),
  },
  { additionalProperties: false },
);

const TestResultSchema = Type.Object({
  request: Type.Object({
    method: Type.String(),
    url: Type.String({ description: 'Secrets redacted' }),
    headers: Type.Record(Type.String(), Type.String(), { description: 'Secrets redacted' }),
    body: Type.Union([Type.String(), Type.Null()]),
  }),
  notes: Type.Array(Type.String(), { description: 'Credentials the hub could not produce for this test (e.g. an IP allowlist)' }),
  answer: Type.Object({ status: Type.Integer(), contentType: Type.String(), body: Type.String() }),
  event: Type.Union([EventSchema, Type.Null()], { description: 'The event the hub recorded for it' }),
}, { title: 'SourceTest' });

/** `/admin/api/stats` and `/admin/api/sources/:slug/test` (GET: the sample; POST: send one). */
export function dashboardApiRoutes(deps: DashboardApiDeps) {
  return async function (app: App): Promise<void> {
    app.addHook('onRequest', deps.authenticate);

    app.get(
      '/stats',
      {
        schema: {
          tags: ['dashboard'],
          security,
          summary: 'Time series for the overview: events by outcome, coins, revenue and deliveries per bucket; the delivery backlog now',
          querystring: Type.Object({
            from: Type.Optional(Type.String({ format: 'date-time', description: 'ISO-8601; default: an hour before `to`' })),
            to: Type.Optional(Type.String({ format: 'date-time', description: 'ISO-8601, exclusive; default: now' })),
            bucket: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 * 86_400, description: 'Bucket size in seconds (default 60)' })),
          }),
          response: { 200: StatsSchema, ...errors },
        },
      },
      async (request) => {
        const now = deps.now();
        const to = request.query.to === undefined ? now : parseTime('to', request.query.to);
        const from = request.query.from === undefined ? to - 3_600_000 : parseTime('from', request.query.from);
        const bucketSeconds = request.query.bucket ?? 60;
        const bucketMs = bucketSeconds * 1000;
        if (from >= to) throw new ValidationError('from', 'must be before to');
        if (Math.ceil((to - from) / bucketMs) > MAX_BUCKETS) throw new ValidationError('bucket', `makes more than ${MAX_BUCKETS} buckets for this range: choose a larger one`);
        const stats = await deps.store.stats({ from, to, bucketMs, now });
        const totals = { accepted: 0, duplicate: 0, rejected: 0, coinsCredited: 0, coinsReversed: 0, revenueMicros: {} as Record<string, bigint>, deliveries: { pending: 0, delivering: 0, succeeded: 0, failed: 0 } };
        const buckets = stats.buckets.map((b) => {
          totals.accepted += b.accepted;
          totals.duplicate += b.duplicate;
          totals.rejected += b.rejected;
          totals.coinsCredited += b.coinsCredited;
          totals.coinsReversed += b.coinsReversed;
          for (const [currency, micros] of Object.entries(b.revenueMicros)) totals.revenueMicros[currency] = (totals.revenueMicros[currency] ?? 0n) + micros;
          for (const state of Object.keys(b.deliveries) as DeliveryState[]) totals.deliveries[state] += b.deliveries[state];
          return { start: iso(b.start), ...counts(b) };
        });
        return {
          from: iso(from),
          to: iso(to),
          bucketSeconds,
          now: iso(now),
          buckets,
          totals: counts(totals),
          backlog: stats.backlog,
          oldestDueAgeSeconds: stats.oldestDueAt === null ? null : Math.max(0, Math.floor((now - stats.oldestDueAt) / 1000)),
          pausedDestinations: stats.pausedDestinations,
        };
      },
    );

    app.get(
      '/sources/:slug/test',
      {
        schema: {
          tags: ['sources'],
          security,
          summary: 'The sample test postback for a source: a value for each mapped field and fresh unique ids, for the dashboard to offer to edit',
          params: Type.Object({ slug: Type.String({ maxLength: 63 }) }),
          response: { 200: Type.Object({ fields: Type.Record(Type.String(), Type.String()) }), ...errors },
        },
      },
      async (request) => {
        await deps.sources.get(request.params.slug); // 404 for an unknown source
        const loaded = await deps.sources.load(request.params.slug);
        if (loaded === null) throw new ValidationError('slug', 'could not be loaded');
        return { fields: sampleFields(loaded.definition, deps.now()) };
      },
    );

    app.post(
      '/sources/:slug/test',
      {
        schema: {
          tags: ['sources'],
          security,
          summary: "Send a test postback through the source's real intake (recorded like any other) and answer what the hub made of it",
          description:
            'The request is built from `fields` (or a sample from the mapping) and, unless `authenticate` is false, carries the credentials the source expects: ' +
            'its secret as a Bearer token, header or query parameter, a fresh timestamp, and hash signatures computed with its secret. ' +
            'An accepted test postback credits its user and is delivered to the destinations that want it.',
          params: Type.Object({ slug: Type.String({ maxLength: 63 }) }),
          body: TestRequestSchema,
          response: { 200: TestResultSchema, ...errors },
        },
      },
      async (request) => {
        const { slug } = request.params;
        await deps.sources.get(slug); // 404 for an unknown source
        const loaded = await deps.sources.load(slug);
        if (loaded === null) throw new ValidationError('slug', 'could not be loaded');
        const definition = loaded.definition;
        const testId = randomUUID();
        const now = deps.now();
        const method = request.body.method ?? (readsQuery(definition.auth) ? 'GET' : 'POST');
        const fields = request.body.fields ?? sampleFields(definition, now);
        const origin = deps.origin(request);
        const path = `/postbacks/${slug}`;
        const built = buildTestRequest({ method, fields, definition, secret: request.body.authenticate === false ? null : loaded.secret, authenticate: request.body.authenticate !== false, origin, path, now, ip: request.ip });
        const headers = { ...built.headers, 'x-postback-hub-test': testId, 'user-agent': 'postback-hub-dashboard-test' };
        let answer: SourceAnswer;
        try {
          answer = await deps.intake.handle(slug, { method, path, rawQuery: built.rawQuery, query: Object.fromEntries(built.query), headers, ip: request.ip, body: built.body, origin });
        } catch (error) {
          if (error instanceof StoreUnavailableError || !(error instanceof AppError)) throw error;
          answer = { status: error.statusCode, json: { ...errorBody(error) } };
        }
        // The event is the newest of the source's that carries this test's marker header.
        const recent = await deps.store.listEvents({ source: slug, limit: 50 });
        const event = recent.items.find((e) => e.raw?.headers['x-postback-hub-test'] === testId) ?? null;
        const secretParams = built.secretParams;
        return {
          request: {
            method,
            url: `${origin}${path}${built.rawQuery === '' ? '' : `?${redactQuery(built.query, secretParams)}`}`,
            headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, built.secretHeaders.includes(name) ? '[redacted]' : value])),
            body: built.body === undefined ? null : built.body.toString('utf8'),
          },
          notes: built.notes,
          answer: 'text' in answer ? { status: answer.status, contentType: 'text/plain', body: answer.text } : { status: answer.status, contentType: 'application/json', body: JSON.stringify(answer.json) },
          event: event === null ? null : eventDto(event),
        };
      },
    );
    return Promise.resolve();
  };
}

function counts(b: { accepted: number; duplicate: number; rejected: number; coinsCredited: number; coinsReversed: number; revenueMicros: Record<string, bigint>; deliveries: Record<DeliveryState, number> }) {
  const finished = b.deliveries.succeeded + b.deliveries.failed;
  return {
    accepted: b.accepted,
    duplicate: b.duplicate,
    rejected: b.rejected,
    coinsCredited: b.coinsCredited,
    coinsReversed: b.coinsReversed,
    revenue: Object.fromEntries(Object.entries(b.revenueMicros).map(([currency, micros]) => [currency, formatMicros(micros)])),
    deliveries: { ...b.deliveries },
    successRate: finished === 0 ? null : b.deliveries.succeeded / finished,
  };
}

const firstPath = (path: FieldPath | undefined): string | undefined => (path === undefined ? undefined : typeof path === 'string' ? path : path[0]);

/** A plausible postback for a source, by its mapping: what the dashboard offers to edit. */
export function sampleFields(definition: SourceDefinition, now: number): Record<string, string> {
  const unique = `test-${now.toString(36)}-${randomUUID().slice(0, 8)}`;
  const samples: Record<string, string> = {
    user: 'test-user',
    externalId: unique,
    offer: 'test-offer',
    eventType: definition.defaults?.eventType ?? 'conversion',
    amount: '1.00',
    currency: definition.defaults?.currency ?? 'USD',
    level: '5',
    clickId: `click-${unique}`,
    reward: '10',
    timestamp: new Date(now).toISOString(),
  };
  const fields: Record<string, string> = {};
  for (const [name, path] of Object.entries(definition.fields)) {
    const key = firstPath(path);
    const value = samples[name];
    if (key !== undefined && value !== undefined) fields[key] = value;
  }
  for (const key of definition.dedupeKey ?? []) {
    const path = firstPath(key);
    if (path !== undefined && !path.startsWith('$') && fields[path] === undefined) fields[path] = unique;
  }
  return fields;
}

function leafRules(rules: readonly AuthRule[]) {
  return rules.flatMap((rule) => (rule.kind === 'any' ? rule.rules.slice(0, 1) : [rule]));
}

/** A source whose credentials travel in the query string is tested with a GET. */
function readsQuery(rules: readonly AuthRule[]): boolean {
  return leafRules(rules).some(
    (rule) =>
      rule.kind === 'secret-query' ||
      (rule.kind === 'signature' && (rule.scheme.kind === 'ecdsa-p256' || 'query' in rule.scheme.location || rule.scheme.message.kind === 'sorted-query' || rule.scheme.message.kind === 'url-without-signature')),
  );
}

interface BuiltRequest {
  query: Array<[string, string]>;
  rawQuery: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  notes: string[];
  secretParams: string[];
  secretHeaders: string[];
}

/** The request a partner would send, with the credentials the source's rules ask for (the first alternative of an `any`). */
function buildTestRequest(input: {
  method: 'GET' | 'POST';
  fields: Record<string, string>;
  definition: SourceDefinition;
  secret: string | null;
  authenticate: boolean;
  origin: string;
  path: string;
  now: number;
  ip: string;
}): BuiltRequest {
  const { method, definition, secret } = input;
  const query: Array<[string, string]> = [];
  const bodyFields: Record<string, string> = {};
  const put = (name: string, value: string) => {
    if (method === 'GET') query.push([name, value]);
    else bodyFields[name] = value;
  };
  for (const [name, value] of Object.entries(input.fields)) put(name, value);
  const headers: Record<string, string> = {};
  const notes: string[] = [];
  const secretParams: string[] = [];
  const secretHeaders: string[] = [];
  const signatures: HashSignatureScheme[] = [];
  const rules = input.authenticate ? leafRules(definition.auth) : [];
  if (!input.authenticate && definition.auth.length > 0) notes.push('Sent without credentials, as asked.');
  for (const rule of rules) {
    switch (rule.kind) {
      case 'bearer':
        if (secret === null) notes.push('The source has no secret: no Bearer token sent.');
        else {
          headers.authorization = `Bearer ${secret}`;
          secretHeaders.push('authorization');
        }
        break;
      case 'secret-header':
        if (secret !== null) {
          headers[rule.header.toLowerCase()] = secret;
          secretHeaders.push(rule.header.toLowerCase());
        }
        break;
      case 'secret-query':
        if (secret !== null) {
          query.push([rule.param, secret]);
          secretParams.push(rule.param);
        }
        break;
      case 'timestamp':
        if (input.fields[rule.path] === undefined) put(rule.path, String(Math.floor(input.now / 1000)));
        break;
      case 'ip-allowlist':
        notes.push(`The source only accepts ${rule.cidrs.join(', ')}; this test comes from ${input.ip}.`);
        break;
      case 'signature':
        if (rule.scheme.kind === 'ecdsa-p256') notes.push('ECDSA signatures need the partner’s private key: the test is sent unsigned.');
        else signatures.push(rule.scheme);
        break;
    }
  }
  const encode = (pairs: Array<[string, string]>) => pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
  const jsonBody = () => (method === 'POST' ? Buffer.from(JSON.stringify(nest(bodyFields)), 'utf8') : undefined);
  for (const scheme of signatures) {
    if (secret === null) {
      notes.push('The source has no secret to sign with: the test is sent unsigned.');
      continue;
    }
    const body = jsonBody();
    const request: SignedRequest = {
      origin: input.origin,
      path: input.path,
      rawQuery: encode(query),
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body,
      fields: { ...Object.fromEntries(query), ...bodyFields },
    };
    const message = signedMessage(scheme, request, secret);
    const digest = scheme.kind === 'hmac' ? createHmac(scheme.algorithm, secret).update(message).digest() : createHash(scheme.algorithm).update(message).digest();
    const signature = digest.toString(scheme.encoding);
    if ('header' in scheme.location) headers[scheme.location.header.toLowerCase()] = signature;
    else if ('query' in scheme.location) query.push([scheme.location.query, signature]);
    else put(scheme.location.field, signature);
  }
  const body = jsonBody();
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { query, rawQuery: encode(query), headers, body, notes, secretParams, secretHeaders };
}

/**
 * `{"payload.user_id": "u"}` → `{"payload": {"user_id": "u"}}`. Objects without a prototype:
 * a path through `__proto__` is just a key.
 */
function nest(fields: Record<string, string>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [path, value] of Object.entries(fields)) {
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) {
      const next = Object.hasOwn(node, key) ? node[key] : undefined;
      node = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : ((node[key] = Object.create(null) as Record<string, unknown>));
    }
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}

function redactQuery(query: Array<[string, string]>, secretParams: readonly string[]): string {
  return query.map(([n, v]) => `${encodeURIComponent(n)}=${secretParams.includes(n) ? '[redacted]' : encodeURIComponent(v)}`).join('&');
}
