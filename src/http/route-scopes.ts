import type { Scope } from '../features/operators/roles.js';

/**
 * The one list of what each admin route needs: a scope (features/operators/roles.ts), or
 * `signed-in` (any operator or key: one's own session), or `public` (signing in, accepting an
 * invitation). Building the app fails on an admin route missing here, and test/access.test.ts
 * calls every route listed with every role, so a new route is refused to nobody by accident.
 */
export type RouteRule = Scope | 'signed-in' | 'public';

export const ROUTE_SCOPES: Readonly<Record<string, RouteRule>> = {
  // Sessions and one's own account.
  'POST /admin/api/session': 'public',
  'GET /admin/api/session': 'signed-in',
  'DELETE /admin/api/session': 'signed-in',
  'POST /admin/api/session/password': 'signed-in',
  'POST /admin/api/invitations/accept': 'public',
  // Operators and admin API keys.
  'GET /admin/api/operators': 'operators:manage',
  'POST /admin/api/operators': 'operators:manage',
  'GET /admin/api/operators/:id': 'operators:manage',
  'PATCH /admin/api/operators/:id': 'operators:manage',
  'DELETE /admin/api/operators/:id': 'operators:manage',
  'POST /admin/api/operators/:id/invitation': 'operators:manage',
  'GET /admin/api/keys': 'operators:manage',
  'POST /admin/api/keys': 'operators:manage',
  'DELETE /admin/api/keys/:id': 'operators:manage',
  // Users and balances.
  'POST /admin/api/users': 'config:write',
  'GET /admin/api/users': 'data:read',
  'GET /admin/api/users/:id': 'data:read',
  'PATCH /admin/api/users/:id': 'config:write',
  'DELETE /admin/api/users/:id': 'config:write',
  'GET /admin/api/users/:id/balance': 'data:read',
  'GET /admin/api/users/:id/ledger': 'data:read',
  'GET /admin/api/users/:id/trace': 'data:read',
  'GET /admin/api/users/:id/goals': 'data:read',
  'POST /admin/api/users/:id/adjustments': 'balances:adjust',
  // Catalog and secrets.
  'POST /admin/api/apps': 'config:write',
  'GET /admin/api/apps': 'config:read',
  'GET /admin/api/apps/:pid': 'config:read',
  'PATCH /admin/api/apps/:pid': 'config:write',
  'DELETE /admin/api/apps/:pid': 'config:write',
  'POST /admin/api/apps/:pid/keys': 'config:write',
  'GET /admin/api/apps/:pid/keys': 'config:read',
  'DELETE /admin/api/apps/:pid/keys/:id': 'config:write',
  'POST /admin/api/offers': 'config:write',
  'GET /admin/api/offers': 'config:read',
  'GET /admin/api/offers/:id': 'config:read',
  'PATCH /admin/api/offers/:id': 'config:write',
  'DELETE /admin/api/offers/:id': 'config:write',
  'POST /admin/api/api-secrets': 'config:write',
  'GET /admin/api/api-secrets': 'config:read',
  'DELETE /admin/api/api-secrets/:id': 'config:write',
  // Sources.
  'GET /admin/api/presets': 'config:read',
  'POST /admin/api/sources': 'config:write',
  'GET /admin/api/sources': 'config:read',
  'GET /admin/api/sources/:slug': 'config:read',
  'PATCH /admin/api/sources/:slug': 'config:write',
  'DELETE /admin/api/sources/:slug': 'config:write',
  'GET /admin/api/sources/:slug/test': 'config:read',
  'POST /admin/api/sources/:slug/test': 'config:write',
  // Events and their review.
  'GET /admin/api/events': 'data:read',
  'GET /admin/api/events/:id': 'data:read',
  'POST /admin/api/events/:id/approve': 'events:review',
  'POST /admin/api/events/:id/reject': 'events:review',
  'GET /admin/api/fraud-policy': 'config:read',
  'PUT /admin/api/fraud-policy': 'config:write',
  // Destinations and deliveries.
  'POST /admin/api/destinations': 'config:write',
  'GET /admin/api/destinations': 'config:read',
  'GET /admin/api/destination-presets': 'config:read',
  'GET /admin/api/destinations/:id': 'config:read',
  'PATCH /admin/api/destinations/:id': 'config:write',
  'DELETE /admin/api/destinations/:id': 'config:write',
  'POST /admin/api/destinations/:id/pause': 'config:write',
  'POST /admin/api/destinations/:id/resume': 'config:write',
  'POST /admin/api/destinations/:id/test': 'config:write',
  'GET /admin/api/deliveries': 'data:read',
  'GET /admin/api/deliveries/export.csv': 'reports:read',
  'GET /admin/api/deliveries/:id': 'data:read',
  'POST /admin/api/deliveries/:id/replay': 'deliveries:replay',
  'POST /admin/api/deliveries/replay': 'deliveries:replay',
  // Links and clicks.
  'POST /admin/api/links': 'config:write',
  'GET /admin/api/links': 'config:read',
  'GET /admin/api/links/:id': 'config:read',
  'PATCH /admin/api/links/:id': 'config:write',
  'DELETE /admin/api/links/:id': 'config:write',
  'GET /admin/api/clicks': 'data:read',
  // Goals.
  'POST /admin/api/goals': 'config:write',
  'GET /admin/api/goals': 'config:read',
  'GET /admin/api/goals/:id': 'config:read',
  'PATCH /admin/api/goals/:id': 'config:write',
  'DELETE /admin/api/goals/:id': 'config:write',
  // Alerts.
  'GET /admin/api/alerts': 'config:read',
  'GET /admin/api/alerts/history': 'config:read',
  'GET /admin/api/alerts/rules': 'config:read',
  'PUT /admin/api/alerts/rules': 'config:write',
  'GET /admin/api/alerts/channels': 'config:read',
  'POST /admin/api/alerts/channels': 'config:write',
  'GET /admin/api/alerts/channels/:id': 'config:read',
  'PATCH /admin/api/alerts/channels/:id': 'config:write',
  'DELETE /admin/api/alerts/channels/:id': 'config:write',
  'POST /admin/api/alerts/channels/:id/test': 'config:write',
  // Reports and the audit log.
  'GET /admin/api/stats': 'reports:read',
  'GET /admin/api/reports': 'reports:read',
  'GET /admin/api/audit': 'audit:read',
  'GET /admin/api/audit/export.csv': 'audit:read',
};

/** The rule of a route as Fastify declares it (`/admin/api/destinations/:id`), if it has one. */
export function routeRule(method: string, url: string): RouteRule | undefined {
  return ROUTE_SCOPES[`${method} ${url}`];
}
