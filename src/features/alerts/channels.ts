import nodemailer, { type Transporter } from 'nodemailer';
import type { Sender } from '../delivery/sender.js';
import { standardWebhookHeaders } from '../destinations/webhook-signing.js';
import { emailOf, webhookBody, type Notice } from './notices.js';

export type ChannelKind = 'webhook' | 'email';

/** A channel with its secret opened, as the notifier sends to it. */
export interface OpenChannel {
  id: string;
  name: string;
  kind: ChannelKind;
  /** webhook: where to POST. */
  url?: string;
  /** email: the recipients. */
  to?: string[];
  /** webhook: its whsec_ signing secret. */
  secret: string | null;
}

export type SendOutcome = { ok: true; detail: string } | { ok: false; error: string };

/** Where email goes out: the SMTP server (SMTP_URL, credentials in it) and the sender's address. */
export interface SmtpSettings {
  url: string;
  from: string;
}

/** How long one notice may take to reach one channel. */
export const SEND_TIMEOUT_MS = 10_000;

/**
 * Sends a notice to a channel: a webhook through the hub's sender (the OUTBOUND_ALLOW address
 * check, one deadline), signed with Standard Webhooks; an email through SMTP (nodemailer).
 * Never throws: what happened is the answer.
 */
export class Notifier {
  private transport: Transporter | null = null;

  constructor(
    private readonly deps: {
      sender: Pick<Sender, 'send'>;
      smtp: SmtpSettings | undefined;
      timeoutMs?: number;
    },
  ) {}

  private get timeoutMs(): number {
    return this.deps.timeoutMs ?? SEND_TIMEOUT_MS;
  }

  async send(channel: OpenChannel, notice: Notice): Promise<SendOutcome> {
    try {
      return channel.kind === 'webhook' ? await this.webhook(channel, notice) : await this.email(channel, notice);
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  private async webhook(channel: OpenChannel, notice: Notice): Promise<SendOutcome> {
    if (channel.url === undefined) return { ok: false, error: 'the channel has no URL' };
    const body = webhookBody(notice);
    const signature = channel.secret === null ? {} : standardWebhookHeaders(notice.id, Math.floor(notice.at / 1000), body, [channel.secret]);
    const result = await this.deps.sender.send(
      { url: channel.url, method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'postback-hub-alerts', ...signature }, body },
      { timeoutMs: this.timeoutMs, followRedirects: false },
    );
    if (!result.ok) return { ok: false, error: result.error };
    if (result.status < 200 || result.status >= 300) return { ok: false, error: `HTTP ${result.status}${result.excerpt === '' ? '' : `: ${result.excerpt.slice(0, 200)}`}` };
    return { ok: true, detail: `HTTP ${result.status}` };
  }

  private async email(channel: OpenChannel, notice: Notice): Promise<SendOutcome> {
    const smtp = this.deps.smtp;
    if (smtp === undefined) return { ok: false, error: 'SMTP_URL is not set on this hub process: email cannot be sent' };
    if (channel.to === undefined || channel.to.length === 0) return { ok: false, error: 'the channel has no recipients' };
    this.transport ??= nodemailer.createTransport({
      url: smtp.url,
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
    });
    const { subject, text } = emailOf(notice);
    const info = (await this.transport.sendMail({ from: smtp.from, to: channel.to, subject, text })) as { accepted?: unknown[]; response?: string };
    return { ok: true, detail: `accepted for ${(info.accepted ?? channel.to).length} recipient(s)` };
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
  }
}
