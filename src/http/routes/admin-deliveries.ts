import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { DeliveryService, HistoryEntry, HistoryFilter } from '../../features/delivery/delivery-service.js';
import type { DeliveryFilter } from '../../features/delivery/delivery-types.js';
import { formatMicros } from '../../lib/money.js';
import { attemptDto, deliveryDto } from '../dto.js';
import { AttemptSchema, DeliverySchema, ErrorSchema, ListQuery, PageSchema, CsvAnswer } from '../schemas.js';
import type { App } from '../types.js';
import { parseTime, TimeParam } from '../validation.js';

const tags = ['deliveries'];
const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema };
const State = Type.Union([Type.Literal('pending'), Type.Literal('delivering'), Type.Literal('succeeded'), Type.Literal('failed')]);
const Filter = {
  from: Type.Optional(TimeParam),
  to: Type.Optional(TimeParam),
  destination: Type.Optional(Type.String({ maxLength: 64 })),
  state: Type.Optional(State),
  event: Type.Optional(Type.String({ maxLength: 64 })),
};

const DestinationName = Type.Union([Type.String(), Type.Null()], { description: 'The destination’s name; null once it is deleted' });

const RowSchema = Type.Object({
  ...DeliverySchema.properties,
  destinationName: DestinationName,
  eventType: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  offerId: Type.Union([Type.String(), Type.Null()]),
  payout: Type.Union([Type.String(), Type.Null()]),
  currency: Type.Union([Type.String(), Type.Null()]),
  advertiser: Type.Union([Type.String(), Type.Null()]),
  test: Type.Boolean({ description: "Made for a dashboard test postback: sent only to the destinations the operator picked" }),
}, { title: 'DeliveryRow' });

type FilterQuery = { from?: string; to?: string; destination?: string; state?: DeliveryFilter['state']; event?: string };

function toFilter(query: FilterQuery): HistoryFilter {
  const time = (field: string, text: string | undefined) => (text === undefined ? undefined : parseTime(field, text));
  const from = time('from', query.from);
  const to = time('to', query.to);
  return {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(query.destination === undefined ? {} : { destinationId: query.destination }),
    ...(query.state === undefined ? {} : { state: query.state }),
    ...(query.event === undefined ? {} : { eventId: query.event }),
  };
}

/** What MomentScience's postback history shows: when, offer, advertiser, payout, state, HTTP code. */
function rowDto(entry: HistoryEntry) {
  return {
    ...deliveryDto(entry),
    destinationName: entry.destinationName,
    eventType: entry.eventType,
    userId: entry.userId,
    offerId: entry.offerId,
    payout: entry.amountMicros === null ? null : formatMicros(entry.amountMicros),
    currency: entry.currency,
    advertiser: entry.advertiser,
    test: entry.test,
  };
}

/** `/admin/api/deliveries`: the postback history, one delivery's attempts, replay and CSV export. */
export function deliveryRoutes(app: App, deliveries: Pick<DeliveryService, 'list' | 'csv' | 'get' | 'replay'>): void {
  app.get(
    '/deliveries',
    {
      schema: { tags, summary: 'Deliveries, newest first, filtered by date range, destination, state or event', querystring: Type.Object({ ...ListQuery.properties, ...Filter }), response: { 200: PageSchema(RowSchema), ...errors } },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const page = await deliveries.list({ ...toFilter(filter), limit, ...(cursor === undefined ? {} : { cursor }) });
      return { items: page.items.map(rowDto), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/deliveries/export.csv',
    { schema: { tags, summary: 'The history as CSV (streamed; formulas neutralised)', querystring: Type.Object(Filter), response: { 200: CsvAnswer } } },
    async (request, reply) =>
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="deliveries.csv"').send(Readable.from(deliveries.csv(toFilter(request.query)))),
  );

  app.get(
    '/deliveries/:id',
    {
      schema: {
        tags,
        summary: 'A delivery with every attempt (request headers without secrets, status, latency, response excerpt, error)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ ...DeliverySchema.properties, destinationName: DestinationName, history: Type.Array(AttemptSchema) }, { title: 'DeliveryDetail' }), ...errors },
      },
    },
    async (request) => {
      const { delivery, attempts } = await deliveries.get(request.params.id);
      return { ...deliveryDto(delivery), destinationName: delivery.destinationName, history: attempts.map(attemptDto) };
    },
  );

  app.post(
    '/deliveries/:id/replay',
    { schema: { tags, summary: 'Send a delivery again', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: Type.Object({ replayed: Type.Integer() }), ...errors } } },
    async (request) => ({ replayed: await deliveries.replay({ ids: [request.params.id] }) }),
  );

  app.post(
    '/deliveries/replay',
    {
      schema: { tags, summary: 'Send again every delivery that matches (e.g. all failed of a destination)', body: Type.Object(Filter, { additionalProperties: false }), response: { 200: Type.Object({ replayed: Type.Integer() }), ...errors } },
    },
    async (request) => ({ replayed: await deliveries.replay(toFilter(request.body)) }),
  );
}
