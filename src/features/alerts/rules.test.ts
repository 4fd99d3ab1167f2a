import { describe, expect, it } from 'vitest';
import { emailOf, lasted, noticeText, webhookBody, type Notice } from './notices.js';
import { applyRulesChange, DEFAULT_RULES, evaluate, transitions, withDefaults, type AlertSnapshot, type FiringAlert, type RuleName } from './rules.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const MIN = 60_000;
const EMPTY: AlertSnapshot = { destinations: [], oldestDueAt: null, sourceTraffic: [], held: { count: 0, oldestAt: null } };
const snap = (part: Partial<AlertSnapshot>): AlertSnapshot => ({ ...EMPTY, ...part });
const destination = (over: Partial<AlertSnapshot['destinations'][number]> = {}) => ({ id: 'd1', name: 'Acme', consecutiveFailures: 0, pausedAt: null, pauseReason: null, ...over });

describe('evaluate', () => {
  it('finds nothing in a quiet hub', () => {
    expect(evaluate(DEFAULT_RULES, EMPTY, NOW)).toEqual([]);
  });

  it('fires destination_failing at the threshold of consecutive failures, per destination', () => {
    const found = evaluate(DEFAULT_RULES, snap({ destinations: [destination({ consecutiveFailures: 4 }), destination({ id: 'd2', name: 'Beta', consecutiveFailures: 5 })] }), NOW);
    expect(found).toEqual([{ rule: 'destination_failing', subject: 'd2', title: 'Destination "Beta" failing', message: '5 consecutive failed attempts (alert at 5)' }]);
    const stricter = applyRulesChange(DEFAULT_RULES, { destination_failing: { failures: 3 } });
    expect(evaluate(stricter, snap({ destinations: [destination({ consecutiveFailures: 4 })] }), NOW).map((f) => f.subject)).toEqual(['d1']);
  });

  it('fires destination_paused with the pause reason', () => {
    const [found] = evaluate(DEFAULT_RULES, snap({ destinations: [destination({ pausedAt: NOW - MIN, pauseReason: '410 Gone' })] }), NOW);
    expect(found).toMatchObject({ rule: 'destination_paused', subject: 'd1', title: 'Destination "Acme" paused' });
    expect(found!.message).toContain('410 Gone');
  });

  it('fires delivery_backlog once the oldest due delivery has waited the threshold', () => {
    expect(evaluate(DEFAULT_RULES, snap({ oldestDueAt: NOW - 10 * MIN + 1 }), NOW)).toEqual([]);
    expect(evaluate(DEFAULT_RULES, snap({ oldestDueAt: NOW - 10 * MIN }), NOW)).toEqual([
      { rule: 'delivery_backlog', subject: 'deliveries', title: 'Deliveries backing up', message: 'the oldest due delivery has waited 10 min (alert at 10 min)' },
    ]);
  });

  it('fires source_rejections above the rate with enough requests, naming the dominant reason', () => {
    const traffic = (accepted: number, unauthorized: number, unknownUser: number): AlertSnapshot['sourceTraffic'] => [
      { source: 'wall', outcome: 'accepted', reason: null, count: accepted, example: null },
      { source: 'wall', outcome: 'rejected', reason: 'unauthorized', count: unauthorized, example: 'signature does not match (digest md5 over template)' },
      { source: 'wall', outcome: 'rejected', reason: 'unknown_user', count: unknownUser, example: null },
    ];
    // 4 of 20 is exactly 20 %: not above.
    expect(evaluate(DEFAULT_RULES, snap({ sourceTraffic: traffic(16, 3, 1) }), NOW)).toEqual([]);
    // 5 of 19: above 20 %, but under the minimum of 20 requests.
    expect(evaluate(DEFAULT_RULES, snap({ sourceTraffic: traffic(14, 4, 1) }), NOW)).toEqual([]);
    const [found] = evaluate(DEFAULT_RULES, snap({ sourceTraffic: traffic(15, 4, 1) }), NOW);
    expect(found).toMatchObject({ rule: 'source_rejections', subject: 'wall', title: 'Source "wall" rejecting requests' });
    expect(found!.message).toBe(
      '5 of 20 requests rejected in the last 15 min (25 %, alert above 20 %); mostly authentication failed (bad signature or secret): 4 of 5 — e.g. "signature does not match (digest md5 over template)"',
    );
  });

  it('fires held_events with the count and the oldest', () => {
    expect(evaluate(DEFAULT_RULES, snap({ held: { count: 3, oldestAt: NOW - 125 * MIN } }), NOW)).toEqual([
      { rule: 'held_events', subject: 'review', title: 'Events waiting for review', message: '3 held events waiting longer than 60 min; the oldest for 125 min' },
    ]);
  });

  it('finds nothing for a rule turned off', () => {
    const off = applyRulesChange(DEFAULT_RULES, { destination_failing: { enabled: false }, held_events: { enabled: false } });
    expect(evaluate(off, snap({ destinations: [destination({ consecutiveFailures: 50 })], held: { count: 1, oldestAt: 0 } }), NOW)).toEqual([]);
  });
});

