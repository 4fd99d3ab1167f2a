/**
 * Money is never a float. On the wire it is a decimal string ("2.10", "0.000012"); inside it
 * is an integer count of micro-units (1e-6 of the currency), exact for every amount (up to a billion units) a
 * partner sends with up to six decimals.
 */
export const MICROS_PER_UNIT = 1_000_000;

const DECIMAL = /^(-)?(\d{1,9})(?:\.(\d{1,6}))?$/;

/** "2.10" → 2_100_000; null when the text is not a decimal with at most six places. */
export function parseMicros(text: string): number | null {
  const match = DECIMAL.exec(text.trim());
  if (match === null) return null;
  const [, sign, whole, fraction = ''] = match;
  const micros = Number(whole) * MICROS_PER_UNIT + Number(fraction.padEnd(6, '0'));
  return sign === '-' && micros !== 0 ? -micros : micros;
}

/** 2_100_000 → "2.1"; 12 → "0.000012". Shortest exact decimal, no exponent. */
export function formatMicros(micros: number): string {
  if (!Number.isSafeInteger(micros)) throw new RangeError(`not a whole number of micro-units: ${micros}`);
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS_PER_UNIT);
  const fraction = String(abs % MICROS_PER_UNIT).padStart(6, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}
