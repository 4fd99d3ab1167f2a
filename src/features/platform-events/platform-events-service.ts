import { Type, type Static } from 'typebox';
import { parseMicros } from '../../lib/money.js';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError, UnauthorizedError, ValidationError } from '../../lib/errors.js';
import type { ApiSecretVerifier } from '../api-secrets/api-secrets-service.js';
import type { EventRecord, RecordEventCommand, RecordEventResult } from '../conversions/events-types.js';
import { blankEvent } from '../conversions/new-event.js';
import type { DeliveryRecord } from '../delivery/delivery-types.js';
import type { EventsDal } from '../conversions/events-dal.js';
import type { DeliveriesDal } from '../delivery/deliveries-dal.js';

/** The source under which the operator's own platform events are recorded. */
export const PLATFORM_SOURCE = 'platform';

/** The platform events API's event types, and any custom name in the same shape. */
export const KNOWN_EVENT_TYPES = ['registration', 'first_deposit', 'deposit', 'game_activity', 'withdrawal', 'conversion', 'level', 'purchase'] as const;

export const PlatformEventSchema = Type.Object(
  {
    type: Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,63}$', description: `${KNOWN_EVENT_TYPES.join(', ')} or a custom name` }),
    idempotencyKey: Type.String({ minLength: 1, maxLength: 200, description: 'The same key twice is the same event: recorded once' }),
    userId: Type.String({ minLength: 1, maxLength: 128 }),
    offerId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    clickId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    level: Type.Optional(Type.Integer({ minimum: 1 })),
    amount: Type.Optional(Type.String({ pattern: '^-?\\d{1,9}(\\.\\d{1,6})?$', description: 'Decimal string, e.g. "25.00"' })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Anything else, kept with the event' })),
  },
  { additionalProperties: false },
);
export type PlatformEvent = Static<typeof PlatformEventSchema>;

export interface PlatformEventResult {
  eventId: string;
  outcome: 'accepted' | 'duplicate';
  duplicateOf?: string;
}

/**
 * The operator's own events (the platform events API): registration, deposits, game activity,
 * withdrawals, conversions, levels and custom names. Recorded like postbacks (one transaction, once per
 * idempotency key), mostly to be forwarded to the partners that referred the user.
 */
export class PlatformEventService {
  constructor(
    private readonly deps: {
      store: Pick<EventsDal, 'recordEvent' | 'recordEvents' | 'getEvent'> & Pick<DeliveriesDal, 'listDeliveriesOfEvent'>;
      secrets: Pick<ApiSecretVerifier, 'verify'>;
      clock: Clock;
      /** Attribution, fraud screening and deliveries, filled in before recording. */
      prepare?: (command: RecordEventCommand) => Promise<RecordEventCommand>;
    },
  ) {}

  async authenticate(secret: string | undefined): Promise<void> {
    if (secret === undefined || (await this.deps.secrets.verify(secret)) === null) throw new UnauthorizedError('Missing or invalid API secret');
  }

  async record(input: PlatformEvent): Promise<PlatformEventResult> {
    return toResult(await this.deps.store.recordEvent(await this.command(input)));
  }

  /** A batch in one transaction: one commit for all of it, and all or nothing on a store failure. */
  async recordBatch(inputs: readonly PlatformEvent[]): Promise<PlatformEventResult[]> {
    const commands = await Promise.all(inputs.map((input) => this.command(input)));
    return (await this.deps.store.recordEvents(commands)).map(toResult);
  }

  private async command(input: PlatformEvent): Promise<RecordEventCommand> {
    const command: RecordEventCommand = {
      event: {
        ...blankEvent(PLATFORM_SOURCE, input.type, this.deps.clock.now()),
        externalId: input.idempotencyKey,
        userId: input.userId,
        offerId: input.offerId ?? null,
        level: input.level ?? null,
        amountMicros: input.amount === undefined ? null : parseMicros(input.amount),
        currency: input.currency?.toUpperCase() ?? (input.amount === undefined ? null : 'USD'),
        clickId: input.clickId ?? null,
        metadata: { ...(input.data === undefined ? {} : { data: input.data }), ...(input.occurredAt === undefined ? {} : { occurredAt: input.occurredAt }) },
      },
      requires: {},
      credit: null,
      ensureUser: true,
      noUserInResult: true,
    };
    return this.deps.prepare === undefined ? command : this.deps.prepare(command);
  }

  /**
   * The status API: what became of a platform event and its deliveries. Partners' postbacks
   * are not visible here: an API secret (also held by game studios) reads platform events only.
   */
  async status(id: string): Promise<{ event: EventRecord; deliveries: DeliveryRecord[] }> {
    const event = await this.deps.store.getEvent(id);
    if (event === null || event.source !== PLATFORM_SOURCE) throw new NotFoundError(`No event "${id}"`, 'id');
    return { event, deliveries: await this.deps.store.listDeliveriesOfEvent(id) };
  }
}

function toResult(result: RecordEventResult): PlatformEventResult {
  switch (result.outcome) {
    case 'accepted':
      return { eventId: result.eventId, outcome: 'accepted' };
    case 'duplicate':
      return { eventId: result.eventId, outcome: 'duplicate', duplicateOf: result.duplicateOf };
    case 'rejected':
      // Nothing is required of platform events, so the store has nothing to refuse.
      throw new ValidationError('event', `refused by the store: ${result.reason}`);
  }
}
