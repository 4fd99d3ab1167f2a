import { performance } from 'node:perf_hooks';
import { parseMicros } from '../../lib/money.js';
import { computeReward, toUsdMicros } from '../conversions/reward-rules.js';
import { formatCoins, wholeCoins } from '../ledger/carry.js';
import { jsonStatus, renderTextAnswer, type AnswerOutcome } from './answer.js';
import { authenticate } from './auth.js';
import type { SourceDefinition } from './definition.js';
import { lookup, mapPostback, type InboundInput, type MappedPostback } from './mapping.js';
import { parseQuery, type SignedRequest } from './signatures.js';
import { startOfUtcDay, type Clock } from '../../lib/clock.js';
import { AppError, errorBody, NotFoundError, StoreUnavailableError, UnauthorizedError, UnsupportedMediaTypeError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { newInboundEvent } from '../conversions/new-event.js';
import { headerValue, isJsonContentType, type InboundRequest, type Redactor } from '../conversions/raw-request.js';
import type { LoadedSource, SourceService } from './sources-service.js';
import type { PostbackOutcome } from '../level-postbacks/level-postbacks-intake.js';
import type { Credit, NewEvent, RecordEventCommand, RecordEventResult } from '../conversions/events-types.js';
import type { EventsDal } from '../conversions/events-dal.js';

export interface SourceRequest extends InboundRequest {
  /** `scheme://host` the partner called (PUBLIC_URL when configured). */
  origin: string;
  /** The query string exactly as received, without `?`. */
  rawQuery: string;
}

/** The hub's JSON answer, or the text a partner expects. */
export type SourceAnswer = { status: number; json: Record<string, unknown> } | { status: number; text: string };

/**
 * The answer, or the error the hub answers with; either way the id of the event recorded (every
 * postback to a known source leaves one).
 */
export type SourceReceipt = { eventId: string; answer: SourceAnswer } | { eventId: string; error: AppError };

/**
 * A dashboard test postback, and what the intake found out about it: it is recorded flagged as a
 * test (crediting nobody: record-event.ts), and delivered only to the picked destinations of
 * those that want it. The intake fills in the rest.
 */
export interface TestRun {
  /** Destination ids the operator picked; none by default. */
  destinations: readonly string[];
  /** The exact reward (micro-coins) the source's rule gives it: what a real postback would credit. */
  wouldCreditMicros?: number;
  /** Every enabled destination that wants the event, picked or not. */
  matched?: string[];
}

export interface SourcePostbackDeps {
  sources: Pick<SourceService, 'load'>;
  /** Attribution, fraud screening and deliveries, filled in before recording. */
  prepare?: (command: RecordEventCommand) => Promise<RecordEventCommand>;
  store: Pick<EventsDal, 'recordEvent' | 'recordRejection'>;
  clock: Clock;
  rawBodyLimit: number;
  /** Knows every source's credential names: loading the source has brought this one's up to date. */
  redactor: Redactor;
  onOutcome?: (source: string, outcome: PostbackOutcome, seconds: number) => void;
}

/**
 * `GET|POST /postbacks/:slug`: any partner's postback, read by its source's definition —
 * authenticate, map, de-duplicate, reward, record, answer as the partner expects. Every request
 * to a known source leaves an event row, whatever its outcome.
 */
export class SourcePostbackIntake {
  constructor(private readonly deps: SourcePostbackDeps) {}

  /** The answer for the partner; a refusal the source answers with the hub's error is thrown, for the error mapping. */
  async handle(slug: string, request: SourceRequest): Promise<SourceAnswer> {
    const receipt = await this.receive(slug, request);
    if ('error' in receipt) throw receipt.error;
    return receipt.answer;
  }

  /** What the hub made of a postback, and the event it recorded for it; `test` for the dashboard's test postbacks. */
  async receive(slug: string, request: SourceRequest, test?: TestRun): Promise<SourceReceipt> {
    const started = performance.now();
    const source = await this.deps.sources.load(slug);
    if (source === null) throw new NotFoundError(`No source "${slug}"`, 'slug', 'unknown_source');
    // A refusal is recorded as the type the source's postbacks default to, as its accepted ones are.
    const type = source.definition.defaults?.eventType ?? 'conversion';
    const event = newInboundEvent(slug, type, request, this.deps.clock.now(), this.deps.rawBodyLimit, this.deps.redactor);
    event.test = test !== undefined;
    // Null: nothing was recorded (storage down, a bug), so there is no outcome to count.
    let outcome: PostbackOutcome | null = null;
    try {
      const accepted = await this.accept(source, request, event, test);
      outcome = accepted.outcome;
      return { eventId: event.id, answer: accepted.answer };
    } catch (error) {
      if (error instanceof StoreUnavailableError || !(error instanceof AppError)) throw error;
      const answer = await this.rejected(source, event, error);
      outcome = 'rejected';
      return answer === null ? { eventId: event.id, error } : { eventId: event.id, answer };
    } finally {
      if (outcome !== null) this.deps.onOutcome?.(slug, outcome, (performance.now() - started) / 1000);
    }
  }

  private async accept(source: LoadedSource, request: SourceRequest, event: NewEvent, test: TestRun | undefined): Promise<{ outcome: AnswerOutcome; answer: SourceAnswer }> {
    const { definition } = source;
    if (!source.enabled) throw new NotFoundError(`Source "${source.slug}" is disabled`, 'slug', 'source_disabled');
    const input = parseInput(request);
    const signed: SignedRequest = {
      origin: request.origin,
      path: request.path,
      rawQuery: request.rawQuery,
      headers: request.headers,
      body: request.body,
      fields: flatFields(input),
    };
    // Whose postback it claims to be, for the record even if it is refused.
    event.userId = lookup(input, definition.fields.user) ?? null;
    const verdict = authenticate(definition.auth, { request: signed, ip: request.ip, now: event.receivedAt }, source.secret);
    if (!verdict.ok) throw new UnauthorizedError(verdict.reason);

    const parsed = mapPostback(definition, input);
    if (!parsed.ok) throw new ValidationError(parsed.problem.field, parsed.problem.message);
    const mapped = parsed.value;
    fillEvent(event, mapped);

    const command: RecordEventCommand = {
      event,
      requires: definition.users === 'must-exist' ? { userId: mapped.userId } : {},
      ensureUser: definition.users !== 'must-exist',
      credit: reward(definition, mapped, input, event),
      ...(mapped.reversalOf === null ? {} : { reversalOf: mapped.reversalOf }),
      ...(definition.modifiers?.dailyCap === undefined ? {} : { dailyCap: { coins: definition.modifiers.dailyCap, since: startOfUtcDay(event.receivedAt) } }),
    };
    const prepared = this.deps.prepare === undefined ? command : await this.deps.prepare(command);
    if (test === undefined) return answer(definition, mapped, await this.deps.store.recordEvent(prepared));
    const matched = prepared.deliveries ?? [];
    test.matched = matched.map((d) => d.destinationId);
    test.wouldCreditMicros = command.credit?.kind === 'reward' ? command.credit.micros : 0;
    event.metadata.wouldCredit = formatCoins(test.wouldCreditMicros);
    const result = await this.deps.store.recordEvent({ ...prepared, deliveries: matched.filter((d) => test.destinations.includes(d.destinationId)) });
    return answer(definition, mapped, result, wholeCoins(test.wouldCreditMicros));
  }

  /** Records the refusal; its answer is the source's own if it has one, else null (the error itself). */
  private async rejected(source: LoadedSource, event: NewEvent, error: AppError): Promise<SourceAnswer | null> {
    // The store records its own refusals (unknown user, nothing to reverse) in the same transaction.
    if (!(error instanceof StoreRefusal)) await this.deps.store.recordRejection(event, error.code, error.message);
    const { answer } = source.definition;
    const text = renderTextAnswer(answer, 'rejected', vars(event, 0), error.code);
    if (text !== null) return { status: text.status, text: text.body };
    const status = jsonStatus(answer, 'rejected', error.code);
    return status === undefined ? null : { status, json: { ...errorBody(error) } };
  }
}

/** A refusal the store has already recorded. */
class StoreRefusal extends NotFoundError {}

/** `testCoins`: a test postback's answer shows what it would have credited (it credited nothing), and no balance. */
function answer(definition: SourceDefinition, mapped: MappedPostback, result: RecordEventResult, testCoins?: number): { outcome: AnswerOutcome; answer: SourceAnswer } {
  if (result.outcome === 'rejected') {
    if (result.reason === 'original_not_found') {
      throw new StoreRefusal(`No accepted postback "${mapped.reversalOf}" of this user to reverse`, 'externalId', 'original_not_found');
    }
    throw new StoreRefusal(`No user "${mapped.userId}"`, 'user', 'user_not_found');
  }
  const coins = result.outcome !== 'accepted' ? 0 : (testCoins ?? result.coins);
  const text = renderTextAnswer(definition.answer, result.outcome, { event_id: result.eventId, external_id: mapped.externalId, user_id: mapped.userId, coins });
  if (text !== null) return { outcome: result.outcome, answer: { status: text.status, text: text.body } };
  const json: Record<string, unknown> =
    result.outcome === 'accepted'
      ? { ok: true, outcome: 'accepted', eventId: result.eventId, userId: mapped.userId, coins, balance: testCoins === undefined ? (result.user?.coins ?? null) : null, ...(testCoins === undefined ? {} : { test: true }) }
      : { ok: true, outcome: 'duplicate', duplicate: true, eventId: result.eventId, duplicateOf: result.duplicateOf };
  return { outcome: result.outcome, answer: { status: jsonStatus(definition.answer, result.outcome) ?? 200, json } };
}

function reward(definition: SourceDefinition, mapped: MappedPostback, input: InboundInput, event: NewEvent): Credit | null {
  if (mapped.reversalOf !== null) return { ledgerEntryId: newId(), micros: 0, kind: 'reversal' };
  const modifiers = definition.modifiers ?? {};
  const boosted = modifiers.boostWhen !== undefined && lookup(input, modifiers.boostWhen.path) === modifiers.boostWhen.equals;
  let revenueUsdMicros: number | null = null;
  if (mapped.amountMicros !== null && mapped.currency !== null) {
    const rates = Object.fromEntries(Object.entries(definition.usdRates ?? {}).map(([code, rate]) => [code, parseMicros(rate) ?? 0]));
    revenueUsdMicros = toUsdMicros(mapped.amountMicros, mapped.currency, rates);
    if (revenueUsdMicros === null) event.metadata.rewardNote = `no USD rate for ${mapped.currency}: recorded without a revenue-based reward`;
  }
  const { micros, note, explanation } = computeReward(definition.reward, modifiers, {
    eventType: mapped.eventType,
    offerId: mapped.offerId,
    level: mapped.level,
    revenueUsdMicros,
    partnerCoins: mapped.partnerCoins,
    boosted,
  });
  if (boosted) event.metadata.boosted = true;
  if (note !== null) event.metadata.rewardNote ??= note;
  if (explanation !== null) event.metadata.reward = explanation;
  return micros === 0 ? null : { ledgerEntryId: newId(), micros, kind: 'reward' };
}

function parseInput(request: SourceRequest): InboundInput {
  const query = Object.fromEntries(parseQuery(request.rawQuery));
  const body = request.body;
  if (body === undefined || body.length === 0) return { query, body: null };
  const type = headerValue(request, 'content-type');
  if (isJsonContentType(type)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ValidationError('body', 'is not valid JSON', 'invalid_json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ValidationError('body', 'must be a JSON object');
    return { query, body: parsed as Record<string, unknown> };
  }
  if (type?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded') {
    return { query, body: Object.fromEntries(parseQuery(body.toString('utf8'))) };
  }
  throw new UnsupportedMediaTypeError('Content-Type must be application/json or application/x-www-form-urlencoded');
}

/** Query and top-level body values as text: what templates and query secrets read. */
function flatFields(input: InboundInput): Record<string, string> {
  const fields: Record<string, string> = { ...input.query };
  for (const [key, value] of Object.entries(input.body ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = String(value);
  }
  return fields;
}

function fillEvent(event: NewEvent, mapped: MappedPostback): void {
  Object.assign(event, {
    type: mapped.eventType,
    externalId: mapped.externalId,
    userId: mapped.userId,
    offerId: mapped.offerId,
    level: mapped.level,
    amountMicros: mapped.amountMicros,
    currency: mapped.currency,
    clickId: mapped.clickId,
  });
  if (mapped.status !== null) event.metadata.status = mapped.status;
  if (mapped.partnerCoins !== null) event.metadata.partnerCoins = mapped.partnerCoins;
  if (mapped.timestamp !== null) event.metadata.partnerTime = new Date(mapped.timestamp).toISOString();
  if (mapped.reversalOf !== null) event.metadata.reversalOf = mapped.reversalOf;
  if (mapped.data !== null) event.metadata.data = mapped.data;
  if (mapped.amountExact !== null) event.metadata.partnerAmount = mapped.amountExact;
}

function vars(event: NewEvent, coins: number) {
  return { event_id: event.id, external_id: event.externalId ?? '', user_id: event.userId ?? '', coins };
}
