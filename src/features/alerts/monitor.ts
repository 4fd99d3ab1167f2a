import type { Log } from '../../app/services.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { AlertsDal, NoticeRecord, Outcomes } from './alerts-dal.js';
import type { AlertClaim } from './alerts-sql.js';
import type { Notifier, OpenChannel } from './channels.js';
import { SEND_TIMEOUT_MS } from './channels.js';
import type { Notice } from './notices.js';
import { DEFAULT_RULES, evaluate, RULE_NAMES, transitions, type AlertRules, type FiringAlert, type RuleName, type Transition } from './rules.js';

/** The rules the store answers; store_unavailable is this process's own, kept in memory. */
const STORE_RULES: ReadonlySet<RuleName> = new Set(RULE_NAMES.filter((r) => r !== 'store_unavailable'));

/** How long the process that won a notice alone sends it; after that any process retries what is left. */
const SEND_LEASE_MS = 4 * SEND_TIMEOUT_MS;
/** A notice that has not reached a channel for this long is given up for that channel. */
const GIVE_UP_MS = 24 * 3_600_000;

export const DEFAULT_CHECK_INTERVAL_MS = 30_000;

/** What one check did: the notices this process sent (or tried to), and whether the store took a write. */
export interface CheckReport {
  storeAvailable: boolean;
  notices: Array<Pick<NoticeRecord, 'id' | 'rule' | 'subject' | 'state'> & { outcomes: Outcomes }>;
}

/** The store refusing writes, as this process saw it (the store cannot keep this one). */
interface Outage {
  startedAt: number;
  lastSentAt: number;
  message: string;
  /** Its notices, kept to be appended to the history once the store is back. */
  notices: NoticeRecord[];
}

export interface MonitorDeps {
  store: Pick<AlertsDal, 'probe' | 'rules' | 'snapshot' | 'firing' | 'claim' | 'takeRetries' | 'settleNotice' | 'appendNotices'>;
  /** The enabled channels, their secrets opened. */
  channels: () => Promise<OpenChannel[]>;
  notifier: Pick<Notifier, 'send'>;
  clock: Clock;
  log: Log;
}

/**
 * Checks the rules every interval: each alert fires once when its condition starts, repeats at
 * most every `repeatMinutes` while it lasts, and sends one notice when it ends. Transitions are
 * claimed in the store (alerts-sql.ts), so several processes on one PostgreSQL database send
 * each notice once; a notice that did not reach a channel is retried at a later check, by
 * whichever process takes it.
 */
export class AlertMonitor {
  private running: Promise<CheckReport> | null = null;
  private timer: NodeJS.Timeout | null = null;
  // Kept from the last check that could read them: while the store is down they are all there is.
  private rules: AlertRules = DEFAULT_RULES;
  private channels: OpenChannel[] = [];
  private outage: Outage | null = null;
  private unrecorded: NoticeRecord[] = [];

  constructor(private readonly deps: MonitorDeps) {}

  /** One check; a check already running is shared rather than run twice at once. */
  check(): Promise<CheckReport> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  start(intervalMs: number): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.check().catch((error: unknown) => this.deps.log.error({ err: error }, 'an alert check failed; it runs again at the next interval'));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** The store refusing writes, if this process sees it now. */
  outageNow(): FiringAlert | null {
    const o = this.outage;
    return o === null ? null : { rule: 'store_unavailable', subject: 'store', title: 'Store refusing writes', message: o.message, startedAt: o.startedAt, lastSentAt: o.lastSentAt };
  }

  private async run(): Promise<CheckReport> {
    const now = this.deps.clock.now();
    try {
      await this.deps.store.probe(now);
    } catch (error) {
      return { storeAvailable: false, notices: await this.storeDown(now, error) };
    }
    const notices = this.outage === null ? [] : await this.storeBack(now);
    if (this.unrecorded.length > 0) {
      await this.deps.store.appendNotices(this.unrecorded, now + 1);
      this.unrecorded = [];
    }
    this.rules = await this.deps.store.rules();
    this.channels = await this.deps.channels();
    notices.push(...(await this.evaluateAndSend(now)), ...(await this.retry(now)));
    return { storeAvailable: true, notices };
  }

  private async evaluateAndSend(now: number): Promise<CheckReport['notices']> {
    const { store } = this.deps;
    const rules = this.rules;
    const findings = evaluate(rules, await store.snapshot(rules, now), now);
    const plan = transitions(findings, await store.firing(), { now, repeatMinutes: rules.repeatMinutes, evaluated: STORE_RULES });
    if (plan.length === 0) return [];
    const claims = plan.map(claimOf);
    const won = new Set(await store.claim({ now, repeatMs: rules.repeatMinutes * 60_000, claims, channels: this.channels.map((c) => c.id), sendLeaseMs: SEND_LEASE_MS }));
    const sent: CheckReport['notices'] = [];
    for (const claim of claims.filter((c) => won.has(c.noticeId))) {
      const notice: NoticeRecord = { ...claim, id: claim.noticeId, at: now, startedAt: claim.state === 'firing' ? now : claim.startedAt, pending: this.channels.map((c) => c.id), outcomes: {} };
      sent.push(await this.deliver(notice, now));
    }
    return sent;
  }

