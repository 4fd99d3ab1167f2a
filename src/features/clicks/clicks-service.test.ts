import { describe, expect, it } from 'vitest';
import { newClickId } from './clicks-service.js';

describe('click ids', () => {
  it('are distinct, URL-safe, and sort by time', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => newClickId(1_795_000_000_000 + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(2000);
    expect(ids.every((id) => /^[a-z0-9]{8}[A-Za-z0-9_-]{16}$/.test(id))).toBe(true);
    const prefixes = ids.map((id) => id.slice(0, 8));
    expect([...prefixes].sort()).toEqual(prefixes);
  });
});
