import { isDeepStrictEqual } from 'node:util';

// @fastify/swagger leaves a route's own schemas inline (only those registered with addSchema
// become components), so the same Event or Error is spelled out in every route that answers
// one, and nothing in the document names it. A TypeBox schema given a `title` is named here:
// it becomes `components.schemas[title]`, referenced from wherever it was. The dashboard's
// types (web/src/api-types.gen.ts) are generated from these names.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// Values, not schemas: a `title` in an example or a default names nothing.
const DATA_KEYWORDS = new Set(['default', 'const', 'enum', 'example', 'examples']);

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Moves every schema with a `title` under `paths` to `components.schemas` (in place). Two
 * different schemas with the same title are a mistake in the server's schemas: it throws.
 */
export function nameTitledSchemas<T extends object>(document: T): T {
  const doc = document as unknown as JsonObject;
  const components = isObject(doc.components) ? doc.components : (doc.components = {});
  const named = isObject(components.schemas) ? components.schemas : (components.schemas = {});

  const visit = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isObject(node)) return node;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) out[key] = DATA_KEYWORDS.has(key) ? value : visit(value);
    // `anyOf` of one schema only carried a description beside a reference: in OpenAPI 3.1 a
    // reference takes siblings, and client generators read a one-way union as a union.
    if (Array.isArray(out.anyOf) && out.anyOf.length === 1 && isObject(out.anyOf[0])) {
      const [only] = out.anyOf;
      delete out.anyOf;
      Object.assign(out, only, out);
    }
    const title = out.title;
    if (typeof title !== 'string') return out;
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(title)) throw new Error(`The schema title "${title}" is not a name: letters and digits only`);
    const seen = named[title];
    if (seen !== undefined && !isDeepStrictEqual(seen, out)) throw new Error(`Two different schemas are titled "${title}": give one another title`);
    named[title] = out;
    return { $ref: `#/components/schemas/${title}` };
  };

  if (doc.paths !== undefined) doc.paths = visit(doc.paths);
  // By name, not by the order routes happen to be registered in.
  components.schemas = Object.fromEntries(Object.entries(named).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return document;
}

/**
 * Names client generators give methods, where the derived name (below) would read badly: the
 * partner-facing routes, actions, sign-in, exports.
 */
const OPERATION_IDS: Readonly<Record<string, string>> = {
  'GET /healthz': 'getHealth',
  'GET /readyz': 'getReadiness',
  'GET /metrics': 'getMetrics',
  'POST /api/events': 'sendPlatformEvent',
  'POST /api/events/batch': 'sendPlatformEvents',
  'GET /api/events/:id': 'getPlatformEventStatus',
  'GET /postbacks/:slug': 'receiveSourcePostbackByQuery',
  'POST /postbacks/:slug': 'receiveSourcePostback',
  'POST /api/postback': 'receiveLevelPostback',
  'POST /admin/api/session': 'signIn',
  'DELETE /admin/api/session': 'signOut',
  'POST /admin/api/session/password': 'changePassword',
  'POST /admin/api/invitations/accept': 'acceptInvitation',
  'POST /admin/api/operators/:id/invitation': 'reinviteOperator',
  'GET /admin/api/keys': 'listAdminKeys',
  'POST /admin/api/keys': 'createAdminKey',
  'DELETE /admin/api/keys/:id': 'revokeAdminKey',
  'DELETE /admin/api/api-secrets/:id': 'revokeApiSecret',
  'DELETE /admin/api/apps/:pid/keys/:id': 'revokeAppKey',
  'GET /admin/api/presets': 'listSourcePresets',
  'POST /admin/api/destinations/:id/pause': 'pauseDestination',
  'POST /admin/api/destinations/:id/resume': 'resumeDestination',
  'POST /admin/api/destinations/:id/test': 'testDestination',
  'GET /admin/api/deliveries/export.csv': 'exportDeliveriesCsv',
  'POST /admin/api/deliveries/:id/replay': 'replayDelivery',
  'POST /admin/api/deliveries/replay': 'replayDeliveries',
  'POST /admin/api/events/:id/approve': 'approveEvent',
  'POST /admin/api/events/:id/reject': 'rejectEvent',
  'GET /admin/api/reports': 'getReport',
  'GET /admin/api/stats': 'getOverviewStats',
  'GET /admin/api/audit': 'listAuditEntries',
  'GET /admin/api/audit/export.csv': 'exportAuditCsv',
  'GET /admin/api/sources/:slug/test': 'getSourceTestSample',
  'POST /admin/api/sources/:slug/test': 'sendSourceTest',
  'GET /admin/api/users/:id/goals': 'getUserGoalProgress',
  'GET /app/v1/users/:id': 'appGetUserBalance',
  'GET /app/v1/feed': 'appReadFeed',
  'POST /app/v1/feed/ack': 'appAckFeed',
};

