import { blankEvent } from '../../src/features/conversions/new-event.js';
import type { NewEvent } from '../../src/features/conversions/events-types.js';

/** An event as an intake would hand it to the store: nothing known but what is given. */
export function testEvent(given: Partial<NewEvent> & Pick<NewEvent, 'source' | 'type' | 'receivedAt'>): NewEvent {
  return { ...blankEvent(given.source, given.type, given.receivedAt), ...given };
}
