import type { onRequestHookHandler } from 'fastify';
import { UnauthorizedError } from '../../lib/errors.js';
import { bearerToken, safeEqual } from '../../lib/secrets.js';
import type { Metrics } from '../metrics.js';
import type { App } from '../types.js';

export interface OpsDeps {
  /** Readiness: resolves once a write has committed. */
  store: { probe(): Promise<void> };
  metrics: Metrics;
  /** Bearer token `/metrics` requires; undefined leaves it open. */
  metricsToken: string | undefined;
}

/**
 * Liveness, readiness (the store commits a write) and Prometheus metrics. The metrics
 * name every source and destination, so with METRICS_TOKEN set they need it as a Bearer token.
 * Served by the HTTP app, and alone by a worker process (http/ops-app.ts).
 */
export function opsRoutes(deps: OpsDeps) {
  const { metricsToken } = deps;
  const checkToken: onRequestHookHandler = (request, _reply, done) => {
    const token = bearerToken(request.headers.authorization);
    done(token !== undefined && metricsToken !== undefined && safeEqual(token, metricsToken) ? undefined : new UnauthorizedError('Missing or invalid metrics token'));
  };
  return async function (app: App): Promise<void> {
    app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is up' }, logLevel: 'warn' }, () => ({ ok: true }));
    app.get('/readyz', { schema: { tags: ['operations'], summary: 'The store can be written' }, logLevel: 'warn' }, async () => {
      await deps.store.probe();
      return { ok: true };
    });
    app.get(
      '/metrics',
      {
        schema: { tags: ['operations'], summary: 'Prometheus metrics (open unless METRICS_TOKEN is set)', security: metricsToken === undefined ? [{}, { metricsToken: [] }] : [{ metricsToken: [] }] },
        logLevel: 'warn',
        ...(metricsToken === undefined ? {} : { onRequest: checkToken }),
      },
      async (_request, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
    );
    return Promise.resolve();
  };
}
