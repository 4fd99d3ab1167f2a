import { Type } from 'typebox';
import type { ConversionService } from '../../features/conversions/conversions-service.js';
import { eventDto, pageDto } from '../dto.js';
import { ErrorSchema, EventOutcomeSchema, EventSchema, IdText, ListQuery, PageSchema, ReviewStateSchema } from '../schemas.js';
import type { App } from '../types.js';
import { parseTime, TimeParam as Time } from '../validation.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };
const tags = ['events'];

/** `/admin/api/events`: the event explorer. */
export function eventRoutes(app: App, conversions: Pick<ConversionService, 'events' | 'event'>): void {
  app.get(
    '/events',
    {
      schema: {
        tags,
        summary: 'Every inbound postback (accepted, duplicate or rejected with its reason), newest first',
        querystring: Type.Object({
          ...ListQuery.properties,
          from: Type.Optional(Time),
          to: Type.Optional(Time),
          status: Type.Optional(EventOutcomeSchema),
          source: Type.Optional(IdText),
          user: Type.Optional(IdText),
          offer: Type.Optional(IdText),
          partner: Type.Optional(IdText),
          review: Type.Optional(ReviewStateSchema),
          test: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'Only test postbacks sent from the dashboard (true) or only real ones (false); both when absent' })),
        }),
        response: { 200: PageSchema(EventSchema), ...errors },
      },
    },
    async (request) => {
      const { from, to, status, source, user, offer, partner, review, test, limit, cursor } = request.query;
      const page = await conversions.events({
        limit,
        ...(cursor === undefined ? {} : { cursor }),
        ...(from === undefined ? {} : { from: parseTime('from', from) }),
        ...(to === undefined ? {} : { to: parseTime('to', to) }),
        ...(status === undefined ? {} : { outcome: status }),
        ...(source === undefined ? {} : { source }),
        ...(user === undefined ? {} : { userId: user }),
        ...(offer === undefined ? {} : { offerId: offer }),
        ...(partner === undefined ? {} : { partner }),
        ...(review === undefined ? {} : { review }),
        ...(test === undefined ? {} : { test: test === 'true' }),
      });
      return pageDto(page, eventDto);
    },
  );
  app.get(
    '/events/:id',
    { schema: { tags, summary: 'One event with its raw request', params: Type.Object({ id: IdText }), response: { 200: EventSchema, ...errors } } },
    async (request) => eventDto(await conversions.event(request.params.id)),
  );
}
