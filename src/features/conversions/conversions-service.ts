import { Compile } from 'typebox/compile';
import { capRules, clickFlags, DEFAULT_FRAUD_POLICY, FraudPolicySchema, type CapRules, type FraudPolicy } from './fraud.js';
import type { MatchableEvent } from '../destinations/definition.js';
import { startOfUtcDay, type Clock } from '../../lib/clock.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { newId } from '../../lib/ids.js';
import type { EventFilter, EventRecord, RecordEventCommand } from './events-types.js';
import type { ClickRecord } from '../clicks/clicks-types.js';
import type { ClicksDal } from '../clicks/clicks-dal.js';
import type { SettingsDal } from '../../db/settings.js';
import type { EventsDal } from './events-dal.js';
import type { Page } from '../../db/paging.js';
import { inSpan } from '../../lib/tracing.js';

export const FRAUD_POLICY_KEY = 'fraud-policy';
const policyValidator = Compile(FraudPolicySchema);

type Deliveries = Array<{ id: string; destinationId: string }>;

export interface ConversionDeps {
  store: Pick<ClicksDal, 'getClick' | 'latestClick' | 'countClicksFromIp'> & Pick<SettingsDal, 'getSetting' | 'putSetting'> & Pick<EventsDal, 'reviewEvent' | 'getEvent' | 'listEvents'>;
  /** The outbox rows for an event (destinations that want it). */
  deliveriesFor: (event: MatchableEvent) => Promise<Deliveries>;
  /** Whether an offer has tracking links: only then is a conversion looked up by user and offer. */
  offerHasLinks: (offerId: string) => Promise<boolean>;
  clock: Clock;
  /**
   * Writes the clicks this process has handed out and not yet stored: a conversion may arrive
   * before its click's write (clicks are recorded behind the redirect), and must still find it.
   */
  settleClicks?: () => Promise<void>;
  /** How long the policy is used before it is read again (other processes' changes). */
  cacheMs?: number;
}

/**
 * What happens to every inbound event before it is recorded: attribution to a click (by the
 * click id it carries, or else by its user and offer: install referrers and `sub` links carry
 * no click id back), fraud screening per the operator's policy, and the deliveries it causes,
 * among them the postback of the partner whose traffic it was.
 */
export class ConversionService {
  /** The policy and the caps derived from it, under one key. */
  private readonly policyCache: TtlCache<'policy', { policy: FraudPolicy; caps: CapRules | null }>;

  constructor(private readonly deps: ConversionDeps) {
    this.policyCache = new TtlCache(deps.clock, deps.cacheMs ?? 1000, 1);
  }

  async policy(): Promise<FraudPolicy> {
    return (await this.loadPolicy()).policy;
  }

  /**
   * The policy and the caps derived from it, read at most once a second (by the hub's clock):
   * another process's change is in force within a second, this process's at once.
   */
  private loadPolicy(): Promise<{ policy: FraudPolicy; caps: CapRules | null }> {
    return this.policyCache.getOrLoad('policy', async () => {
      const stored = await this.deps.store.getSetting(FRAUD_POLICY_KEY);
      // Stored by an older version, or never: the defaults fill what it lacks.
      const merged = { ...DEFAULT_FRAUD_POLICY, ...(typeof stored === 'object' && stored !== null ? stored : {}) };
      const policy = policyValidator.Check(merged) ? merged : DEFAULT_FRAUD_POLICY;
      return { policy, caps: capRules(policy) };
    });
  }

  async setPolicy(policy: FraudPolicy): Promise<FraudPolicy> {
    try {
      await this.deps.store.putSetting(FRAUD_POLICY_KEY, policy, this.deps.clock.now());
    } finally {
      // In force at once (failed too: it may have committed); a read that raced it is not kept.
      this.policyCache.clear();
    }
    return this.policy();
  }

