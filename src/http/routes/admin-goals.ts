import { Type } from 'typebox';
import { GoalConfigSchema, type Goal } from '../../features/goals/definition.js';
import type { GoalProgress, GoalService } from '../../features/goals/goals.js';
import { iso, pageDto } from '../dto.js';
import { ErrorSchema, IdText, ListQuery, PageSchema } from '../schemas.js';
import type { App } from '../types.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema };
const tags = ['goals'];
const Time = Type.String({ format: 'date-time' });

const GoalSchema = Type.Object(
  { id: Type.String(), name: Type.String(), config: GoalConfigSchema, enabled: Type.Boolean(), createdAt: Time, updatedAt: Time },
  { title: 'Goal' },
);

const GoalProgressSchema = Type.Object(
  {
    goal: GoalSchema,
    met: Type.Union([Type.Array(Type.Boolean()), Type.Null()], { description: "A group: each condition, met or not (in the goal's order); a count: null" }),
    count: Type.Integer({ description: 'Events counted (a repeating count: toward its next completion)' }),
    completions: Type.Integer(),
    windowEnds: Type.Union([Time, Type.Null()], { description: 'When the current window ends; null without a window or progress' }),
    updatedAt: Type.Union([Time, Type.Null()]),
  },
  { title: 'GoalProgress' },
);

const goalDto = (g: Goal) => ({ id: g.id, name: g.name, config: g.config, enabled: g.enabled, createdAt: iso(g.createdAt), updatedAt: iso(g.updatedAt) });
const progressDto = (p: GoalProgress) => ({
  goal: goalDto(p.goal),
  met: p.met,
  count: p.count,
  completions: p.completions,
  windowEnds: p.windowEnds === null ? null : iso(p.windowEnds),
  updatedAt: p.updatedAt === 0 ? null : iso(p.updatedAt),
});

/** `/admin/api/goals`, and each user's progress toward them. */
export function goalRoutes(app: App, goals: GoalService): void {
  const Params = Type.Object({ id: IdText });
  const Name = Type.String({ minLength: 1, maxLength: 200 });
  app.post(
    '/goals',
    {
      schema: {
        tags,
        summary: 'Create a goal: all of a group of conditions (up to 10), or a count of matching events; its completion is an event of type `goal`, sent to destinations that match it, with an optional bonus',
        body: Type.Object({ id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' })), name: Name, config: GoalConfigSchema, enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 201: GoalSchema, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(goalDto(await goals.create(request.body))),
  );
  app.get('/goals', { schema: { tags, summary: 'List goals', querystring: ListQuery, response: { 200: PageSchema(GoalSchema), ...errors } } }, async (request) =>
    pageDto(await goals.list(request.query), goalDto),
  );
  app.get('/goals/:id', { schema: { tags, summary: 'A goal', params: Params, response: { 200: GoalSchema, ...errors } } }, async (request) => goalDto(await goals.get(request.params.id)));
  app.patch(
    '/goals/:id',
    {
      schema: {
        tags,
        summary: 'Change a goal (from the next event on; progress made so far is kept)',
        params: Params,
        body: Type.Object({ name: Type.Optional(Name), config: Type.Optional(GoalConfigSchema), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: GoalSchema, ...errors },
      },
    },
    async (request) => goalDto(await goals.update(request.params.id, request.body)),
  );
  app.delete(
    '/goals/:id',
    { schema: { tags, summary: "Delete a goal and every user's progress toward it (its completed events stay)", params: Params, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await goals.delete(request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/users/:id/goals',
    { schema: { tags, summary: "A user's progress toward every goal", params: Params, response: { 200: Type.Object({ items: Type.Array(GoalProgressSchema) }), ...errors } } },
    async (request) => ({ items: (await goals.progress(request.params.id)).map(progressDto) }),
  );
}
