// OpenTelemetry tracing, set up once per process from the standard OTEL_* variables. The features
// trace through @opentelemetry/api alone (lib/tracing.ts); this is the one file that knows the SDK.
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { tracingActive } from '../lib/tracing.js';
import type { TracingConfig } from './config.js';
import type { Log } from './services.js';
import { VERSION } from './version.js';

export interface Telemetry {
  /** Sends the spans still buffered and unregisters the SDK; waits at most SHUTDOWN_DEADLINE_MS. */
  shutdown(): Promise<void>;
}

/**
 * A stop must not wait out an unreachable collector's timeouts (the exporter's 10 s, the batch's
 * 30 s): spans not sent by then are dropped.
 */
const SHUTDOWN_DEADLINE_MS = 5_000;

/**
 * Registers the SDK as the API's global tracer provider, with the W3C trace-context propagator
 * and an AsyncLocalStorage context manager. Null, and nothing registered, when tracing is off, or
 * when a provider is registered already (an operator's own SDK preloaded with `--import`: its
 * configuration wins). The exporters read OTEL_EXPORTER_OTLP_* themselves, the batch processor
 * OTEL_BSP_*, the provider OTEL_TRACES_SAMPLER, and the resource OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES (over service.name `postback-hub`).
 */
export function startTelemetry(config: TracingConfig | null, log: Log): Telemetry | null {
  if (config === null || tracingActive()) return null;
  // The SDK reports its own trouble (a collector that refuses or cannot be reached) here.
  diag.setLogger(
    {
      error: (message, ...args) => log.warn({ detail: args.map(String) }, `tracing: ${message}`),
      warn: (message, ...args) => log.warn({ detail: args.map(String) }, `tracing: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const exporters = config.exporters.map((kind): SpanExporter => {
    if (kind === 'console') return new ConsoleSpanExporter();
    return config.protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  });
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'postback-hub', [ATTR_SERVICE_VERSION]: VERSION }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: exporters.map((exporter) => new BatchSpanProcessor(exporter)) });
  provider.register();
  return {
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_DEADLINE_MS)));
      try {
        await Promise.race([provider.shutdown().catch((error: unknown) => log.warn({ err: error }, 'tracing: the last spans could not be sent')), deadline]);
      } finally {
        clearTimeout(timer);
        // Nothing of this hub's stays registered: another hub in this process starts afresh.
        trace.disable();
        context.disable();
        propagation.disable();
        diag.disable();
      }
    },
  };
}
