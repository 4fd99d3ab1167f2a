import { Type, type Static } from 'typebox';
import { operatorActor, type OperatorService } from '../../features/operators/operators.js';
import type { AdminKeyRecord, OperatorRecord } from '../../features/operators/operators-dal.js';
import { ROLES, SCOPE_NAMES, type Actor } from '../../features/operators/roles.js';
import { ForbiddenError } from '../../lib/errors.js';
import type { AdminAccess } from '../admin-auth.js';
import { iso, pageDto } from '../dto.js';
import { ErrorSchema, IdText, ListQuery, Nullable, PageSchema } from '../schemas.js';
import type { App } from '../types.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema };

const RoleSchema = Type.Enum(ROLES, { title: 'Role', description: 'owner: everything; admin: configuration; support: reads, reviews, adjustments; finance: reports and exports, read-only' });
const ScopeSchema = Type.Enum(SCOPE_NAMES, { title: 'Scope' });
const Email = Type.String({ minLength: 3, maxLength: 254, description: 'An email address' });
const Password = Type.String({ minLength: 1, maxLength: 256 });

const OperatorSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    role: RoleSchema,
    status: Type.Union([Type.Literal('active'), Type.Literal('invited')]),
    inviteExpiresAt: Nullable(Type.String({ format: 'date-time' })),
    invitedBy: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'Operator' },
);
const InvitationSchema = Type.Object(
  {
    operator: OperatorSchema,
    inviteUrl: Type.String({ description: 'The dashboard page where the operator sets a password. Shown only in this answer: pass it on now.' }),
  },
  { title: 'Invitation' },
);
const AdminKeySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    prefix: Type.String(),
    scopes: Type.Array(ScopeSchema),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Nullable(Type.String({ format: 'date-time' })),
    revokedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { title: 'AdminKey' },
);
const AdminKeyCreatedSchema = Type.Object({ ...AdminKeySchema.properties, key: Type.String({ description: 'The key itself (`phk_…`). Shown only in this answer: store it now.' }) }, { title: 'AdminKeyCreated' });
const SessionSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('operator'), Type.Literal('key')]),
    name: Type.String({ description: "The operator's email, the key's name, or `admin token`" }),
    role: Nullable(RoleSchema),
    scopes: Type.Array(ScopeSchema),
    csrfToken: Nullable(Type.String({ description: 'For a signed-in operator: send it as X-CSRF-Token with every POST, PUT, PATCH and DELETE' })),
  },
  { title: 'Session' },
);

const operatorDto = (o: OperatorRecord): Static<typeof OperatorSchema> => ({
  id: o.id,
  email: o.email,
  role: o.role,
  status: o.active ? 'active' : 'invited',
  inviteExpiresAt: o.active || o.inviteExpiresAt === null ? null : iso(o.inviteExpiresAt),
  invitedBy: o.invitedBy,
  createdAt: iso(o.createdAt),
});
const keyDto = (k: AdminKeyRecord): Static<typeof AdminKeySchema> => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  createdBy: k.createdBy,
  createdAt: iso(k.createdAt),
  lastUsedAt: k.lastUsedAt === null ? null : iso(k.lastUsedAt),
  revokedAt: k.revokedAt === null ? null : iso(k.revokedAt),
});

function actorOf(request: { actor: Actor | null }): Actor {
  if (request.actor === null) throw new ForbiddenError('Not signed in');
  return request.actor;
}

export interface OperatorRoutesDeps {
  operators: OperatorService;
  access: AdminAccess;
  publicUrl: (request: { protocol: string; host: string }) => string;
}

const tags = ['operators'];

const sessionAnswer = (actor: Actor, csrfToken: string | null): Static<typeof SessionSchema> => ({
  kind: actor.kind,
  name: actor.name,
  role: actor.role,
  scopes: SCOPE_NAMES.filter((s) => actor.scopes.has(s)),
  csrfToken,
});

const client = (request: { ip: string; headers: Record<string, unknown> }) => ({
  address: request.ip,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
});

/** Signing in and out, one's own password, invitations; operators and admin API keys (owners). */
export function operatorRoutes(app: App, deps: OperatorRoutesDeps): void {
  sessionRoutes(app, deps);
  operatorAdminRoutes(app, deps);
  adminKeyRoutes(app, deps.operators);
}

