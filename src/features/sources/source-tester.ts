import { randomUUID } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { AppError, errorBody, NotFoundError, StoreUnavailableError, ValidationError } from '../../lib/errors.js';
import type { EventsDal } from '../conversions/events-dal.js';
import type { EventRecord } from '../conversions/events-types.js';
import type { DeliveriesDal } from '../delivery/deliveries-dal.js';
import type { DestinationService } from '../destinations/destinations-service.js';
import { formatCoins } from '../ledger/carry.js';
import { mapPostback } from './mapping.js';
import type { SourcePostbackIntake, SourceReceipt, SourceRequest, TestRun } from './source-intake.js';
import type { LoadedSource, SourceService } from './sources-service.js';
import { buildTestRequest, readsQuery, redactQuery, sampleFields } from './test-request.js';

export interface TestPostbackInput {
  /** Default: GET when the source authenticates in the query, else POST JSON. */
  method?: 'GET' | 'POST' | undefined;
  /** Input fields by path (`payload.user_id` nests in a JSON body); default: the sample. */
  fields?: Record<string, string> | undefined;
  /** Add the credentials the source expects, signed with its secret (default true). */
  authenticate?: boolean | undefined;
  /** Destination ids to deliver it to, of those that want it; default none. */
  destinations?: readonly string[] | undefined;
}

export interface NamedDestination {
  id: string;
  name: string;
}

/** Where the operator's request came in: the test is sent as if from there. */
export interface TestOrigin {
  /** `scheme://host` partners reach the hub at. */
  origin: string;
  ip: string;
}

export interface TestPostbackResult {
  /** What was sent, secrets redacted. */
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };
  notes: string[];
  answer: { status: number; contentType: string; body: string };
  /** The event the hub recorded for it, flagged as a test. */
  event: EventRecord | null;
  /**
   * What the source's reward rule gives it, in coins (a decimal string): what a real postback
   * would credit. A test credits nobody. Null when it was refused before the rule applied.
   */
  wouldCredit: string | null;
  /** The deliveries it made: to the picked destinations that want it. */
  deliveries: Array<{ id: string; destination: NamedDestination }>;
  /** Destinations that want it but were not picked: nothing sent to them. */
  notPicked: NamedDestination[];
  /** Picked destinations that do not want it (or are disabled): nothing sent to them either. */
  notMatched: NamedDestination[];
}

/** The sample and the destinations a postback like it would be delivered to. */
export interface TestSample {
  fields: Record<string, string>;
  destinations: NamedDestination[];
}

export interface SourceTesterDeps {
  sources: Pick<SourceService, 'get' | 'load'>;
  intake: Pick<SourcePostbackIntake, 'receive'>;
  events: Pick<EventsDal, 'getEvent'>;
  deliveries: Pick<DeliveriesDal, 'listDeliveriesOfEvent'>;
  destinations: Pick<DestinationService, 'deliveriesFor' | 'get'>;
  clock: Clock;
}

/**
 * The dashboard's "send test postback": a request built from a source's mapping and signed
 * with its secret as the partner would sign it (the browser never holds a source's secret),
 * sent through the source's real intake (authentication, mapping, de-duplication and the answer
 * really exercised) and recorded flagged as a test: it credits nobody's balance, and is
 * delivered only to the destinations the operator picked.
 */
export class SourceTester {
  constructor(private readonly deps: SourceTesterDeps) {}

  /**
   * A value for each mapped field and fresh unique ids, for the dashboard to offer to edit, and
   * the destinations that want such a postback (attribution aside: the sample's click is made up).
   */
  async sample(slug: string): Promise<TestSample> {
    const { definition } = await this.source(slug);
    const fields = sampleFields(definition, this.deps.clock.now());
    const mapped = mapPostback(definition, { query: fields, body: null });
    const event = mapped.ok
      ? { type: mapped.value.eventType, source: slug, offerId: mapped.value.offerId, partner: null }
      : { type: definition.defaults?.eventType ?? 'conversion', source: slug, offerId: null, partner: null };
    const matching = await this.deps.destinations.deliveriesFor(event);
    return { fields, destinations: await Promise.all(matching.map((d) => this.named(d.destinationId))) };
  }

