import { newId } from '../../src/lib/ids.js';
import type { NewEvent } from '../../src/store/store.js';

/** An event as an intake would hand it to the store: nothing known but what is given. */
export function testEvent(given: Partial<NewEvent> & Pick<NewEvent, 'source' | 'type' | 'receivedAt'>): NewEvent {
  return {
    id: newId(),
    externalId: null,
    userId: null,
    offerId: null,
    appPid: null,
    level: null,
    amountMicros: null,
    currency: null,
    clickId: null,
    metadata: {},
    raw: null,
    ...given,
  };
}