function sessionRoutes(app: App, { operators, access }: OperatorRoutesDeps): void {

  app.post(
    '/session',
    {
      schema: {
        tags,
        summary: 'Sign in with email and password: sets the session cookie and answers the CSRF token',
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: { 200: SessionSchema, ...errors },
      },
    },
    async (request, reply) => {
      await access.throttle(request);
      try {
        const { operator, session } = await operators.signIn(request.body.email, request.body.password, client(request));
        request.actor = operatorActor(operator);
        return sessionAnswer(request.actor, access.startSession(reply, session));
      } catch (error) {
        throw await access.failed(request, error as Error);
      }
    },
  );
  app.get(
    '/session',
    { schema: { tags, summary: 'Who is signed in (or which key is calling), their scopes, and the CSRF token of a session', response: { 200: SessionSchema, ...errors } } },
    (request, reply) => {
      const actor = actorOf(request);
      return sessionAnswer(actor, actor.sessionId === undefined ? null : access.csrfToken(reply, actor.sessionId));
    },
  );
  app.delete(
    '/session',
    { schema: { tags, summary: 'Sign out: ends this session', response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const actor = actorOf(request);
      if (actor.sessionId !== undefined) await operators.signOut(actor.sessionId);
      access.endSession(reply);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/session/password',
    {
      schema: {
        tags,
        summary: "Change one's own password (at least 12 characters); every other session of the operator is signed out",
        body: Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await operators.changePassword(actorOf(request), request.body.currentPassword, request.body.newPassword);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/invitations/accept',
    {
      schema: {
        tags,
        summary: "Accept an invitation: set one's password (at least 12 characters) and sign in",
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), password: Password }, { additionalProperties: false }),
        response: { 200: SessionSchema, ...errors },
      },
    },
    async (request, reply) => {
      await access.throttle(request);
      try {
        const { operator, session } = await operators.accept(request.body.token, request.body.password, client(request));
        request.actor = operatorActor(operator);
        return sessionAnswer(request.actor, access.startSession(reply, session));
      } catch (error) {
        throw await access.failed(request, error as Error);
      }
    },
  );
}

const Params = Type.Object({ id: IdText });

function operatorAdminRoutes(app: App, { operators, publicUrl }: OperatorRoutesDeps): void {
  const inviteUrl = (request: { protocol: string; host: string }, token: string) => `${publicUrl(request)}/admin/accept#token=${token}`;
  app.get(
    '/operators',
    { schema: { tags, summary: 'Operators and invitations', querystring: ListQuery, response: { 200: PageSchema(OperatorSchema), ...errors } } },
    async (request) => pageDto(await operators.list(request.query), operatorDto),
  );
  app.post(
    '/operators',
    {
      schema: {
        tags,
        summary: 'Invite an operator: answers the link where they set their password (valid 7 days, shown once)',
        body: Type.Object({ email: Email, role: RoleSchema }, { additionalProperties: false }),
        response: { 201: InvitationSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { operator, inviteToken } = await operators.invite(actorOf(request), request.body);
      return reply.status(201).send({ operator: operatorDto(operator), inviteUrl: inviteUrl(request, inviteToken) });
    },
  );
  app.get('/operators/:id', { schema: { tags, summary: 'One operator', params: Params, response: { 200: OperatorSchema, ...errors } } }, async (request) =>
    operatorDto(await operators.get(request.params.id)),
  );
  app.patch(
    '/operators/:id',
    {
      schema: {
        tags,
        summary: "Change an operator's role (applies to their next request; the last owner stays owner)",
        params: Params,
        body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
        response: { 200: OperatorSchema, ...errors },
      },
    },
    async (request) => operatorDto(await operators.setRole(request.params.id, request.body.role)),
  );
  app.delete(
    '/operators/:id',
    { schema: { tags, summary: 'Remove an operator and end their sessions (not oneself, not the last owner)', params: Params, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await operators.remove(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/operators/:id/invitation',
    { schema: { tags, summary: 'A new invitation link for an operator who has not accepted (the old link stops working)', params: Params, response: { 201: InvitationSchema, ...errors } } },
    async (request, reply) => {
      const { operator, inviteToken } = await operators.reinvite(request.params.id);
      return reply.status(201).send({ operator: operatorDto(operator), inviteUrl: inviteUrl(request, inviteToken) });
    },
  );
}

function adminKeyRoutes(app: App, operators: OperatorService): void {
  app.get(
    '/keys',
    { schema: { tags, summary: 'Admin API keys, with their last use (never the keys themselves)', querystring: ListQuery, response: { 200: PageSchema(AdminKeySchema), ...errors } } },
    async (request) => pageDto(await operators.listKeys(request.query), keyDto),
  );
  app.post(
    '/keys',
    {
      schema: {
        tags,
        summary: 'Create an admin API key for automation (Authorization: Bearer phk_…), with the scopes it may use: shown once',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: SCOPE_NAMES.length }) }, { additionalProperties: false }),
        response: { 201: AdminKeyCreatedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const created = await operators.createKey(actorOf(request), request.body);
      return reply.status(201).send({ ...keyDto(created), key: created.key });
    },
  );
  app.delete(
    '/keys/:id',
    { schema: { tags, summary: 'Revoke an admin API key (at once in this process, within a second in others)', params: Params, response: { 200: AdminKeySchema, ...errors } } },
    async (request) => keyDto(await operators.revokeKey(request.params.id)),
  );
}
