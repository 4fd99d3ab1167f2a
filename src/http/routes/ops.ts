import type { Store } from '../../store/store.js';
import type { Metrics } from '../metrics.js';
import type { App } from '../types.js';

/** Liveness, readiness (the store commits a write) and Prometheus metrics. */
export function opsRoutes(deps: { store: Pick<Store, 'ping'>; metrics: Metrics }) {
  return async function (app: App): Promise<void> {
    app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is up' }, logLevel: 'warn' }, () => ({ ok: true }));
    app.get('/readyz', { schema: { tags: ['operations'], summary: 'The store can be written' }, logLevel: 'warn' }, async () => {
      await deps.store.ping();
      return { ok: true };
    });
    app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' }, logLevel: 'warn' }, async (_request, reply) =>
      reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
    );
    return Promise.resolve();
  };
}
