import { rewardAppRoutes } from './routes/reward-app.js';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Services } from '../app/services.js';
import type { Redactor } from '../features/conversions/raw-request.js';
import type { HubDb } from '../features/procedures.js';
import { adminAccess } from './admin-auth.js';
import { routeRule } from './route-scopes.js';
import { operationId } from './openapi.js';
import { ErrorSchema } from './schemas.js';
import { SCOPES } from '../features/operators/roles.js';
import { frameworkErrors, registerErrorHandling } from './error-handler.js';
import { lingerOnEarlyAnswers, type LingerLimits } from './lingering-close.js';
import type { Metrics } from './metrics.js';
import { warnOnListen } from './ops-app.js';
import { nameTitledSchemas, withClickPath } from './openapi.js';
import { dashboardApiRoutes } from './routes/admin-dashboard.js';
import { adminRoutes } from './routes/admin.js';
import { clickPath, type ClickPath } from './routes/clicks.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { opsRoutes } from './routes/ops.js';
import { partnerPostbackRoutes } from './routes/partner-postback.js';
import { platformEventRoutes } from './routes/platform-events.js';
import { sourcePostbackRoutes } from './routes/source-postbacks.js';
import type { App } from './types.js';
import { validatorCompiler } from './validation.js';
import { traceIntakes } from './intake-tracing.js';
import { tracingActive } from '../lib/tracing.js';

const LOGS_INFO = new Set(['info', 'debug', 'trace']);
export interface HttpDeps {
  services: Services;
  /** Readiness: a write commits. */
  db: Pick<HubDb, 'probe'>;
  metrics: Metrics;
  /** An owner key that needs no store (ADMIN_TOKEN, or generated and kept in DATA_DIR). */
  adminToken: string;
  /** SECRET_KEY: CSRF tokens are signed with a key derived from it, valid in every process that shares it. */
  secretKey: string;
  /** Bearer token `/metrics` requires; undefined leaves it open. */
  metricsToken: string | undefined;
  publicUrl: string | undefined;
  trustProxy: boolean;
  maxBodyBytes: number;
  /** How much of a body is drained after an early answer; default LINGER_LIMITS. */
  linger?: LingerLimits;
  /** A pino logger; absent means silent. */
  logger: FastifyBaseLogger | undefined;
  version: string;
}

/** Builds the HTTP app over the services; listening is the caller's business. */
export async function buildHttp(deps: HttpDeps): Promise<App> {
  // Clicks are served before Fastify (see routes/clicks.ts); the handler is set once built.
  const clicks: { path: ClickPath | null } = { path: null };
  const app = createApp(deps, clicks);
  acceptEmptyJson(app);
  // Unknown properties are an error, not silently dropped; bodies are not type-coerced.
  app.setValidatorCompiler(validatorCompiler);
  registerErrorHandling(app);
  lingerOnEarlyAnswers(app, deps.linger);
  observeRequests(app, deps.metrics, deps.services.redactor);
  // With tracing off the intakes get no hooks at all: not even the API's no-op spans.
  if (tracingActive()) traceIntakes(app);
  await registerOpenApi(app, deps.version, deps.publicUrl);
  clicks.path = serveClicks(app, deps);
  nameOperations(app);
  await registerRouters(app, deps);
  return app;
}

/** The Fastify instance, on a `node:http` server that offers every request to the click path first. */
function createApp(deps: HttpDeps, clicks: { path: ClickPath | null }): App {
  const logger = deps.logger === undefined ? undefined : accessLogger(deps.logger, deps.services.redactor);
  return Fastify({
    serverFactory: (handler) =>
      createServer((request, response) => {
        if (clicks.path === null || !clicks.path(request, response)) handler(request, response);
      }),
    ...(logger === undefined ? { logger: false } : { loggerInstance: logger }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // One access-log line per request (see observeRequests) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    trustProxy: deps.trustProxy,
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();
}

/** Fastify's own `req` serializer would log the URL as sent, should a line of its ever log a request. */
function accessLogger(logger: FastifyBaseLogger, redactor: Redactor): FastifyBaseLogger {
  return logger.child(
    {},
    {
      serializers: {
        req: (request: { method: string; url: string; ip?: string; host?: string }) => ({
          method: request.method,
          url: redactor.url(request.url),
          host: request.host,
          remoteAddress: request.ip,
        }),
      },
    },
  );
}

/**
 * An action with nothing to say (`POST …/resume`) may still be sent as JSON with no body:
 * that is no body, not invalid JSON. Anything else goes through Fastify's own parser, which
 * refuses `__proto__` and `constructor.prototype` keys.
 */
function acceptEmptyJson(app: App): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text === '') done(null, undefined);
    else void parseJson(request, text, done);
  });
}

