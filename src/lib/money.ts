/**
 * Money is never a float. On the wire it is a decimal string ("2.10", "0.000012"); inside it
 * is an integer count of micro-units (1e-6 of the currency), exact for every amount (up to a billion units) a
 * partner sends with up to six decimals.
 */
export const MICROS_PER_UNIT = 1_000_000;

// Up to 18 decimals are read; more than 6 are finer than a micro-unit (see parseMicrosTruncating).
const DECIMAL = /^(-)?(\d{1,9})(?:\.(\d{1,18}))?$/;

/** "2.10" → 2_100_000; null when the text is not a decimal with at most six places. */
export function parseMicros(text: string): number | null {
  const parsed = parseMicrosTruncating(text);
  return parsed !== null && parsed.exact ? parsed.micros : null;
}

/**
 * A partner's amount that may be finer than a micro-unit (an estimate of "0.0000125" USD):
 * cut toward zero to whole micro-units, and says whether anything was cut. Null when the
 * text is not a decimal.
 */
export function parseMicrosTruncating(text: string): { micros: number; exact: boolean } | null {
  const match = DECIMAL.exec(text.trim());
  if (match === null) return null;
  const [, sign, whole, fraction = ''] = match;
  const micros = Number(whole) * MICROS_PER_UNIT + Number(fraction.slice(0, 6).padEnd(6, '0'));
  return { micros: sign === '-' && micros !== 0 ? -micros : micros, exact: fraction.length <= 6 };
}

/**
 * 2_100_000 → "2.10"; 12 → "0.000012"; 25_000_000 → "25.00". Exact, no exponent, and at
 * least two decimals: money as partners write it (MomentScience's payout is "2.10", not "2.1").
 */
export function formatMicros(micros: number | bigint): string {
  // Sums (a report's revenue) can pass 2^53 micro-units: they come as bigint, exact.
  if (typeof micros === 'number' && !Number.isSafeInteger(micros)) throw new RangeError(`not a whole number of micro-units: ${micros}`);
  const exact = BigInt(micros);
  const sign = exact < 0n ? '-' : '';
  const abs = exact < 0n ? -exact : exact;
  const whole = abs / BigInt(MICROS_PER_UNIT);
  const fraction = String(abs % BigInt(MICROS_PER_UNIT)).padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${sign}${whole}.${fraction}`;
}
