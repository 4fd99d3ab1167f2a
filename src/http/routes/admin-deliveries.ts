import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { csvLine } from '../../lib/csv.js';
import { formatMicros } from '../../lib/money.js';
import { deliveryDto } from '../dto.js';
import { DeliverySchema, ErrorSchema, ListQuery, PageSchema } from '../schemas.js';
import type { App } from '../types.js';
import { parseTime } from '../validation.js';
import type { DeliveryFilter, DeliveryRow } from '../../features/delivery/delivery-types.js';
import type { DeliveriesDal } from '../../features/delivery/deliveries-dal.js';

const tags = ['deliveries'];
const security = [{ adminToken: [] }];
const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema };
const State = Type.Union([Type.Literal('pending'), Type.Literal('delivering'), Type.Literal('succeeded'), Type.Literal('failed')]);
const Filter = {
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  destination: Type.Optional(Type.String({ maxLength: 64 })),
  state: Type.Optional(State),
  event: Type.Optional(Type.String({ maxLength: 64 })),
};

const RowSchema = Type.Object({
  ...DeliverySchema.properties,
  eventType: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  offerId: Type.Union([Type.String(), Type.Null()]),
  payout: Type.Union([Type.String(), Type.Null()]),
  currency: Type.Union([Type.String(), Type.Null()]),
  advertiser: Type.Union([Type.String(), Type.Null()]),
}, { title: 'DeliveryRow' });

type FilterQuery = { from?: string; to?: string; destination?: string; state?: DeliveryFilter['state']; event?: string };

function toFilter(query: FilterQuery): Omit<DeliveryFilter, 'limit' | 'cursor'> {
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

/** What seed 002's postback history shows: when, offer, advertiser, payout, state, HTTP code. */
function rowDto(row: DeliveryRow) {
  const advertiser = (row.eventMetadata.data as Record<string, unknown> | undefined)?.advertiser_name;
  return {
    ...deliveryDto(row),
    eventType: row.eventType,
    userId: row.userId,
    offerId: row.offerId,
    payout: row.amountMicros === null ? null : formatMicros(row.amountMicros),
    currency: row.currency,
    advertiser: typeof advertiser === 'string' ? advertiser : null,
  };
}

const CSV_COLUMNS = ['delivery_id', 'created_at', 'event_id', 'event_type', 'user_id', 'offer_id', 'advertiser', 'payout', 'currency', 'destination_id', 'state', 'attempts', 'http_status', 'last_error'];

/** `/admin/api/deliveries`: the postback history, replay and CSV export. */
export function deliveryRoutes(app: App, deps: { store: Pick<DeliveriesDal, 'listDeliveries' | 'replayDeliveries'>; now: () => number }): void {
  app.get(
    '/deliveries',
    {
      schema: { tags, security, summary: 'Deliveries, newest first, filtered by date range, destination, state or event', querystring: Type.Object({ ...ListQuery.properties, ...Filter }), response: { 200: PageSchema(RowSchema), ...errors } },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const page = await deps.store.listDeliveries({ ...toFilter(filter), limit, ...(cursor === undefined ? {} : { cursor }) });
      return { items: page.items.map(rowDto), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/deliveries/export.csv',
    { schema: { tags, security, summary: 'The history as CSV (streamed; formulas neutralised)', querystring: Type.Object(Filter) } },
    async (request, reply) => {
      const filter = toFilter(request.query);
      const store = deps.store;
      async function* lines() {
        yield csvLine(CSV_COLUMNS);
        let cursor: string | undefined;
        do {
          const page = await store.listDeliveries({ ...filter, limit: 500, ...(cursor === undefined ? {} : { cursor }) });
          for (const row of page.items) {
            const d = rowDto(row);
            yield csvLine([d.id, d.createdAt, d.eventId, d.eventType, d.userId, d.offerId, d.advertiser, d.payout, d.currency, d.destinationId, d.state, d.attempts, d.lastStatus, d.lastError]);
          }
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
      }
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="deliveries.csv"').send(Readable.from(lines()));
    },
  );

  app.post(
    '/deliveries/:id/replay',
    { schema: { tags, security, summary: 'Send a delivery again', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: Type.Object({ replayed: Type.Integer() }), ...errors } } },
    async (request) => {
      const replayed = await deps.store.replayDeliveries({ ids: [request.params.id] }, deps.now());
      return { replayed };
    },
  );

  app.post(
    '/deliveries/replay',
    {
      schema: { tags, security, summary: 'Send again every delivery that matches (e.g. all failed of a destination)', body: Type.Object(Filter, { additionalProperties: false }), response: { 200: Type.Object({ replayed: Type.Integer() }), ...errors } },
    },
    async (request) => {
      const replayed = await deps.store.replayDeliveries(toFilter(request.body), deps.now());
      return { replayed };
    },
  );
}
