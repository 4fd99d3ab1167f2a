import type { FastifyRequest } from 'fastify';
import type { AuditService } from '../features/audit/audit.js';
import type { App } from './types.js';

const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** POSTs that change nothing: a destination's test sends a sample and records nothing of it. */
const NOT_A_CHANGE = /\/test$/;
const PREFIX = '/admin/api';

/**
 * Every change made through the admin routes, in the audit log as it is answered: who, from
 * where, the route and resource, and the fields changed — the resource read before through its
 * own GET route, and after from the answer (secrets hidden: features/audit/changes.ts). Written
 * before the answer leaves, so a change answered is a change logged; should the log's write
 * fail, the change still stands and the failure is logged.
 */
export function auditChanges(app: App, audit: AuditService): void {
  const before = new WeakMap<FastifyRequest, unknown>();
  app.addHook('preHandler', async (request) => {
    if (!changes(request)) return;
    const target = readBack(request);
    if (target === null || !app.hasRoute({ method: 'GET', url: target.pattern })) return;
    // As the caller: their credentials (a bearer key, or the session cookie) and address.
    const headers: Record<string, string> = {};
    if (request.headers.authorization !== undefined) headers.authorization = request.headers.authorization;
    if (request.headers.cookie !== undefined) headers.cookie = request.headers.cookie;
    const answer = await app.inject({ method: 'GET', url: target.url, headers, remoteAddress: request.ip });
    if (answer.statusCode === 200) before.set(request, answer.json());
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!changes(request) || reply.statusCode >= 400) return payload;
    const route = request.routeOptions.url ?? request.url;
    const [resource = 'unknown'] = route.slice(PREFIX.length).split('/').filter((s) => s !== '');
    const params = request.params as Record<string, string>;
    const firstParam = /\/:([A-Za-z]+)/.exec(route)?.[1];
    const after = answered(resource, payload);
    try {
      await audit.record({
        // A sign-in's actor is who signed in (the route sets it once the password matched).
        actor: request.actor?.name ?? 'anonymous',
        address: request.ip,
        method: request.method,
        route: route.slice(PREFIX.length),
        resource,
        // A creation's id is in its answer.
        resourceId: firstParam === undefined ? createdId(after) : (params[firstParam] ?? null),
        status: reply.statusCode,
        before: before.get(request) ?? null,
        after,
      });
    } catch (error) {
      request.log.error({ err: error }, 'an admin change could not be written to the audit log');
    }
    return payload;
  });
}

function changes(request: FastifyRequest): boolean {
  return CHANGING.has(request.method) && !NOT_A_CHANGE.test(request.routeOptions.url ?? '');
}

/**
 * Where the changed resource is read: a PATCH, PUT or DELETE at its own path; an action
 * (`POST /destinations/:id/pause`) at the path it acts on; a creation has no before.
 */
function readBack(request: FastifyRequest): { pattern: string; url: string } | null {
  const route = request.routeOptions.url ?? '';
  const segments = route.split('/');
  let pattern: string | null = null;
  if (request.method !== 'POST') pattern = route;
  else if (segments.length > 2 && segments.at(-2)!.startsWith(':') && !segments.at(-1)!.startsWith(':')) pattern = segments.slice(0, -1).join('/');
  if (pattern === null) return null;
  const params = request.params as Record<string, string>;
  const url = pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  return { pattern, url };
}

/** The answer as the resource after the change (a user's adjustment answers the user and its entry). */
function answered(resource: string, payload: unknown): unknown {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return null;
  const body = JSON.parse(payload) as Record<string, unknown>;
  if (resource === 'users' && typeof body.user === 'object' && body.user !== null) return { ...(body.user as Record<string, unknown>), entryId: body.entryId };
  return body;
}

function createdId(after: unknown): string | null {
  if (typeof after !== 'object' || after === null) return null;
  const { id, slug, pid } = after as Record<string, unknown>;
  const found = [id, slug, pid].find((v) => typeof v === 'string');
  return typeof found === 'string' ? found : null;
}
