// What a notice says: the Slack-compatible webhook body and the email. Pure.
import type { NoticeState } from './alerts-sql.js';

export interface Notice {
  /** The notice's id: the webhook-id a receiver dedupes retries by. */
  id: string;
  state: NoticeState;
  rule: string;
  subject: string;
  title: string;
  message: string;
  /** When the alert started firing. */
  startedAt: number;
  /** When this notice was made. */
  at: number;
  /** A test notice, sent from the admin API: it reports no alert. */
  test?: boolean;
}

const LABEL: Record<NoticeState, string> = { firing: 'FIRING', repeat: 'STILL FIRING', resolved: 'RESOLVED' };

/** A duration in words: 45 s, 12 min, 3 h 5 min, 2 d 4 h. */
export function lasted(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  return h % 24 === 0 ? `${Math.floor(h / 24)} d` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A time as a person reads it in a notice: `2026-12-01 10:00 UTC`. */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line, as Slack shows `text` and as an email's subject starts. */
export function headline(notice: Notice): string {
  if (notice.test === true) return `[TEST] ${notice.title}`;
  return `[${LABEL[notice.state]}] ${notice.title}`;
}

/** The notice's text: what, the numbers, since when. */
export function noticeText(notice: Notice): string {
  if (notice.test === true) return `${headline(notice)}: ${notice.message}`;
  const since = utc(notice.startedAt);
  switch (notice.state) {
    case 'firing':
      return `${headline(notice)}: ${notice.message}`;
    case 'repeat':
      return `${headline(notice)} (for ${lasted(notice.at - notice.startedAt)}, since ${since}): ${notice.message}`;
    case 'resolved':
      return `${headline(notice)} after ${lasted(notice.at - notice.startedAt)} (since ${since}); it was: ${notice.message}`;
  }
}

/**
 * The webhook's JSON body: `text` is what Slack (and Slack-compatible chats: Mattermost, Rocket.Chat,
 * Teams' Slack connector) show; `alert` is the same notice for a program.
 */
export function webhookBody(notice: Notice): string {
  return JSON.stringify({
    text: noticeText(notice),
    alert: {
      id: notice.id,
      state: notice.state,
      rule: notice.rule,
      subject: notice.subject,
      title: notice.title,
      message: notice.message,
      startedAt: new Date(notice.startedAt).toISOString(),
      at: new Date(notice.at).toISOString(),
      ...(notice.test === true ? { test: true } : {}),
    },
  });
}

export function emailOf(notice: Notice): { subject: string; text: string } {
  const lines = [
    noticeText(notice),
    '',
    `Rule: ${notice.rule}`,
    `Subject: ${notice.subject}`,
    `Started: ${utc(notice.startedAt)}`,
    `Notice: ${notice.id} at ${utc(notice.at)}`,
  ];
  return { subject: `[Postback Hub] ${headline(notice)}`, text: `${lines.join('\n')}\n` };
}
