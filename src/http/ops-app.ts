import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { startupWarnings } from '../app/config.js';
import { frameworkErrors, registerErrorHandling } from './error-handler.js';
import { opsRoutes, type OpsDeps } from './routes/ops.js';
import type { App } from './types.js';

/**
 * Once listening, warns (once per line) about what the configuration leaves open, judged by
 * where the server did bind (HOST=localhost is 127.0.0.1 and ::1; a socket path is not
 * reachable from afar).
 */
export function warnOnListen(app: App, metricsToken: string | undefined): void {
  app.addHook('onListen', (done) => {
    const hosts = app.addresses().flatMap((address) => (typeof address === 'string' ? [] : [address.address]));
    const warnings = new Set(hosts.flatMap((host) => startupWarnings({ host, metricsToken })));
    for (const warning of warnings) app.log.warn(warning);
    done();
  });
}

/**
 * What a delivery-only process serves (WORKER_HEALTH_PORT): /healthz, /readyz and /metrics,
 * the same routes as the HTTP app's, METRICS_TOKEN and all; nothing else.
 */
export async function buildOpsApp(deps: OpsDeps & { logger: FastifyBaseLogger | undefined }): Promise<App> {
  const { logger, ...ops } = deps;
  const app = Fastify({
    ...(logger === undefined ? { logger: false } : { loggerInstance: logger }),
    // Probes every few seconds are not worth a log line each.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();
  registerErrorHandling(app);
  warnOnListen(app, ops.metricsToken);
  await app.register(opsRoutes(ops));
  return app;
}
