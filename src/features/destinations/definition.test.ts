import { describe, expect, it } from 'vitest';
import { wants } from './definition.js';

describe('which events a destination wants', () => {
  const event = { type: 'registration', source: 'platform', offerId: 'quest-50', partner: null };
  it('matches on every list given, and everything when none is', () => {
    expect(wants({ match: {} }, event)).toBe(true);
    expect(wants({ match: { eventTypes: ['registration', 'first_deposit'] } }, event)).toBe(true);
    expect(wants({ match: { eventTypes: ['deposit'] } }, event)).toBe(false);
    expect(wants({ match: { eventTypes: ['registration'], sources: ['gg3'] } }, event)).toBe(false);
    expect(wants({ match: { offers: ['quest-50'] } }, event)).toBe(true);
    expect(wants({ match: { offers: ['quest-50'] } }, { ...event, offerId: null })).toBe(false);
  });
});
