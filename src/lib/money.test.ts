import { describe, expect, it } from 'vitest';
import { formatMicros, parseMicros, parseMicrosTruncating } from './money.js';

describe('money as integer micro-units', () => {
  it.each([
    ['0.000012', 12],
    ['2.10', 2_100_000],
    ['100.00', 100_000_000],
    ['0', 0],
    ['-1.5', -1_500_000],
    ['999999999.999999', 999_999_999_999_999],
  ])('parses %s exactly', (text, micros) => {
    expect(parseMicros(text)).toBe(micros);
  });

  it('keeps Gamezop revenue exactly through a round trip', () => {
    expect(formatMicros(parseMicros('0.000012')!)).toBe('0.000012');
    expect(formatMicros(parseMicros('2.10')!)).toBe('2.10');
    expect(formatMicros(-1_500_000)).toBe('-1.50');
  });

  it('writes at least two decimals, as partners write money', () => {
    expect(formatMicros(25_000_000)).toBe('25.00');
    expect(formatMicros(10_500_000)).toBe('10.50');
    expect(formatMicros(0)).toBe('0.00');
    expect(formatMicros(1_234_567)).toBe('1.234567');
    expect(formatMicros(-12)).toBe('-0.000012');
    expect(formatMicros(10_000_000_073_009_990n)).toBe('10000000073.00999');
  });

  it.each(['', 'abc', '1.2345678', '1e3', '0x10', '1,5', ' . ', '1000000000.00'])('rejects %j', (text) => {
    expect(parseMicros(text)).toBeNull();
  });

  it('cuts an amount finer than a micro-unit toward zero, and says so', () => {
    expect(parseMicrosTruncating('0.0000125')).toEqual({ micros: 12, exact: false });
    expect(parseMicrosTruncating('-1.2345678')).toEqual({ micros: -1_234_567, exact: false });
    expect(parseMicrosTruncating('2.10')).toEqual({ micros: 2_100_000, exact: true });
    expect(parseMicrosTruncating('1e-5')).toBeNull();
    expect(parseMicrosTruncating('0.1234567890123456789')).toBeNull();
  });
});
