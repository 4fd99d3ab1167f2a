import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { AuditEntry, AuditFilter, AuditService } from '../../features/audit/audit.js';
import { iso, pageDto } from '../dto.js';
import { ErrorSchema, ListQuery, PageSchema, CsvAnswer } from '../schemas.js';
import type { App } from '../types.js';
import { parseTime, TimeParam } from '../validation.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 503: ErrorSchema };
const tags = ['audit log'];

const AuditEntrySchema = Type.Object(
  {
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    actor: Type.String({ description: 'Who made the change (today: the admin token)' }),
    address: Type.Union([Type.String(), Type.Null()], { description: "The client's address (X-Forwarded-For's with TRUST_PROXY)" }),
    method: Type.String(),
    route: Type.String({ description: 'The admin route as declared, e.g. /destinations/:id/pause' }),
    resource: Type.String({ description: 'destinations, sources, goals, fraud-policy, …' }),
    resourceId: Type.Union([Type.String(), Type.Null()]),
    status: Type.Integer(),
    changes: Type.Record(Type.String(), Type.Object({ before: Type.Unknown(), after: Type.Unknown() }), { description: 'Each field changed, before and after; secrets shown as "[hidden]"' }),
  },
  { title: 'AuditEntry' },
);

const Filter = Type.Object({
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  resource: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  from: Type.Optional(TimeParam),
  to: Type.Optional(TimeParam),
});

const entryDto = (e: AuditEntry) => ({ ...e, at: iso(e.at) });

function filterOf(query: { actor?: string; resource?: string; resourceId?: string; from?: string; to?: string }): Omit<AuditFilter, 'limit' | 'cursor'> {
  return {
    ...(query.actor === undefined ? {} : { actor: query.actor }),
    ...(query.resource === undefined ? {} : { resource: query.resource }),
    ...(query.resourceId === undefined ? {} : { resourceId: query.resourceId }),
    ...(query.from === undefined ? {} : { from: parseTime('from', query.from) }),
    ...(query.to === undefined ? {} : { to: parseTime('to', query.to) }),
  };
}

/** `/admin/api/audit`: every change made through the admin API, newest first; and as CSV. */
export function auditRoutes(app: App, audit: AuditService): void {
  app.get(
    '/audit',
    {
      schema: {
        tags,
        summary: 'The audit log: every change made through the admin API (who, when, from where, what), newest first',
        querystring: Type.Object({ ...ListQuery.properties, ...Filter.properties }),
        response: { 200: PageSchema(AuditEntrySchema), ...errors },
      },
    },
    async (request) => {
      const { limit, cursor, ...rest } = request.query;
      return pageDto(await audit.list({ ...filterOf(rest), limit, ...(cursor === undefined ? {} : { cursor }) }), entryDto);
    },
  );
  app.get(
    '/audit/export.csv',
    { schema: { tags, summary: 'The audit log as CSV (the same filters), newest first; formulas neutralised', querystring: Filter, response: { 200: CsvAnswer } } },
    async (request, reply) =>
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit.csv"').send(Readable.from(audit.csv(filterOf(request.query)))),
  );
}