  /** Sends a notice to the channels it has yet to reach; records what happened. */
  private async deliver(notice: NoticeRecord, now: number, record = true): Promise<CheckReport['notices'][number]> {
    const outcomes = await this.sendTo(notice, now);
    // What failed is retried at the next check, not again in this one.
    if (record) await this.deps.store.settleNotice(notice.id, notice.pending, now + 1, outcomes);
    return { id: notice.id, rule: notice.rule, subject: notice.subject, state: notice.state, outcomes };
  }

  /** Sends to each pending channel, leaving in `notice.pending` only those that failed. */
  private async sendTo(notice: NoticeRecord, now: number): Promise<Outcomes> {
    const outcomes = { ...notice.outcomes };
    const failed: string[] = [];
    for (const id of notice.pending) {
      const channel = this.channels.find((c) => c.id === id);
      // A channel deleted or disabled since is not retried.
      if (channel === undefined) continue;
      const result = await this.deps.notifier.send(channel, asNotice(notice));
      outcomes[id] = { ok: result.ok, at: now, detail: result.ok ? result.detail : result.error };
      if (!result.ok) {
        failed.push(id);
        this.deps.log.warn({ channelId: id, channel: channel.name, notice: notice.id, rule: notice.rule, subject: notice.subject, error: result.error }, 'an alert notice could not be sent; it is retried at the next check');
      }
    }
    notice.pending = failed;
    notice.outcomes = outcomes;
    return outcomes;
  }

  /** Notices whose channels were not all reached: tried again, or given up after a day. */
  private async retry(now: number): Promise<CheckReport['notices']> {
    const sent: CheckReport['notices'] = [];
    for (const notice of await this.deps.store.takeRetries(now, SEND_LEASE_MS)) {
      if (now - notice.at > GIVE_UP_MS) {
        this.deps.log.error({ notice: notice.id, rule: notice.rule, channels: notice.pending }, 'an alert notice could not be sent for a day; given up');
        await this.deps.store.settleNotice(notice.id, [], null, notice.outcomes);
        continue;
      }
      sent.push(await this.deliver(notice, now));
    }
    return sent;
  }

  /** The store refused the probe write: fire (or repeat) from memory, to the channels last read. */
  private async storeDown(now: number, error: unknown): Promise<CheckReport['notices']> {
    const message = `writes fail: ${error instanceof Error ? error.message : String(error)}`;
    this.deps.log.error({ err: error }, 'the store refuses writes');
    const sent: CheckReport['notices'] = [];
    // Earlier notices of this outage that missed a channel.
    for (const notice of this.outage?.notices ?? []) if (notice.pending.length > 0) sent.push(await this.deliver(notice, now, false));
    if (!this.rules.store_unavailable.enabled) return sent;
    let state: NoticeRecord['state'] | null = null;
    if (this.outage === null) {
      this.outage = { startedAt: now, lastSentAt: now, message, notices: [] };
      state = 'firing';
    } else if (now - this.outage.lastSentAt >= this.rules.repeatMinutes * 60_000) {
      this.outage.lastSentAt = now;
      this.outage.message = message;
      state = 'repeat';
    }
    if (state === null) return sent;
    const notice = this.outageNotice(state, now);
    this.outage.notices.push(notice);
    sent.push(await this.deliver(notice, now, false));
    return sent;
  }

  /** The probe write went through again: the recovery notice, and the outage's notices kept for the history. */
  private async storeBack(now: number): Promise<CheckReport['notices']> {
    const outage = this.outage!;
    const notice = this.outageNotice('resolved', now);
    const sent = [await this.deliver(notice, now, false)];
    this.unrecorded.push(...outage.notices, notice);
    this.outage = null;
    return sent;
  }

  private outageNotice(state: NoticeRecord['state'], now: number): NoticeRecord {
    const o = this.outage!;
    return { id: newId(), at: now, rule: 'store_unavailable', subject: 'store', state, title: 'Store refusing writes', message: o.message, startedAt: o.startedAt, pending: this.channels.map((c) => c.id), outcomes: {} };
  }
}

function claimOf(t: Transition): AlertClaim {
  const noticeId = newId();
  if (t.kind === 'resolved') return { state: 'resolved', rule: t.alert.rule, subject: t.alert.subject, title: t.alert.title, message: t.alert.message, startedAt: t.alert.startedAt, noticeId };
  const { rule, subject, title, message } = t.finding;
  return { state: t.kind, rule, subject, title, message, startedAt: t.kind === 'repeat' ? t.startedAt : 0, noticeId };
}

function asNotice(n: NoticeRecord): Notice {
  return { id: n.id, state: n.state, rule: n.rule, subject: n.subject, title: n.title, message: n.message, startedAt: n.startedAt, at: n.at };
}
