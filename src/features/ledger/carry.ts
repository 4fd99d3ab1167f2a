/**
 * Exact rewards in micro-coins, whole coins in the ledger: each user's fraction of a coin per
 * source is carried to their next reward from it, so the coins credited are always the floor of
 * the exact sum, never less (100 rewards of 0.96 coin credit 96, not 0). Pure; the store keeps
 * the remainder (`reward_carry`) and applies this inside the recording transaction.
 */
export const MICROS_PER_COIN = 1_000_000;

/** The whole coins of an exact amount, rounded down (toward minus infinity for a take-back). */
export function wholeCoins(micros: number): number {
  return Math.floor(micros / MICROS_PER_COIN);
}

/** `micros` modulo one coin, from 0 to 999,999 whatever its sign. */
export function fractionOf(micros: number): number {
  return micros - wholeCoins(micros) * MICROS_PER_COIN;
}

/**
 * A reward (or a take-back: negative) added to what was carried: the whole coins it credits
 * now, and the remainder carried on. A take-back of a fraction borrows a coin when the
 * remainder is smaller, so credited coins stay the floor of the exact sum.
 */
export function carry(remainder: number, micros: number): { coins: number; remainder: number } {
  const total = remainder + micros;
  const coins = wholeCoins(total);
  return { coins, remainder: total - coins * MICROS_PER_COIN };
}

/** Micro-coins as a decimal coin amount ("0.96", "-1.5", "12"). */
export function formatCoins(micros: number | bigint): string {
  const exact = BigInt(micros);
  const abs = exact < 0n ? -exact : exact;
  const fraction = String(abs % BigInt(MICROS_PER_COIN)).padStart(6, '0').replace(/0+$/, '');
  return `${exact < 0n ? '-' : ''}${abs / BigInt(MICROS_PER_COIN)}${fraction === '' ? '' : `.${fraction}`}`;
}
