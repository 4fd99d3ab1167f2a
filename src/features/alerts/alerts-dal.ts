import { sql } from 'kysely';
import { crud } from '../../db/crud.js';
import { page, type ListOptions, type Page } from '../../db/paging.js';
import { parseJson, type AlertChannelsTable, type AlertHistoryTable } from '../../db/schema.js';
import { settingsDal } from '../../db/settings.js';
import { oldestDueAt } from '../delivery/deliveries-dal.js';
import type { HubDb } from '../procedures.js';
import type { ClaimArgs, NoticeState } from './alerts-sql.js';
import type { ChannelKind } from './channels.js';
import { withDefaults, type AlertRules, type AlertSnapshot, type FiringAlert, type RuleName } from './rules.js';

/** Per channel id: whether the notice reached it, when, and what was said. */
export type Outcomes = Record<string, { ok: boolean; at: number; detail: string }>;

export interface NoticeRecord {
  id: string;
  at: number;
  rule: string;
  subject: string;
  state: NoticeState;
  title: string;
  message: string;
  startedAt: number;
  /** Channels it has yet to reach. */
  pending: string[];
  outcomes: Outcomes;
}

export interface ChannelRecord {
  id: string;
  name: string;
  kind: ChannelKind;
  config: { url?: string; to?: string[] };
  secretCiphertext: string | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface HistoryFilter extends ListOptions {
  rule?: string;
  state?: NoticeState;
  from?: number;
  to?: number;
}

const RULES_KEY = 'alert_rules';
const PROBE_KEY = 'alert_probe';

function noticeFromRow(row: AlertHistoryTable): NoticeRecord {
  return {
    id: row.id,
    at: Number(row.at),
    rule: row.rule,
    subject: row.subject,
    state: row.state as NoticeState,
    title: row.title,
    message: row.message,
    startedAt: Number(row.started_at),
    pending: row.pending === null ? [] : parseJson<string[]>(row.pending),
    outcomes: parseJson<Outcomes>(row.outcomes),
  };
}

function channelFromRow(row: AlertChannelsTable): ChannelRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as ChannelKind,
    config: parseJson<ChannelRecord['config']>(row.config),
    secretCiphertext: row.secret_ciphertext,
    enabled: Number(row.enabled) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The alerts' reads (the rules' snapshot, what fires) and writes (claims, notices, channels, rules). */
export function alertsDal(db: HubDb) {
  const settings = settingsDal(db);
  return {
    async rules(): Promise<AlertRules> {
      return withDefaults(await settings.getSetting(RULES_KEY));
    },
    putRules: (rules: AlertRules, now: number) => settings.putSetting(RULES_KEY, rules, now),
    /** A real write (the store refusing writes is what store_unavailable is about): one small row, upserted. */
    probe: (now: number) => settings.putSetting(PROBE_KEY, { at: now }, now),
    snapshot: (rules: AlertRules, now: number) => readSnapshot(db, rules, now),
    ...alertStateDal(db),
    ...channelsDal(db),
  };
}

export type AlertsDal = ReturnType<typeof alertsDal>;

/** What the rules read, at `now`. */
function readSnapshot(db: HubDb, rules: AlertRules, now: number): Promise<AlertSnapshot> {
  return db.read(async (k) => {
    const destinations = await k
      .selectFrom('destinations')
      .select(['id', 'name', 'consecutive_failures', 'paused_at', 'pause_reason'])
      .where('enabled', '=', 1)
      .where((eb) => eb.or([eb('consecutive_failures', '>', 0), eb('paused_at', 'is not', null)]))
      .execute();
    const since = now - rules.source_rejections.windowMinutes * 60_000;
    const traffic = await k
      .selectFrom('events')
      .select((eb) => ['source', 'outcome', 'reason', eb.fn.countAll<number>().as('count'), eb.fn.max('detail').as('example')])
      .where('received_at', '>=', since)
      // An operator's test postbacks (refused on purpose, often) raise no alert.
      .where('test', '=', 0)
      .groupBy(['source', 'outcome', 'reason'])
      .execute();
    const heldBefore = now - rules.held_events.minutes * 60_000;
    const held = await k
      .selectFrom('events')
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('received_at').as('oldest')])
      .where('review', '=', 'held')
      .where('test', '=', 0)
      .where('received_at', '<=', heldBefore)
      .executeTakeFirst();
    return {
      destinations: destinations.map((d) => ({
        id: d.id,
        name: d.name,
        consecutiveFailures: Number(d.consecutive_failures),
        pausedAt: d.paused_at === null ? null : Number(d.paused_at),
        pauseReason: d.pause_reason,
      })),
      oldestDueAt: await oldestDueAt(k, now),
      sourceTraffic: traffic.map((t) => ({ source: t.source, outcome: t.outcome, reason: t.reason, count: Number(t.count), example: t.example ?? null })),
      held: { count: Number(held?.count ?? 0), oldestAt: held?.oldest === null || held?.oldest === undefined ? null : Number(held.oldest) },
    };
  });
}