describe('the rules’ settings', () => {
  it('fills what a stored document lacks with the defaults, and changes only the fields given', () => {
    expect(withDefaults(null)).toEqual(DEFAULT_RULES);
    expect(withDefaults({ repeatMinutes: 5, delivery_backlog: { minutes: 3 } })).toEqual({ ...DEFAULT_RULES, repeatMinutes: 5, delivery_backlog: { enabled: true, minutes: 3 } });
    expect(applyRulesChange(DEFAULT_RULES, { source_rejections: { percent: 50 } }).source_rejections).toEqual({ enabled: true, percent: 50, windowMinutes: 15, minRequests: 20 });
  });
});

describe('transitions', () => {
  const finding = { rule: 'destination_failing' as const, subject: 'd1', title: 'Destination "Acme" failing', message: '5 consecutive failed attempts' };
  const alert = (over: Partial<FiringAlert> = {}): FiringAlert => ({ ...finding, startedAt: NOW - 90 * MIN, lastSentAt: NOW - 30 * MIN, ...over });
  const evaluated = new Set<RuleName>(['destination_failing']);
  const opts = { now: NOW, repeatMinutes: 60, evaluated };

  it('fires an alert that starts', () => {
    expect(transitions([finding], [], opts)).toEqual([{ kind: 'firing', finding }]);
  });

  it('repeats only once repeatMinutes have passed since the last notice', () => {
    expect(transitions([finding], [alert()], opts)).toEqual([]);
    expect(transitions([finding], [alert({ lastSentAt: NOW - 60 * MIN })], opts)).toEqual([{ kind: 'repeat', finding, startedAt: NOW - 90 * MIN }]);
  });

  it('resolves an alert no longer found, of the rules evaluated only', () => {
    expect(transitions([], [alert()], opts)).toEqual([{ kind: 'resolved', alert: alert() }]);
    expect(transitions([], [alert({ rule: 'store_unavailable', subject: 'store' })], opts)).toEqual([]);
  });

  it('takes a subject found twice once', () => {
    expect(transitions([finding, finding], [], opts)).toHaveLength(1);
  });
});

describe('notices', () => {
  const notice: Notice = { id: 'n1', state: 'firing', rule: 'delivery_backlog', subject: 'deliveries', title: 'Deliveries backing up', message: 'waited 12 min', startedAt: NOW - 75 * MIN, at: NOW };

  it('say what, since when, and how long it lasted', () => {
    expect(noticeText(notice)).toBe('[FIRING] Deliveries backing up: waited 12 min');
    expect(noticeText({ ...notice, state: 'repeat' })).toBe('[STILL FIRING] Deliveries backing up (for 1 h 15 min, since 2025-01-01 10:45 UTC): waited 12 min');
    expect(noticeText({ ...notice, state: 'resolved' })).toBe('[RESOLVED] Deliveries backing up after 1 h 15 min (since 2025-01-01 10:45 UTC); it was: waited 12 min');
  });

  it('make a Slack-compatible body whose text is the notice, and an email', () => {
    const body = JSON.parse(webhookBody(notice));
    expect(body.text).toBe(noticeText(notice));
    expect(body.alert).toEqual({ id: 'n1', state: 'firing', rule: 'delivery_backlog', subject: 'deliveries', title: 'Deliveries backing up', message: 'waited 12 min', startedAt: '2025-01-01T10:45:00.000Z', at: '2025-01-01T12:00:00.000Z' });
    const email = emailOf(notice);
    expect(email.subject).toBe('[Postback Hub] [FIRING] Deliveries backing up');
    expect(email.text).toContain('Rule: delivery_backlog');
  });

  it('tell durations in words', () => {
    expect([lasted(45_000), lasted(12 * MIN), lasted(120 * MIN), lasted(50 * 60 * MIN)]).toEqual(['45 s', '12 min', '2 h', '2 d 2 h']);
  });
});
