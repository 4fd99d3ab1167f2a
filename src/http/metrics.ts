import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance, so that tests can run several hubs in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'postback_hub_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'postback_hub_http_requests_total',
      help: 'HTTP requests answered, by route and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'postback_hub_http_request_duration_seconds',
      help: 'Time from request to response, by route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    postbacks: new Counter({
      name: 'postback_hub_postbacks_total',
      help: 'Inbound postbacks by source and outcome (accepted, duplicate, rejected)',
      labelNames: ['source', 'outcome'] as const,
      registers: [registry],
    }),
    postbackDuration: new Histogram({
      name: 'postback_hub_postback_duration_seconds',
      help: 'Time to authenticate, validate and durably record an inbound postback',
      labelNames: ['source'] as const,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    deliveryAttempts: new Counter({
      name: 'postback_hub_delivery_attempts_total',
      help: 'Delivery attempts by destination and what followed (succeeded, retry, failed)',
      labelNames: ['destination', 'outcome'] as const,
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'postback_hub_delivery_attempt_duration_seconds',
      help: 'Time of one delivery attempt, from connecting to the end of the response excerpt',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    commitBatchSize: new Histogram({
      name: 'postback_hub_store_commit_batch_size',
      help: 'Writes carried by one SQLite group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048],
      registers: [registry],
    }),
    commitDuration: new Histogram({
      name: 'postback_hub_store_commit_duration_seconds',
      help: 'Time from handing a batch to the SQLite writer thread until it committed (fsync included)',
      labelNames: ['ok'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
