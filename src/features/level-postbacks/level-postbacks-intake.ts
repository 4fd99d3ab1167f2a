import { performance } from 'node:perf_hooks';
import { parseLevelPostback, type LevelPostback } from './level-postback.js';
import { milestoneCoins } from './milestones.js';
import type { Clock } from '../../lib/clock.js';
import {
  AppError,
  NotFoundError,
  StoreUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../lib/errors.js';
import { MICROS_PER_COIN } from '../ledger/carry.js';
import { newId } from '../../lib/ids.js';
import { bearerToken } from '../../lib/secrets.js';
import type { ApiSecretVerifier } from '../api-secrets/api-secrets-service.js';
import { newInboundEvent } from '../conversions/new-event.js';
import { headerValue, isJsonContentType, type InboundRequest, type Redactor } from '../conversions/raw-request.js';
import type { NewEvent, RecordEventCommand, RecordEventResult } from '../conversions/events-types.js';
import type { UserRecord } from '../ledger/ledger-types.js';
import type { EventsDal } from '../conversions/events-dal.js';

/** The source name under which the partner postback API (`POST /api/postback`) records its events. */
export const LEVEL_POSTBACK_SOURCE = 'reward-levels';

/** The partner postback API's response bodies, field for field. */
export type LevelPostbackAnswer =
  | {
      ok: true;
      awarded: boolean;
      milestone: boolean;
      pid: string;
      gid: string;
      game_id: string;
      level_number: number;
      coinDelta: number;
      user: { id: string; coins: number; appId: string | null; deviceId: string | null };
    }
  | { ok: true; awarded: false; duplicate: true; pid: string; gid: string; level_number: number; message: string };

export type PostbackOutcome = 'accepted' | 'duplicate' | 'rejected';

export interface LevelPostbackDeps {
  store: Pick<EventsDal, 'recordEvent' | 'recordRejection'>;
  secrets: Pick<ApiSecretVerifier, 'verify'>;
  /** The outbox rows for an accepted event (destinations that want it). */
  /** Attribution, fraud screening and deliveries, filled in before recording. */
  prepare?: (command: RecordEventCommand) => Promise<RecordEventCommand>;
  clock: Clock;
  rawBodyLimit: number;
  redactor: Redactor;
  /** Told of every outcome and how long it took to reach it, for metrics. */
  onOutcome?: (outcome: PostbackOutcome, seconds: number) => void;
}

/**
 * The partner postback API's level postback: authenticate with an API secret, validate, then
 * record the level in one transaction with its milestone credit. Every request leaves an event
 * row, whatever its outcome, so "why was my postback rejected?" has an answer in the events list.
 */
export class LevelPostbackIntake {
  constructor(private readonly deps: LevelPostbackDeps) {}

  async handle(request: InboundRequest): Promise<LevelPostbackAnswer> {
    const started = performance.now();
    const event = newInboundEvent(LEVEL_POSTBACK_SOURCE, 'level', request, this.deps.clock.now(), this.deps.rawBodyLimit, this.deps.redactor);
    try {
      const answer = await this.accept(request, event);
      this.deps.onOutcome?.('duplicate' in answer ? 'duplicate' : 'accepted', (performance.now() - started) / 1000);
      return answer;
    } catch (error) {
      // A 503 recorded nothing: it is not an outcome of the postback, the partner will retry.
      if (error instanceof AppError && !(error instanceof StoreUnavailableError)) {
        this.deps.onOutcome?.('rejected', (performance.now() - started) / 1000);
      }
      throw error;
    }
  }

  private async accept(request: InboundRequest, event: NewEvent): Promise<LevelPostbackAnswer> {
    const secret = bearerToken(headerValue(request, 'authorization')) ?? headerValue(request, 'x-reward-api-secret');
    if (secret === undefined || secret === '') {
      return this.reject(event, new UnauthorizedError('Missing API secret: send Authorization: Bearer <secret> or X-Reward-Api-Secret'), request);
    }
    const apiSecret = await this.deps.secrets.verify(secret);
    if (apiSecret === null) return this.reject(event, new UnauthorizedError('Invalid API secret'), request);
    event.metadata.apiSecretId = apiSecret.id;

    if (!isJsonContentType(headerValue(request, 'content-type'))) {
      return this.reject(event, new UnsupportedMediaTypeError('Content-Type must be application/json'));
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body?.toString('utf8') ?? '');
    } catch {
      return this.reject(event, new ValidationError('body', 'is not valid JSON', 'invalid_json'));
    }
    fillBestEffort(event, body);
    const parsed = parseLevelPostback(body);
    if (!parsed.ok) return this.reject(event, new ValidationError(parsed.problem.field, parsed.problem.message));

    return this.record(event, parsed.value);
  }

  private async record(event: NewEvent, postback: LevelPostback): Promise<LevelPostbackAnswer> {
    const { pid, uid, gid, level_number: level } = postback;
    const coins = milestoneCoins(level);
    Object.assign(event, { userId: uid, offerId: gid, appPid: pid, level, externalId: `${uid}:${gid}:${level}` });
    if (postback.reason !== undefined) event.metadata.reason = postback.reason;
    if (coins > 0) event.metadata.reward = `level ${level} milestone: ${coins} coins`;

    const command: RecordEventCommand = {
      event,
      requires: { appPid: pid, offerId: gid, userId: uid },
      credit: coins > 0 ? { ledgerEntryId: newId(), micros: coins * MICROS_PER_COIN, kind: 'milestone' } : null,
    };
    const result = await this.deps.store.recordEvent(this.deps.prepare === undefined ? command : await this.deps.prepare(command));
    return answer(postback, coins, result);
  }

  /** Records why the request was refused. `unparsed`: the body was not read yet. */
  private async reject(event: NewEvent, error: AppError, unparsed?: InboundRequest): Promise<never> {
    if (unparsed !== undefined) {
      // Unauthenticated input, kept only so the operator can find the rejection by user.
      try {
        fillBestEffort(event, JSON.parse(unparsed.body?.toString('utf8') ?? ''));
      } catch {
        // not JSON: nothing to fill in
      }
    }
    await this.deps.store.recordRejection(event, error.code, error.message);
    throw error;
  }

}

