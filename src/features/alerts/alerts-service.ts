import { randomBytes } from 'node:crypto';
import type { Page } from '../../db/paging.js';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { AlertsDal, ChannelRecord, HistoryFilter, NoticeRecord } from './alerts-dal.js';
import type { Notifier, OpenChannel, SendOutcome } from './channels.js';
import type { AlertMonitor } from './monitor.js';
import { applyRulesChange, type AlertRules, type FiringAlert, type RulesChange } from './rules.js';

export type ChannelInput = { kind: 'webhook'; name: string; url: string; enabled?: boolean } | { kind: 'email'; name: string; to: string[]; enabled?: boolean };
export interface ChannelChange {
  name?: string;
  url?: string;
  to?: string[];
  enabled?: boolean;
}

/** A Standard Webhooks secret, `whsec_` and 32 random bytes in base64, as destinations have. */
function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('url', 'is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ValidationError('url', 'must be http or https');
}

/** The alerts as the admin API sees them: rules, channels (secrets sealed, shown once), history, what fires now. */
export class AlertService {
  constructor(
    private readonly deps: {
      store: AlertsDal;
      box: SecretBox;
      clock: Clock;
      notifier: Pick<Notifier, 'send'>;
      /** This process's monitor, if it runs one: the store outage it sees is not in the store. */
      monitor: Pick<AlertMonitor, 'outageNow'> | null;
    },
  ) {}

  rules(): Promise<AlertRules> {
    return this.deps.store.rules();
  }

  /** Fields left out keep their value. */
  async setRules(change: RulesChange): Promise<AlertRules> {
    const rules = applyRulesChange(await this.deps.store.rules(), change);
    await this.deps.store.putRules(rules, this.deps.clock.now());
    return rules;
  }

  /** Every alert firing now, oldest first (the store's, and an outage this process sees). */
  async firing(): Promise<FiringAlert[]> {
    const outage = this.deps.monitor?.outageNow() ?? null;
    return [...(outage === null ? [] : [outage]), ...(await this.deps.store.firing())];
  }

  history(filter: HistoryFilter): Promise<Page<NoticeRecord>> {
    return this.deps.store.history(filter);
  }

  listChannels(options: { limit: number; cursor?: string }): Promise<Page<ChannelRecord>> {
    return this.deps.store.listChannels(options);
  }

  async channel(id: string): Promise<ChannelRecord> {
    const found = await this.deps.store.getChannel(id);
    if (found === null) throw new NotFoundError(`No alert channel ${id}`, 'id');
    return found;
  }

  /** A webhook channel gets its signing secret, answered this once. */
  async createChannel(input: ChannelInput): Promise<{ channel: ChannelRecord; secret: string | null }> {
    const now = this.deps.clock.now();
    if (input.kind === 'webhook') checkUrl(input.url);
    const secret = input.kind === 'webhook' ? generateWebhookSecret() : null;
    const channel = await this.deps.store.insertChannel({
      id: newId(),
      name: input.name,
      kind: input.kind,
      config: input.kind === 'webhook' ? { url: input.url } : { to: input.to },
      secretCiphertext: secret === null ? null : this.deps.box.seal(secret),
      enabled: input.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    });
    return { channel, secret };
  }

  async updateChannel(id: string, change: ChannelChange): Promise<ChannelRecord> {
    const current = await this.channel(id);
    if (change.url !== undefined && current.kind !== 'webhook') throw new ValidationError('url', 'only a webhook channel has a URL');
    if (change.to !== undefined && current.kind !== 'email') throw new ValidationError('to', 'only an email channel has recipients');
    if (change.url !== undefined) checkUrl(change.url);
    const config = change.url !== undefined ? { url: change.url } : change.to !== undefined ? { to: change.to } : undefined;
    const updated = await this.deps.store.updateChannel(id, { ...(change.name === undefined ? {} : { name: change.name }), ...(config === undefined ? {} : { config }), ...(change.enabled === undefined ? {} : { enabled: change.enabled }) }, this.deps.clock.now());
    if (updated === null) throw new NotFoundError(`No alert channel ${id}`, 'id');
    return updated;
  }

  async deleteChannel(id: string): Promise<void> {
    if ((await this.deps.store.removeChannel(id)) === 'not_found') throw new NotFoundError(`No alert channel ${id}`, 'id');
  }

  /** Sends a test notice to the channel (enabled or not); answers what happened. */
  async testChannel(id: string): Promise<SendOutcome> {
    const channel = this.open(await this.channel(id));
    const now = this.deps.clock.now();
    return this.deps.notifier.send(channel, {
      id: newId(),
      state: 'firing',
      rule: 'test',
      subject: channel.id,
      title: `Test notice to "${channel.name}"`,
      message: 'alerts from this Postback Hub reach this channel',
      startedAt: now,
      at: now,
      test: true,
    });
  }

  /** The enabled channels with their secrets opened, for the monitor. */
  async openChannels(): Promise<OpenChannel[]> {
    return (await this.deps.store.allChannels()).filter((c) => c.enabled).map((c) => this.open(c));
  }

  private open(c: ChannelRecord): OpenChannel {
    return {
      id: c.id,
      name: c.name,
      kind: c.kind,
      ...(c.config.url === undefined ? {} : { url: c.config.url }),
      ...(c.config.to === undefined ? {} : { to: c.config.to }),
      secret: c.secretCiphertext === null ? null : this.deps.box.open(c.secretCiphertext),
    };
  }
}
