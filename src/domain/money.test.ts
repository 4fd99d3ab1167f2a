import { describe, expect, it } from 'vitest';
import { formatMicros, parseMicros } from './money.js';

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

  it('keeps seed 000 revenue exactly through a round trip', () => {
    expect(formatMicros(parseMicros('0.000012')!)).toBe('0.000012');
    expect(formatMicros(parseMicros('2.10')!)).toBe('2.1');
    expect(formatMicros(-1_500_000)).toBe('-1.5');
  });

  it.each(['', 'abc', '1.2345678', '1e3', '0x10', '1,5', ' . ', '1000000000.00'])('rejects %j', (text) => {
    expect(parseMicros(text)).toBeNull();
  });
});
