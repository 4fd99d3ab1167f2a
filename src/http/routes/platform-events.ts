import { Type } from 'typebox';
import { PlatformEventSchema, type PlatformEventService } from '../../features/platform-events/platform-events-service.js';
import { bearerToken } from '../../lib/secrets.js';
import { deliveryDto, eventDto } from '../dto.js';
import { DeliverySchema, ErrorSchema, EventSchema } from '../schemas.js';
import type { App } from '../types.js';

const ResultSchema = Type.Object({
  eventId: Type.String(),
  outcome: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate')]),
  duplicateOf: Type.Optional(Type.String()),
});
const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 503: ErrorSchema };
const tags = ['platform events API'];
const security: Array<Record<string, string[]>> = [{ partnerBearer: [] }, { partnerSecretHeader: [] }];

/** The platform events API: its event API and status API, authenticated with an API secret. */
export function platformEventRoutes(deps: { events: PlatformEventService }) {
  return async function (app: App): Promise<void> {
    app.addHook('onRequest', async (request) => {
      const header = request.headers['x-reward-api-secret'];
      await deps.events.authenticate(bearerToken(request.headers.authorization) ?? (Array.isArray(header) ? header[0] : header));
    });

    app.post(
      '/api/events',
      { schema: { tags, security, summary: 'Record one platform event (once per idempotency key)', body: PlatformEventSchema, response: { 200: ResultSchema, ...errors } } },
      async (request) => deps.events.record(request.body),
    );

    app.post(
      '/api/events/batch',
      {
        bodyLimit: 2 * 1024 * 1024,
        schema: {
          tags,
          security,
          summary:
            'Record up to 1,000 platform events in one transaction. The batch is checked whole: a malformed event answers 400 naming it (`events.3.type`) and records none. Each valid event is then accepted, a duplicate or rejected on its own; a store failure records none (503: send the batch again)',
          body: Type.Object({ events: Type.Array(PlatformEventSchema, { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ results: Type.Array(ResultSchema) }), ...errors },
        },
      },
      async (request) => ({ results: await deps.events.recordBatch(request.body.events) }),
    );

    app.get(
      '/api/events/:id',
      {
        schema: {
          tags,
          security,
          summary: 'The status of an event, with its deliveries and their states',
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          response: { 200: Type.Object({ ...EventSchema.properties, deliveries: Type.Array(DeliverySchema) }), ...errors },
        },
      },
      async (request) => {
        const { event, deliveries } = await deps.events.status(request.params.id);
        return { ...eventDto(event), deliveries: deliveries.map(deliveryDto) };
      },
    );
    return Promise.resolve();
  };
}