  /** The command as it will be recorded: attributed, screened, with its deliveries; traced as `postback.attribute`. */
  prepare(command: RecordEventCommand): Promise<RecordEventCommand> {
    return inSpan('postback.attribute', {}, async (span) => {
      // Attribution fills the event in place: what it came with is read first.
      const clickIdGiven = command.event.clickId !== null;
      const prepared = await this.attribute(command);
      if (!span.isRecording()) return prepared;
      const { event } = prepared;
      span.setAttributes({
        'postback.event_id': event.id,
        'postback.click_id_given': clickIdGiven,
        'postback.attributed': event.linkId !== null,
        ...(event.partner === null ? {} : { 'postback.partner': event.partner }),
        'postback.fraud_flags': (prepared.screening?.flags ?? []).map((flag) => `${flag.check}:${flag.action}`),
        'postback.deliveries': prepared.deliveries?.length ?? 0,
      });
      return prepared;
    });
  }

  private async attribute(command: RecordEventCommand): Promise<RecordEventCommand> {
    const { event } = command;
    const { policy, caps } = await this.loadPolicy();
    const now = event.receivedAt;
    const windowMs = policy.attributionWindowDays * 86_400_000;
    const clickIdGiven = event.clickId;
    let click: ClickRecord | null = null;
    if (clickIdGiven !== null) {
      await this.deps.settleClicks?.();
      click = await this.deps.store.getClick(clickIdGiven);
    } else if (event.userId !== null && event.offerId !== null && (await this.deps.offerHasLinks(event.offerId))) {
      await this.deps.settleClicks?.();
      click = await this.deps.store.latestClick(event.userId, event.offerId, now - windowMs);
    }
    const attributed = click !== null && now - click.createdAt <= windowMs ? click : null;
    if (attributed !== null) {
      event.clickId = attributed.id;
      event.partner = attributed.partner;
      event.linkId = attributed.linkId;
      event.partnerClickId = attributed.partnerClickId;
      event.userId ??= attributed.userId;
      event.offerId ??= attributed.offerId;
    }
    const { clicksPerIp } = policy;
    const clicksFromIp =
      attributed?.ip != null && clicksPerIp.action !== 'off'
        ? await this.deps.store.countClicksFromIp(attributed.ip, attributed.createdAt - clicksPerIp.windowMinutes * 60_000, attributed.createdAt)
        : 0;
    const flags = clickFlags(policy, { clickIdGiven, click, clicksFromIp, now });
    const deliveries = await this.deps.deliveriesFor(event);
    // A reversal takes back an earlier credit: nothing to screen.
    const screened = command.reversalOf === undefined && (flags.length > 0 || caps !== null);
    return { ...command, deliveries, ...(screened ? { screening: { flags, caps, since: startOfUtcDay(now) } } : {}) };
  }

  /** The event explorer: every inbound postback, whatever its outcome, newest first. */
  events(filter: EventFilter): Promise<Page<EventRecord>> {
    return this.deps.store.listEvents(filter);
  }

  /** One event with its raw request. */
  async event(id: string): Promise<EventRecord> {
    const event = await this.deps.store.getEvent(id);
    if (event === null) throw new NotFoundError(`No event with id "${id}"`, 'id');
    return event;
  }

  /** An operator's decision on a held or flagged event. */
  async review(id: string, approve: boolean): Promise<EventRecord> {
    const now = this.deps.clock.now();
    let deliveries: Deliveries = [];
    if (approve) {
      const event = await this.deps.store.getEvent(id);
      if (event === null) throw new NotFoundError(`No event "${id}"`, 'id');
      // A test postback goes only where the operator sent it, when it was sent: nowhere on approval.
      if (!event.test) deliveries = await this.deps.deliveriesFor(event);
    }
    const result = await this.deps.store.reviewEvent(id, approve ? { approve: true, ledgerEntryId: newId(), deliveries } : { approve: false, ledgerEntryId: newId() }, now);
    if (result === 'not_found') throw new NotFoundError(`No event "${id}"`, 'id');
    if (result === 'conflict') {
      throw new ConflictError(approve ? 'Only a held event can be approved' : 'Only a flagged, held or approved event can be rejected', 'id', 'not_reviewable');
    }
    return result;
  }
}