/** What fires, its transitions (alerts-sql.ts) and the notices sent. */
function alertStateDal(db: HubDb) {
  return {
    /** Every alert firing now, as the store keeps it. */
    firing(): Promise<FiringAlert[]> {
      return db.read(async (k) => {
        const rows = await k.selectFrom('alert_state').selectAll().where('state', '=', 'firing').orderBy('started_at').execute();
        return rows.map((r) => ({ rule: r.rule as RuleName, subject: r.subject, title: r.title, message: r.message, startedAt: Number(r.started_at), lastSentAt: Number(r.last_sent_at) }));
      });
    },

    claim: (args: ClaimArgs) => db.run('claimAlerts', args),

    /**
     * Notices with channels still to reach whose turn has come (their sender's lease ran out, or a
     * send failed): taken for `leaseMs` by a conditional update, so one process retries each.
     */
    async takeRetries(now: number, leaseMs: number, limit = 20): Promise<NoticeRecord[]> {
      const [rows = []] = await db.execute([
        db.raw(
          `UPDATE alert_history SET retry_at = ?
           WHERE id IN (SELECT id FROM alert_history WHERE retry_at IS NOT NULL AND retry_at <= ? ORDER BY retry_at LIMIT ?) AND retry_at <= ?
           RETURNING *`,
          [now + leaseMs, now, limit, now],
        ),
      ]);
      return (rows as AlertHistoryTable[]).map(noticeFromRow).sort((a, b) => a.id.localeCompare(b.id));
    },

    /** What a send did: the channels left (retried from `retryAt`), each channel's outcome. */
    async settleNotice(id: string, pending: string[], retryAt: number | null, outcomes: Outcomes): Promise<void> {
      await db.execute([
        db.kysely
          .updateTable('alert_history')
          .set({ pending: pending.length === 0 ? null : JSON.stringify(pending), retry_at: pending.length === 0 ? null : retryAt, outcomes: JSON.stringify(outcomes) })
          .where('id', '=', id)
          .compile(),
      ]);
    },

    /** Notices sent while the store could not record them (store_unavailable), appended once it can. */
    async appendNotices(notices: NoticeRecord[], retryAt: number): Promise<void> {
      if (notices.length === 0) return;
      await db.execute(
        notices.map((n) =>
          db.kysely
            .insertInto('alert_history')
            .values({
              id: n.id,
              at: n.at,
              rule: n.rule,
              subject: n.subject,
              state: n.state,
              title: n.title,
              message: n.message,
              started_at: n.startedAt,
              pending: n.pending.length === 0 ? null : JSON.stringify(n.pending),
              retry_at: n.pending.length === 0 ? null : retryAt,
              outcomes: JSON.stringify(n.outcomes),
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .compile(),
        ),
      );
    },

    history(filter: HistoryFilter): Promise<Page<NoticeRecord>> {
      let query = db.kysely.selectFrom('alert_history').selectAll();
      if (filter.rule !== undefined) query = query.where('rule', '=', filter.rule);
      if (filter.state !== undefined) query = query.where('state', '=', filter.state);
      if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('at', '<', filter.to);
      return db.read(() => page(query, 'id', 'desc', filter, noticeFromRow));
    },
  };
}

/** Where notices go. */
function channelsDal(db: HubDb) {
  const channels = crud(db, { table: 'alert_channels', key: 'id', order: 'asc', fromRow: channelFromRow });
  return {
    listChannels: (options: ListOptions) => channels.list(options),
    async allChannels(): Promise<ChannelRecord[]> {
      return db.read(async (k) => (await k.selectFrom('alert_channels').selectAll().orderBy('id').execute()).map(channelFromRow));
    },
    getChannel: channels.get,
    insertChannel: (c: ChannelRecord) =>
      channels.insert({
        id: c.id,
        name: c.name,
        kind: c.kind,
        config: JSON.stringify(c.config),
        secret_ciphertext: c.secretCiphertext,
        enabled: c.enabled ? 1 : 0,
        created_at: c.createdAt,
        updated_at: c.updatedAt,
      }),
    updateChannel: (id: string, change: { name?: string; config?: ChannelRecord['config']; enabled?: boolean }, now: number) =>
      channels.update(id, {
        ...(change.name === undefined ? {} : { name: change.name }),
        ...(change.config === undefined ? {} : { config: JSON.stringify(change.config) }),
        ...(change.enabled === undefined ? {} : { enabled: change.enabled ? 1 : 0 }),
        updated_at: sql<number>`CASE WHEN updated_at < ${now} THEN ${now} ELSE updated_at + 1 END`,
      }),
    removeChannel: (id: string) => channels.remove(id),
  };
}
