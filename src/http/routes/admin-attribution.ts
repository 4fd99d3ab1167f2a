import { Type } from 'typebox';
import type { ConversionService } from '../../features/conversions/conversions-service.js';
import { FraudPolicySchema } from '../../features/conversions/fraud.js';
import { formatMicros } from '../../lib/money.js';
import { eventDto } from '../dto.js';
import { ErrorSchema, EventSchema, IdText, Nullable } from '../schemas.js';
import type { App } from '../types.js';
import { parseTime, TimeParam } from '../validation.js';
import type { StatsService } from '../../features/stats/stats-service.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };

const ReportSchema = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  by: Type.Union([Type.Literal('offer'), Type.Literal('partner'), Type.Literal('day')]),
  rows: Type.Array(
    Type.Object({
      key: Nullable(Type.String({ description: 'The offer id, the partner, or the UTC day (YYYY-MM-DD); null: none' })),
      clicks: Type.Integer(),
      conversions: Type.Integer({ description: 'Accepted events (held ones included), less those rejected in review' }),
      attributedConversions: Type.Integer({ description: 'Of those, the ones attributed to a tracking-link click' }),
      conversionRate: Nullable(Type.Number({ description: 'attributedConversions / clicks; null without clicks' })),
      revenue: Type.Record(Type.String(), Type.String(), { description: 'Sum of the conversions’ amounts per currency (decimal strings): {"USD": "12.50"}' }),
      coins: Type.Integer({ description: 'Coins credited by them' }),
    }),
  ),
}, { title: 'Report' });

export interface AttributionRouteDeps {
  conversions: Pick<ConversionService, 'policy' | 'setPolicy' | 'review'>;
  stats: Pick<StatsService, 'report'>;
}

/** Fraud policy, held-event review and reports. */
export function attributionRoutes(app: App, deps: AttributionRouteDeps): void {
  app.get(
    '/fraud-policy',
    { schema: { tags: ['fraud'], summary: 'The attribution window and fraud checks in force', response: { 200: FraudPolicySchema, ...errors } } },
    () => deps.conversions.policy(),
  );
  app.put(
    '/fraud-policy',
    {
      schema: {
        tags: ['fraud'],
        summary: 'Set the attribution window and fraud checks (omitted ones take their defaults)',
        body: FraudPolicySchema,
        response: { 200: FraudPolicySchema, ...errors },
      },
    },
    (request) => deps.conversions.setPolicy(request.body),
  );

  const Params = Type.Object({ id: IdText });
  app.post(
    '/events/:id/approve',
    { schema: { tags: ['fraud'], summary: 'Approve a held event: credit it and send its postbacks now', params: Params, response: { 200: EventSchema, ...errors } } },
    async (request) => eventDto(await deps.conversions.review(request.params.id, true)),
  );
  app.post(
    '/events/:id/reject',
    {
      schema: { tags: ['fraud'], summary: 'Reject a flagged, held or approved event: no credit, and a reversal if it was credited', params: Params, response: { 200: EventSchema, ...errors } },
    },
    async (request) => eventDto(await deps.conversions.review(request.params.id, false)),
  );

  app.get(
    '/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'Clicks, conversions, conversion rate, revenue and coins by offer, partner or day',
        querystring: Type.Object({ from: TimeParam, to: TimeParam, by: Type.Union([Type.Literal('offer'), Type.Literal('partner'), Type.Literal('day')], { default: 'offer' }) }),
        response: { 200: ReportSchema, ...errors },
      },
    },
    async (request) => {
      const from = parseTime('from', request.query.from);
      const to = parseTime('to', request.query.to);
      const rows = await deps.stats.report(from, to, request.query.by);
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        by: request.query.by,
        rows: rows.map((r) => ({
          key: r.key,
          clicks: r.clicks,
          conversions: r.conversions,
          attributedConversions: r.attributed,
          conversionRate: r.conversionRate,
          revenue: Object.fromEntries(Object.entries(r.revenueMicros).map(([currency, micros]) => [currency, formatMicros(micros)])),
          coins: r.coins,
        })),
      };
    },
  );
}