/** Every request: its id echoed, counted and timed, and one access-log line with the URL redacted. */
function observeRequests(app: App, metrics: Metrics, redactor: Redactor): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // prom-client hashes a label set on every call; the hot routes reuse their labelled children.
  const requestCounters = new Map<string, { inc(): void }>();
  const requestTimers = new Map<string, { observe(seconds: number): void }>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const timerKey = `${request.method} ${route}`;
    const counterKey = `${timerKey} ${reply.statusCode}`;
    let counter = requestCounters.get(counterKey);
    if (counter === undefined) requestCounters.set(counterKey, (counter = metrics.httpRequests.labels({ method: request.method, route, status_code: reply.statusCode })));
    let timer = requestTimers.get(timerKey);
    if (timer === undefined) requestTimers.set(timerKey, (timer = metrics.httpDuration.labels({ method: request.method, route })));
    counter.inc();
    timer.observe(reply.elapsedTime / 1000);
    // Skipped, arguments and all, where a route logs at warn (the health probes) or logging is off.
    if (LOGS_INFO.has(request.log.level)) {
      request.log.info({ method: request.method, url: redactor.url(request.url), statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    }
    done();
  });
}

/** The OpenAPI document (built from the route schemas registered after this) and its UI at /docs. */
async function registerOpenApi(app: App, version: string, publicUrl: string | undefined): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Postback Hub',
        version,
        license: { name: 'MIT', identifier: 'MIT' },
        description: 'Receives, verifies, de-duplicates and records partner postbacks; credits rewards; administers users, catalog and secrets.',
      },
      servers: [{ url: publicUrl ?? '/', description: publicUrl === undefined ? 'This hub' : 'This hub (PUBLIC_URL)' }],
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN (an owner key), or an admin API key (phk_…) within its scopes' },
          adminSession: { type: 'apiKey', in: 'cookie', name: 'phub_session', description: "A signed-in operator's session (the dashboard), within their role's scopes; POST, PUT, PATCH and DELETE also need X-CSRF-Token" },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when it is set' },
          partnerBearer: { type: 'http', scheme: 'bearer', description: 'A partner API secret' },
          partnerSecretHeader: { type: 'apiKey', in: 'header', name: 'X-Reward-Api-Secret', description: 'A partner API secret' },
          appKey: { type: 'http', scheme: 'bearer', description: "An app key (pbk_…): the reward app's own API, for one store app's users, within its scopes" },
        },
      },
    },
    transformObject: (document) => withClickPath(nameTitledSchemas('openapiObject' in document ? document.openapiObject : document.swaggerObject)),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}

/** The `/c/` click path, counted by outcome; every click id handed out is written before the store closes. */
function serveClicks(app: App, deps: HttpDeps): ClickPath {
  const { services, metrics } = deps;
  const clickCounters = new Map<string, { inc(): void }>();
  const fastClicks = clickPath({
    clicks: services.clicks,
    trustProxy: deps.trustProxy,
    onClick: (outcome) => {
      let counter = clickCounters.get(outcome);
      if (counter === undefined) clickCounters.set(outcome, (counter = metrics.clicks.labels({ outcome })));
      counter.inc();
    },
    onError: (error) => app.log.error({ err: error }, 'a tracking link could not be read'),
  });
  app.addHook('preClose', (done) => {
    fastClicks.close();
    done();
  });
  app.addHook('onClose', async () => services.clicks.drain());
  return fastClicks;
}

