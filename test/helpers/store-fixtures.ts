import { newId } from '../../src/lib/ids.js';
import type { NewEvent, RecordEventCommand } from '../../src/features/conversions/events-types.js';
import { testEvent } from './events.js';
import type { TestStore } from './stores.js';

/** The instant every store test's records are made at, unless a test moves it. */
export const T0 = 1_750_000_000_000;

/** A reward-levels postback received at T0, changed as given. */
export const event = (overrides: Partial<NewEvent> = {}): NewEvent => testEvent({ source: 'reward-levels', type: 'level', receivedAt: T0, ...overrides });

/** A level postback for `my_game` in `cashgiraffe` (see seedRewardCatalog), crediting `coins` if any. */
export function levelCommand(userId: string, level: number, coins: number, extra: Partial<NewEvent> = {}): RecordEventCommand {
  return {
    event: event({ userId, offerId: 'my_game', appPid: 'cashgiraffe', level, externalId: `${userId}:my_game:${level}`, ...extra }),
    requires: { appPid: 'cashgiraffe', offerId: 'my_game', userId },
    credit: coins > 0 ? { ledgerEntryId: newId(), micros: coins * 1_000_000, kind: 'milestone' } : null,
  };
}

/** The app and the offer that levelCommand's postbacks require. */
export async function seedRewardCatalog(store: TestStore): Promise<void> {
  await store.createApp({ pid: 'cashgiraffe', name: 'Cash Giraffe', createdAt: T0 });
  await store.createOffer({ id: 'my_game', name: 'My Game', createdAt: T0 });
}