  async send(slug: string, input: TestPostbackInput, from: TestOrigin): Promise<TestPostbackResult> {
    const loaded = await this.source(slug);
    const { definition } = loaded;
    const now = this.deps.clock.now();
    const method = input.method ?? (readsQuery(definition.auth) ? 'GET' : 'POST');
    const fields = input.fields ?? sampleFields(definition, now);
    const authenticate = input.authenticate !== false;
    const path = `/postbacks/${slug}`;
    const built = buildTestRequest({ method, fields, definition, secret: authenticate ? loaded.secret : null, authenticate, origin: from.origin, path, now, ip: from.ip });
    const headers = { ...built.headers, 'x-postback-hub-test': randomUUID(), 'user-agent': 'postback-hub-dashboard-test' };
    const picked = [...new Set(input.destinations ?? [])];
    const names = new Map<string, NamedDestination>();
    for (const [i, id] of picked.entries()) names.set(id, await this.named(id, `destinations.${i}`));
    const run: TestRun = { destinations: picked };
    const receipt = await this.receive(slug, { method, path, rawQuery: built.rawQuery, query: Object.fromEntries(built.query), headers, ip: from.ip, body: built.body, origin: from.origin }, run);
    const made = receipt.eventId === null ? [] : await this.deps.deliveries.listDeliveriesOfEvent(receipt.eventId);
    const matched = run.matched ?? [];
    const answer = 'error' in receipt ? { status: receipt.error.statusCode, json: { ...errorBody(receipt.error) } } : receipt.answer;
    return {
      request: {
        method,
        url: `${from.origin}${path}${built.rawQuery === '' ? '' : `?${redactQuery(built.query, built.secretParams)}`}`,
        headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, built.secretHeaders.includes(name) ? '[redacted]' : value])),
        body: built.body === undefined ? null : built.body.toString('utf8'),
      },
      notes: built.notes,
      answer: 'text' in answer ? { status: answer.status, contentType: 'text/plain', body: answer.text } : { status: answer.status, contentType: 'application/json', body: JSON.stringify(answer.json) },
      event: receipt.eventId === null ? null : await this.deps.events.getEvent(receipt.eventId),
      wouldCredit: run.wouldCreditMicros === undefined ? null : formatCoins(run.wouldCreditMicros),
      deliveries: await Promise.all(made.map(async (d) => ({ id: d.id, destination: names.get(d.destinationId) ?? (await this.named(d.destinationId)) }))),
      notPicked: await Promise.all(matched.filter((id) => !names.has(id)).map((id) => this.named(id))),
      notMatched: picked.filter((id) => !matched.includes(id)).map((id) => names.get(id)!),
    };
  }

  /** A destination's id and name; an unknown one picked is the request's fault (400 naming `field`). */
  private async named(id: string, field?: string): Promise<NamedDestination> {
    try {
      const { name } = await this.deps.destinations.get(id);
      return { id, name };
    } catch (error) {
      if (field !== undefined && error instanceof NotFoundError) throw new ValidationError(field, `is not a destination: "${id}"`);
      throw error;
    }
  }

  /** 404 for an unknown source. */
  private async source(slug: string): Promise<LoadedSource> {
    await this.deps.sources.get(slug);
    const loaded = await this.deps.sources.load(slug);
    if (loaded === null) throw new ValidationError('slug', 'could not be loaded');
    return loaded;
  }

  /** A refusal before anything was recorded (the source deleted meanwhile) is answered too, with no event. */
  private async receive(slug: string, request: SourceRequest, run: TestRun): Promise<SourceReceipt | { eventId: null; error: AppError }> {
    try {
      return await this.deps.intake.receive(slug, request, run);
    } catch (error) {
      if (error instanceof StoreUnavailableError || !(error instanceof AppError)) throw error;
      return { eventId: null, error };
    }
  }
}