/**
 * Every documented operation has a unique `operationId` (http/openapi.ts), and declares its
 * security: a route that names none is public (`security: []`), said so rather than left to guess.
 */
function nameOperations(app: App): void {
  const named = new Map<string, string>();
  app.addHook('onRoute', (route) => {
    if (route.schema === undefined || route.schema.hide === true) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    if (methods.length === 0) return;
    if (methods.length !== 1) throw new Error(`${methods.join(',')} ${route.url}: register one route per method, so that each operation is named on its own`);
    const id = (route.schema.operationId) ?? operationId(methods[0]!, route.url);
    const taken = named.get(id);
    if (taken !== undefined && taken !== `${methods[0]} ${route.url}`) throw new Error(`operationId ${id} names both ${taken} and ${methods[0]} ${route.url}`);
    named.set(id, `${methods[0]} ${route.url}`);
    route.schema.operationId = id;
    route.schema.security ??= [];
  });
}

/**
 * Every admin route must have its rule in route-scopes.ts, or the app does not build: a route
 * added without one is refused to nobody by accident. Its OpenAPI operation says what it needs.
 */
function requireRouteRules(app: App): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/admin/api/')) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    for (const method of methods) {
      const rule = routeRule(method, route.url);
      if (rule === undefined) throw new Error(`${method} ${route.url} has no access rule in src/http/route-scopes.ts`);
      if (route.schema === undefined) continue;
      if (rule === 'public') {
        route.schema.security = [];
        continue;
      }
      route.schema.security = [{ adminToken: [] }, { adminSession: [] }];
      route.schema.response = { 401: ErrorSchema, 403: ErrorSchema, ...(route.schema.response as object | undefined) };
      const needs = rule === 'signed-in' ? 'Any operator or admin key.' : `Needs the \`${rule}\` scope: ${SCOPES[rule]}.`;
      route.schema.description = route.schema.description === undefined ? needs : `${route.schema.description}\n\n${needs}`;
    }
  });
}

/** Every router, in the order the OpenAPI document lists them. */
async function registerRouters(app: App, deps: HttpDeps): Promise<void> {
  const { services } = deps;
  // Where partners reach the hub: PUBLIC_URL, else the request's own scheme and host.
  const origin = (request: { protocol: string; host: string }) => deps.publicUrl ?? `${request.protocol}://${request.host}`;
  // Only for what the hub throttles itself (failed admin sign-ins); no route is limited globally.
  await app.register(fastifyRateLimit, { global: false });
  requireRouteRules(app);
  const access = await adminAccess(app, { adminToken: deps.adminToken, operators: services.operators, secretKey: deps.secretKey });
  await app.register(opsRoutes({ store: deps.db, metrics: deps.metrics, metricsToken: deps.metricsToken }));
  warnOnListen(app, deps.metricsToken);
  await app.register(platformEventRoutes({ events: services.platformEvents }));
  await app.register(sourcePostbackRoutes({ intake: services.sourcePostbacks, maxBodyBytes: deps.maxBodyBytes, origin }));
  await app.register(partnerPostbackRoutes({ intake: services.levelPostbacks, maxBodyBytes: deps.maxBodyBytes }));
  await app.register(
    adminRoutes({
      access,
      operators: services.operators,
      users: services.users,
      catalog: services.catalog,
      apiSecrets: services.apiSecrets,
      sources: services.sources,
      destinations: services.destinations,
      worker: services.worker,
      deliveries: services.deliveries,
      publicUrl: origin,
      links: services.links,
      conversions: services.conversions,
      stats: services.stats,
      appKeys: services.appKeys,
      rewardApp: services.rewardApp,
      goals: services.goals,
      audit: services.audit,
      alerts: services.alerts,
    }),
    { prefix: '/admin/api' },
  );
  await app.register(rewardAppRoutes({ appKeys: services.appKeys, rewardApp: services.rewardApp }), { prefix: '/app/v1' });
  // The web dashboard (web/): its two admin endpoints, and its built files at /admin.
  await app.register(dashboardApiRoutes({ access, stats: services.stats, tester: services.sourceTester, origin }), { prefix: '/admin/api' });
  await app.register(dashboardRoutes());
}
