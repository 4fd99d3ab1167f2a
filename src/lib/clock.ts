/** The only source of "now" for services, so tests can hold time still. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The start (epoch ms) of the UTC day `ms` falls in. */
export function startOfUtcDay(ms: number): number {
  return ms - (ms % 86_400_000);
}
