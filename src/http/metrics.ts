import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeliveryService } from '../features/delivery/delivery-service.js';

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
    clicks: new Counter({
      name: 'postback_hub_clicks_total',
      help: 'Tracking-link clicks by outcome (redirect, not_found, invalid, error)',
      labelNames: ['outcome'] as const,
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
      help: 'Procedure calls carried by one group commit (one transaction)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048],
      registers: [registry],
    }),
    commitDuration: new Histogram({
      name: 'postback_hub_store_commit_duration_seconds',
      help: 'Time from handing a batch to the write channel until its transaction committed (fsync included)',
      labelNames: ['ok'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Outbox gauges, read from the store when Prometheus scrapes (so every process reports the shared queue). */
export function registerDeliveryGauges(metrics: Metrics, deliveries: Pick<DeliveryService, 'backlog'>, now: () => number): void {
  let last: ReturnType<DeliveryService['backlog']> | null = null;
  // One store read per scrape, shared by the gauges below.
  const stats = () => (last ??= deliveries.backlog().finally(() => setImmediate(() => (last = null))));
  new Gauge({
    name: 'postback_hub_deliveries',
    help: 'Deliveries waiting, being sent, or failed for good, by destination and state',
    labelNames: ['destination', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const row of (await stats()).byState) this.set({ destination: row.destinationId, state: row.state }, row.count);
    },
  });
  new Gauge({
    name: 'postback_hub_delivery_queue_depth',
    help: 'Deliveries pending or being sent',
    registers: [metrics.registry],
    async collect() {
      this.set((await stats()).byState.filter((r) => r.state !== 'failed').reduce((sum, r) => sum + r.count, 0));
    },
  });
  new Gauge({
    name: 'postback_hub_oldest_due_delivery_age_seconds',
    help: 'How long the oldest due delivery has been waiting (0 when none is)',
    registers: [metrics.registry],
    async collect() {
      const at = (await stats()).oldestDueAt;
      this.set(at === null ? 0 : Math.max(0, (now() - at) / 1000));
    },
  });
  new Gauge({
    name: 'postback_hub_destinations_paused',
    help: 'Destinations paused after failures or a 410 Gone (their deliveries wait)',
    registers: [metrics.registry],
    async collect() {
      this.set((await stats()).pausedDestinations);
    },
  });
}
