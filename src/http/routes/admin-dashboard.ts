import type { AdminAccess } from '../admin-auth.js';
import { Type } from 'typebox';
import type { SourceTester } from '../../features/sources/source-tester.js';
import type { StatsCounts, StatsService } from '../../features/stats/stats-service.js';
import { formatMicros } from '../../lib/money.js';
import { eventDto, iso } from '../dto.js';
import { ErrorSchema, EventSchema, IdText } from '../schemas.js';
import type { App } from '../types.js';
import { parseTime, TIME_WORDS, TimeParam } from '../validation.js';

/**
 * What the web dashboard needs beyond the rest of the admin API: the overview's time series
 * and a "send test postback" that goes through a source's real intake, signed with its secret
 * as the partner would sign it (the browser never holds a source's secret).
 */
export interface DashboardApiDeps {
  /** Who may call which admin route (http/admin-auth.ts), shared with the other admin routes. */
  access: AdminAccess;
  stats: Pick<StatsService, 'overview'>;
  tester: Pick<SourceTester, 'sample' | 'send'>;
  origin: (request: { protocol: string; host: string }) => string;
}

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema };

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
  backlog: Type.Object(
    {
      pending: Type.Integer({ description: 'Every delivery waiting: due + scheduled + parked' }),
      due: Type.Integer({ description: 'Waiting, and its time has come (what oldestDueAgeSeconds measures)' }),
      scheduled: Type.Integer({ description: 'Waiting for a retry set for later' }),
      parked: Type.Integer({ description: 'Waiting for its destination to be resumed or enabled' }),
      delivering: Type.Integer(),
      failed: Type.Integer(),
    },
    { description: 'Deliveries waiting or given up now, of any age' },
  ),
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
    destinations: Type.Optional(
      Type.Array(IdText, { maxItems: 100, description: 'Destination ids to deliver the test to, of those that want it (default none: a test reaches no partner unless picked)' }),
    ),
  },
  { additionalProperties: false },
);

const NamedDestination = Type.Object({ id: Type.String(), name: Type.String() });

const TestResultSchema = Type.Object({
  request: Type.Object({
    method: Type.String(),
    url: Type.String({ description: 'Secrets redacted' }),
    headers: Type.Record(Type.String(), Type.String(), { description: 'Secrets redacted' }),
    body: Type.Union([Type.String(), Type.Null()]),
  }),
  notes: Type.Array(Type.String(), { description: 'Credentials the hub could not produce for this test (e.g. an IP allowlist)' }),
  answer: Type.Object({ status: Type.Integer(), contentType: Type.String(), body: Type.String() }),
  event: Type.Union([EventSchema, Type.Null()], { description: 'The event the hub recorded for it, flagged `test`' }),
  wouldCredit: Type.Union([Type.String(), Type.Null()], {
    description: "Coins the source's reward rule gives it (a decimal string): what a real postback would credit. A test credits nobody. Null when refused before the rule applied",
  }),
  deliveries: Type.Array(Type.Object({ id: Type.String(), destination: NamedDestination }), { description: 'The deliveries it made: to the picked destinations that want it' }),
  notPicked: Type.Array(NamedDestination, { description: 'Destinations that want it but were not picked: nothing was sent to them' }),
  notMatched: Type.Array(NamedDestination, { description: 'Picked destinations that do not want it (or are disabled): nothing was sent to them' }),
}, { title: 'SourceTest' });

/** `/admin/api/stats` and `/admin/api/sources/:slug/test` (GET: the sample; POST: send one). */
export function dashboardApiRoutes(deps: DashboardApiDeps) {
  return async function (app: App): Promise<void> {
    deps.access.protect(app);

    app.get(
      '/stats',
      {
        schema: {
          tags: ['dashboard'],
          summary: 'Time series for the overview: events by outcome, coins, revenue and deliveries per bucket; the delivery backlog now',
          querystring: Type.Object({
            from: Type.Optional({ ...TimeParam, description: `${TIME_WORDS}; default: an hour before \`to\`` }),
            to: Type.Optional({ ...TimeParam, description: `${TIME_WORDS}; exclusive; default: now` }),
            bucket: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 * 86_400, description: 'Bucket size in seconds (default 60)' })),
          }),
          response: { 200: StatsSchema, ...errors },
        },
      },
      async (request) => {
        const { from, to, bucket } = request.query;
        const overview = await deps.stats.overview({
          ...(from === undefined ? {} : { from: parseTime('from', from) }),
          ...(to === undefined ? {} : { to: parseTime('to', to) }),
          ...(bucket === undefined ? {} : { bucketSeconds: bucket }),
        });
        return {
          ...overview,
          from: iso(overview.from),
          to: iso(overview.to),
          now: iso(overview.now),
          buckets: overview.buckets.map((b) => ({ start: iso(b.start), ...countsDto(b) })),
          totals: countsDto(overview.totals),
        };
      },
    );

    app.get(
      '/sources/:slug/test',
      {
        schema: {
          tags: ['sources'],
          summary: 'The sample test postback for a source: a value for each mapped field and fresh unique ids, for the dashboard to offer to edit',
          params: Type.Object({ slug: Type.String({ maxLength: 63 }) }),
          response: {
            200: Type.Object({
              fields: Type.Record(Type.String(), Type.String()),
              destinations: Type.Array(NamedDestination, { description: 'Enabled destinations that want a postback like the sample: the ones the operator may pick' }),
            }),
            ...errors,
          },
        },
      },
      async (request) => deps.tester.sample(request.params.slug),
    );

    app.post(
      '/sources/:slug/test',
      {
        schema: {
          tags: ['sources'],
          summary: "Send a test postback through the source's real intake, recorded as a test, and answer what the hub made of it",
          description:
            'The request is built from `fields` (or a sample from the mapping) and, unless `authenticate` is false, carries the credentials the source expects: ' +
            'its secret as a Bearer token, header or query parameter, a fresh timestamp, and hash signatures computed with its secret. ' +
            'The event is recorded with `test: true`: it credits no ledger (`wouldCredit` says what a real one would), advances no goal, ' +
            'and reports, stats, traces and alerts leave it out; it is delivered only to the `destinations` picked, of those that want it.',
          params: Type.Object({ slug: Type.String({ maxLength: 63 }) }),
          body: TestRequestSchema,
          response: { 200: TestResultSchema, ...errors },
        },
      },
      async (request) => {
        const result = await deps.tester.send(request.params.slug, request.body, { origin: deps.origin(request), ip: request.ip });
        return { ...result, event: result.event === null ? null : eventDto(result.event) };
      },
    );
    return Promise.resolve();
  };
}

function countsDto(c: StatsCounts) {
  return {
    accepted: c.accepted,
    duplicate: c.duplicate,
    rejected: c.rejected,
    coinsCredited: c.coinsCredited,
    coinsReversed: c.coinsReversed,
    revenue: Object.fromEntries(Object.entries(c.revenueMicros).map(([currency, micros]) => [currency, formatMicros(micros)])),
    deliveries: { ...c.deliveries },
    successRate: c.successRate,
  };
}