const pascal = (word: string) =>
  word
    .split(/[-_.]/)
    .filter((w) => w !== '')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
const singular = (word: string) => (word.endsWith('ies') ? `${word.slice(0, -3)}y` : word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word);

/**
 * An operation's `operationId`, from which client generators name methods: the table above,
 * else derived from the route: `GET /admin/api/goals` → `listGoals`, `GET …/goals/:id` →
 * `getGoal`, `POST …/users/:id/adjustments` → `createUserAdjustment`, `/app/v1/…` → `app…`.
 */
export function operationId(method: string, url: string): string {
  const named = OPERATION_IDS[`${method} ${url}`];
  if (named !== undefined) return named;
  const area = url.startsWith('/app/v1/') ? 'app' : '';
  const segments = url.replace(/^\/(admin\/api|app\/v1|api)\//, '/').split('/').filter((s) => s !== '');
  const endsWithParam = segments.at(-1)?.startsWith(':') === true;
  const words = segments.filter((s) => !s.startsWith(':'));
  const last = words.at(-1) ?? 'root';
  const owners = words.slice(0, -1).map((w) => pascal(singular(w))).join('');
  let verb: string;
  let object: string;
  if (endsWithParam) {
    verb = { GET: 'get', PATCH: 'update', PUT: 'replace', DELETE: 'delete', POST: 'create' }[method] ?? method.toLowerCase();
    object = pascal(singular(last));
  } else if (method === 'GET') {
    verb = last.endsWith('s') ? 'list' : 'get';
    object = pascal(last);
  } else {
    verb = { POST: 'create', PUT: 'set', PATCH: 'update', DELETE: 'delete' }[method] ?? method.toLowerCase();
    object = pascal(method === 'POST' ? singular(last) : last);
  }
  const name = `${verb}${owners}${object}`;
  return area === '' ? name : `${area}${name[0]!.toUpperCase()}${name.slice(1)}`;
}

/**
 * `GET /c/{link}` is served before the framework (routes/clicks.ts), so no route schema
 * documents it: it is added to the document here.
 */
export function withClickPath<T extends object>(document: T): T {
  const doc = document as unknown as { paths?: Record<string, unknown> };
  const page = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
  doc.paths = {
    ...doc.paths,
    '/c/{link}': {
      get: {
        operationId: 'followTrackingLink',
        tags: ['tracking links'],
        summary: "A tracking link: records the click and redirects to the link's target with the click id",
        description: 'Every query parameter is kept with the click (the partner\'s sub ids) and may be placed into the target by its macros. Answered before any other route, with no JSON: this is where users\' browsers go.',
        security: [],
        parameters: [{ in: 'path', name: 'link', required: true, schema: { type: 'string' }, description: "The link's id" }],
        responses: {
          302: { description: "To the link's target, its macros filled (the click id among them)", headers: { location: { schema: { type: 'string', format: 'uri' } } } },
          400: page('The link needs a parameter the request did not carry'),
          404: page('No such link, or it is disabled'),
          503: page('The store cannot be read: try again'),
        },
      },
    },
  };
  return document;
}
