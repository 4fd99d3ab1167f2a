/** The only source of "now" for services, so tests can hold time still. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
