// OpenTelemetry tracing against a real hub: the SDK registered with its in-memory exporter, a
// postback followed from its intake through attribution and recording to three partners' real
// receivers on 127.0.0.1; a hub configured by the OTEL_* variables sending its spans over
// OTLP/HTTP to a real collector stand-in; and with nothing configured, no trace at all.
import { randomBytes, randomUUID } from 'node:crypto';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { tracingActive } from '../src/lib/tracing.js';
import { postJson, startTestHub, type TestHub } from './helpers/hub.js';
import { startReceiver, type Received } from './helpers/receiver.js';
import { STORE_KINDS } from './helpers/stores.js';
import { HUB_START_MS } from './helpers/timing.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

/** Registers the SDK as a deployment would, exporting to memory; undone by `unregister`. */
function registerProvider(): { exporter: InMemorySpanExporter; unregister(): Promise<void> } {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  return {
    exporter,
    async unregister() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe.each(STORE_KINDS)('tracing with the SDK registered, on %s', (kind) => {
  let sdk: ReturnType<typeof registerProvider>;
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let source: { slug: string; secret: string };

  beforeAll(async () => {
    sdk = registerProvider();
    hub = await startTestHub(kind, { worker: false });
    receiver = await startReceiver();
    const created = await hub.admin('/sources', { body: { slug: `gg3-${kind}`, preset: 'gg3' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    source = created.body;
    expect((await hub.admin('/offers', { body: { id: 'quest' } })).status).toBe(201);
  }, HUB_START_MS);
  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
    await sdk?.unregister();
  });
  afterEach(() => sdk.exporter.reset());

  it('follows a postback from its intake (continuing the partner trace) through attribution and recording to three partners, each request carrying its attempt span as traceparent', async () => {
    const destinations: Record<string, string> = {};
    for (const path of ['/p1', '/p2', '/p3']) {
      const created = await hub.admin('/destinations', { body: { name: `partner ${path}`, config: { url: `${receiver.url}${path}?e={event_id}`, match: { sources: [source.slug], eventTypes: ['three'] } } } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      destinations[path] = created.body.id;
    }
    const link = await hub.admin('/links', { body: { offerId: 'quest', partner: 'aff-1', config: { target: 'https://gg3.example/q?click_id={click_id}' } } });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    const redirect = await fetch(`${hub.url}/c/${link.body.id}?sub=u1`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const clickId = new URL(redirect.headers.get('location')!).searchParams.get('click_id')!;

    const traceId = randomBytes(16).toString('hex');
    const partnerSpanId = randomBytes(8).toString('hex');
    const query = new URLSearchParams({ secret: source.secret, user_id: `u-${randomUUID()}`, click_id: clickId, transaction_id: randomUUID(), event_name: 'three' });
    const answer = await fetch(`${hub.url}/postbacks/${source.slug}?${query.toString()}`, { headers: { traceparent: `00-${traceId}-${partnerSpanId}-01`, baggage: 'partner.note=not-for-others' } });
    expect(answer.status).toBe(200);
    const { eventId } = (await answer.json()) as { eventId: string };
    expect(await hub.hub.services.worker.runOnce()).toBe(3);

    const spans = sdk.exporter.getFinishedSpans();
    const [click] = named(spans, 'click');
    expect(click).toMatchObject({ kind: SpanKind.SERVER, attributes: { 'click.link_id': link.body.id, 'click.outcome': 'redirect', 'http.response.status_code': 302 } });

    const intakes = named(spans, 'postback.intake');
    expect(intakes).toHaveLength(1);
    const intake = intakes[0]!;
    expect(intake.kind).toBe(SpanKind.SERVER);
    expect(intake.spanContext().traceId).toBe(traceId);
    expect(parentOf(intake)).toBe(partnerSpanId);
    expect(intake.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/postbacks/:slug',
      'http.response.status_code': 200,
      'postback.source': source.slug,
      'postback.event_id': eventId,
      'postback.outcome': 'accepted',
      'postback.duplicate': false,
    });
    // Nothing of the request itself: no secret, no query, no body.
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(source.secret);

    const [attribute] = named(spans, 'postback.attribute');
    expect(parentOf(attribute!)).toBe(intake.spanContext().spanId);
    expect(attribute!.attributes).toMatchObject({ 'postback.event_id': eventId, 'postback.click_id_given': true, 'postback.attributed': true, 'postback.partner': 'aff-1', 'postback.deliveries': 3 });
    const [record] = named(spans, 'postback.record');
    expect(parentOf(record!)).toBe(intake.spanContext().spanId);
    expect(record!.attributes).toMatchObject({ 'postback.event_id': eventId, 'postback.outcome': 'accepted' });
    // Recorded before the answer: the record span ends inside the intake span.
    expect(record!.endTime[0] * 1e9 + record!.endTime[1]).toBeLessThanOrEqual(intake.endTime[0] * 1e9 + intake.endTime[1]);

    const attempts = named(spans, 'delivery.attempt');
    expect(attempts).toHaveLength(3);
    const got = receiver.received.filter((r) => r.url.endsWith(`?e=${eventId}`));
    expect(got).toHaveLength(3);
    for (const request of got) {
      const destinationId = destinations[request.url.split('?')[0]!]!;
      const attempt = attempts.find((a) => a.attributes['destination.id'] === destinationId)!;
      expect(attempt.kind).toBe(SpanKind.CLIENT);
      // The event's deliveries continue the intake's trace, each attempt a child of the intake.
      expect(attempt.spanContext().traceId).toBe(traceId);
      expect(parentOf(attempt)).toBe(intake.spanContext().spanId);
      expect(attempt.attributes).toMatchObject({ 'delivery.attempt': 1, 'postback.event_id': eventId, 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'http.response.status_code': 200, 'delivery.outcome': 'succeeded' });
      expect(attempt.status.code).toBe(SpanStatusCode.UNSET);
      const [, sentTrace, sentSpan] = TRACEPARENT.exec(String(request.headers.traceparent))!;
      expect({ sentTrace, sentSpan }).toEqual({ sentTrace: attempt.spanContext().traceId, sentSpan: attempt.spanContext().spanId });
      // The partner's baggage stays with the hub.
      expect(request.headers.baggage).toBeUndefined();
    }
  });

  it('marks a retried attempt an error, and starts a trace of its own for a postback without traceparent', async () => {
    const created = await hub.admin('/destinations', { body: { name: 'flaky', config: { url: `${receiver.url}/flaky`, match: { sources: [source.slug], eventTypes: ['flaky'] } } } });
    receiver.reply({ status: 503, body: 'busy' });
    const query = new URLSearchParams({ secret: source.secret, user_id: `u-${randomUUID()}`, click_id: 'none', transaction_id: randomUUID(), event_name: 'flaky' });
    const answer = await fetch(`${hub.url}/postbacks/${source.slug}?${query.toString()}`);
    expect(answer.status).toBe(200);
    expect(await hub.hub.services.worker.runOnce()).toBe(1);
    const spans = sdk.exporter.getFinishedSpans();
    const [intake] = named(spans, 'postback.intake');
    expect(intake!.parentSpanContext).toBeUndefined();
    const [attempt] = named(spans, 'delivery.attempt');
    expect(attempt!.spanContext().traceId).toBe(intake!.spanContext().traceId);
    expect(attempt!.attributes).toMatchObject({ 'destination.id': created.body.id, 'http.response.status_code': 503, 'delivery.outcome': 'retry' });
    expect(attempt!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('traces every intake, refusals too: a wrong secret, a duplicate, a level postback, platform events one and in a batch', async () => {
    const query = new URLSearchParams({ user_id: 'u-dup', click_id: 'c', transaction_id: `t-${randomUUID()}` });
    expect((await fetch(`${hub.url}/postbacks/${source.slug}?secret=wrong&${query.toString()}`)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await fetch(`${hub.url}/postbacks/${source.slug}?secret=${source.secret}&${query.toString()}`)).status).toBe(200);
    const secret = (await hub.admin('/api-secrets', { body: {} })).body.secret as string;
    const auth = { authorization: `Bearer ${secret}` };
    expect((await postJson(`${hub.url}/api/postback`, { pid: 'no-app', uid: randomUUID(), gid: 'g', level_number: 5 }, auth)).status).toBe(400);
    expect((await postJson(`${hub.url}/api/events`, { type: 'registration', idempotencyKey: randomUUID(), userId: 'u' }, auth)).status).toBe(200);
    expect((await postJson(`${hub.url}/api/events`, { type: 'registration', idempotencyKey: randomUUID(), userId: 'u' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    const batch = [1, 2].map(() => ({ type: 'deposit', idempotencyKey: randomUUID(), userId: 'u' }));
    expect((await postJson(`${hub.url}/api/events/batch`, { events: batch }, auth)).status).toBe(200);

    const intakes = named(sdk.exporter.getFinishedSpans(), 'postback.intake').map((s) => s.attributes);
    expect(intakes).toEqual([
      expect.objectContaining({ 'postback.source': source.slug, 'postback.outcome': 'rejected', 'postback.reason': 'unauthorized', 'http.response.status_code': 401 }),
      expect.objectContaining({ 'postback.source': source.slug, 'postback.outcome': 'accepted', 'postback.duplicate': false }),
      expect.objectContaining({ 'postback.source': source.slug, 'postback.outcome': 'duplicate', 'postback.duplicate': true, 'http.response.status_code': 200 }),
      expect.objectContaining({ 'postback.source': 'reward-levels', 'postback.outcome': 'rejected', 'postback.reason': 'unknown_app', 'http.response.status_code': 400 }),
      expect.objectContaining({ 'postback.source': 'platform', 'postback.outcome': 'accepted', 'http.route': '/api/events' }),
      // Refused before the handler (the API secret is checked as the request is routed): its span all the same.
      { 'http.request.method': 'POST', 'http.route': '/api/events', 'postback.source': 'platform', 'http.response.status_code': 401 },
      expect.objectContaining({ 'postback.source': 'platform', 'postback.batch_size': 2, 'postback.accepted_count': 2, 'http.route': '/api/events/batch' }),
    ]);
    // The duplicate names the event it repeats.
    expect(intakes[2]!['postback.duplicate_of']).toBe(intakes[1]!['postback.event_id']);
  });
});

describe('tracing not configured', () => {
  it('registers nothing, records no trace context and sends no traceparent', async () => {
    expect(tracingActive()).toBe(false);
    const hub = await startTestHub('sqlite', { worker: false });
    const receiver = await startReceiver();
    try {
      expect(tracingActive()).toBe(false);
      await hub.admin('/destinations', { body: { name: 'p', config: { url: `${receiver.url}/p`, match: { sources: ['platform'] } } } });
      const auth = { authorization: `Bearer ${(await hub.admin('/api-secrets', { body: {} })).body.secret}`, traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` };
      const answer = await postJson(`${hub.url}/api/events`, { type: 'registration', idempotencyKey: randomUUID(), userId: 'u' }, auth);
      expect(answer.status).toBe(200);
      expect(await hub.hub.services.worker.runOnce()).toBe(1);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.headers.traceparent).toBeUndefined();
      expect((await hub.hub.services.conversions.event(answer.body.eventId)).traceContext).toBeNull();
    } finally {
      await hub.close();
      await receiver.close();
    }
  }, HUB_START_MS);
});

describe('tracing configured by the OTEL_* variables', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('sends its spans over OTLP/HTTP as service postback-hub, the last ones when it closes, and unregisters', async () => {
    const collector = await startReceiver();
    const arrived = collector.nextRequest();
    // The exporter reads the process's environment itself; the hub's configuration reads the same.
    // OTEL_BSP_SCHEDULE_DELAY holds the spans in the batch processor until the hub closes.
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '600000' };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const hub = await startTestHub('sqlite', { worker: false, env });
    let closed = false;
    try {
      expect(tracingActive()).toBe(true);
      const auth = { authorization: `Bearer ${(await hub.admin('/api-secrets', { body: {} })).body.secret}` };
      expect((await postJson(`${hub.url}/api/events`, { type: 'registration', idempotencyKey: randomUUID(), userId: 'u' }, auth)).status).toBe(200);
      // Held in the batch processor: closing the hub sends them.
      expect(collector.received).toHaveLength(0);
      await hub.close();
      closed = true;
      const request: Received = await arrived;
      expect(request).toMatchObject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' } });
      const body = JSON.parse(request.body) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ scope: { name: string }; spans: Array<{ name: string }> }> }> };
      const [resourceSpans] = body.resourceSpans;
      expect(resourceSpans!.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'postback-hub' } });
      const scope = resourceSpans!.scopeSpans.find((s) => s.scope.name === 'postback-hub')!;
      expect(scope.spans.map((s) => s.name).sort()).toEqual(['postback.attribute', 'postback.intake', 'postback.record']);
      expect(tracingActive()).toBe(false);
    } finally {
      if (!closed) await hub.close();
      await collector.close();
    }
  }, HUB_START_MS);
});