function answer(postback: LevelPostback, coins: number, result: RecordEventResult): LevelPostbackAnswer {
  const { pid, gid, level_number } = postback;
  switch (result.outcome) {
    case 'accepted':
      return {
        ok: true,
        awarded: coins > 0,
        milestone: coins > 0,
        pid,
        gid,
        game_id: gid,
        level_number,
        coinDelta: coins,
        user: publicUser(result.user, postback.uid),
      };
    case 'duplicate':
      return { ok: true, awarded: false, duplicate: true, pid, gid, level_number, message: 'Duplicate postback for this user, game, and level' };
    case 'rejected':
      switch (result.reason) {
        case 'unknown_app':
          throw new ValidationError('pid', `"${pid}" is not a registered store app`, 'unknown_pid');
        case 'unknown_offer':
          throw new ValidationError('gid', `"${gid}" is not in the reward games catalog`, 'unknown_gid');
        case 'unknown_user':
          throw new NotFoundError(`No user found for uid "${postback.uid}"`, 'uid', 'user_not_found');
        case 'original_not_found': // level postbacks are never reversals
          throw new Error('unexpected reversal outcome for a level postback');
      }
  }
}

function publicUser(user: UserRecord | null, uid: string) {
  if (user === null) throw new NotFoundError(`No user found for uid "${uid}"`, 'uid', 'user_not_found');
  return { id: user.id, coins: user.coins, appId: user.appId, deviceId: user.deviceId };
}

/** A rejected postback still says whose it was, when the body tells, so it can be found by user. */
function fillBestEffort(event: NewEvent, body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const b = body as Record<string, unknown>;
  const str = (...names: string[]) => names.map((n) => b[n]).find((v): v is string => typeof v === 'string') ?? null;
  event.appPid = str('pid');
  event.userId = str('uid', 'user_id', 'userId');
  event.offerId = str('gid', 'game_id', 'gameId');
}
