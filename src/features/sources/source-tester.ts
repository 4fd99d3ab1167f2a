import { randomUUID } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { AppError, errorBody, StoreUnavailableError, ValidationError } from '../../lib/errors.js';
import type { EventsDal } from '../conversions/events-dal.js';
import type { EventRecord } from '../conversions/events-types.js';
import type { SourcePostbackIntake, SourceReceipt, SourceRequest } from './source-intake.js';
import type { LoadedSource, SourceService } from './sources-service.js';
import { buildTestRequest, readsQuery, redactQuery, sampleFields } from './test-request.js';

export interface TestPostbackInput {
  /** Default: GET when the source authenticates in the query, else POST JSON. */
  method?: 'GET' | 'POST' | undefined;
  /** Input fields by path (`payload.user_id` nests in a JSON body); default: the sample. */
  fields?: Record<string, string> | undefined;
  /** Add the credentials the source expects, signed with its secret (default true). */
  authenticate?: boolean | undefined;
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
  /** The event the hub recorded for it. */
  event: EventRecord | null;
}

export interface SourceTesterDeps {
  sources: Pick<SourceService, 'get' | 'load'>;
  intake: Pick<SourcePostbackIntake, 'receive'>;
  events: Pick<EventsDal, 'getEvent'>;
  clock: Clock;
}

/**
 * The dashboard's "send test postback": a request built from a source's mapping and signed
 * with its secret as the partner would sign it (the browser never holds a source's secret),
 * sent through the source's real intake and recorded like any other.
 */
export class SourceTester {
  constructor(private readonly deps: SourceTesterDeps) {}

  /** A value for each mapped field and fresh unique ids, for the dashboard to offer to edit. */
  async sample(slug: string): Promise<Record<string, string>> {
    const loaded = await this.source(slug);
    return sampleFields(loaded.definition, this.deps.clock.now());
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
    const receipt = await this.receive(slug, { method, path, rawQuery: built.rawQuery, query: Object.fromEntries(built.query), headers, ip: from.ip, body: built.body, origin: from.origin });
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
    };
  }

  /** 404 for an unknown source. */
  private async source(slug: string): Promise<LoadedSource> {
    await this.deps.sources.get(slug);
    const loaded = await this.deps.sources.load(slug);
    if (loaded === null) throw new ValidationError('slug', 'could not be loaded');
    return loaded;
  }

  /** A refusal before anything was recorded (the source deleted meanwhile) is answered too, with no event. */
  private async receive(slug: string, request: SourceRequest): Promise<SourceReceipt | { eventId: null; error: AppError }> {
    try {
      return await this.deps.intake.receive(slug, request);
    } catch (error) {
      if (error instanceof StoreUnavailableError || !(error instanceof AppError)) throw error;
      return { eventId: null, error };
    }
  }
}
