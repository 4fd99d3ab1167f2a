import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import { StatsService } from './stats-service.js';
import type { HubStats, ReportRow, StatsBucket, StatsQuery } from './stats-types.js';

const NOW = 1_750_000_000_000;
const MIN = 60_000;

const bucket = (start: number, counts: Partial<StatsBucket> = {}): StatsBucket => ({
  start,
  accepted: 0,
  duplicate: 0,
  rejected: 0,
  coinsCredited: 0,
  coinsReversed: 0,
  revenueMicros: {},
  deliveries: { pending: 0, delivering: 0, succeeded: 0, failed: 0 },
  ...counts,
});

function service(stats: Omit<HubStats, 'buckets'> & { buckets?: StatsBucket[] }, rows: ReportRow[] = []) {
  const asked: StatsQuery[] = [];
  const store = {
    stats: (query: StatsQuery) => {
      asked.push(query);
      return Promise.resolve({ buckets: [], ...stats });
    },
    report: () => Promise.resolve(rows),
  };
  return { stats: new StatsService(store, { now: () => NOW }), asked };
}

const quiet = { backlog: { pending: 0, due: 0, scheduled: 0, parked: 0, delivering: 0, failed: 0 }, oldestDueAt: null, pausedDestinations: 0 };

describe('the overview', () => {
  it('defaults to the last hour by the minute', async () => {
    const { stats, asked } = service(quiet);
    expect(await stats.overview({})).toMatchObject({ from: NOW - 60 * MIN, to: NOW, bucketSeconds: 60, now: NOW, oldestDueAgeSeconds: null });
    expect(asked).toEqual([{ from: NOW - 60 * MIN, to: NOW, bucketMs: MIN, now: NOW }]);
  });

  it('sums the buckets exactly, with success rates, and ages the oldest due delivery', async () => {
    const buckets = [
      bucket(NOW - 2 * MIN, { accepted: 3, duplicate: 1, coinsCredited: 40, revenueMicros: { USD: 9_007_199_254_740_993n }, deliveries: { pending: 1, delivering: 0, succeeded: 3, failed: 1 } }),
      bucket(NOW - MIN, { accepted: 1, rejected: 2, coinsReversed: 10, revenueMicros: { USD: 7n, EUR: 1n } }),
    ];
    const { stats } = service({ ...quiet, buckets, oldestDueAt: NOW - 90_500, pausedDestinations: 2 });
    const overview = await stats.overview({ from: NOW - 2 * MIN, bucketSeconds: 60 });
    expect(overview.totals).toEqual({
      accepted: 4,
      duplicate: 1,
      rejected: 2,
      coinsCredited: 40,
      coinsReversed: 10,
      revenueMicros: { USD: 9_007_199_254_741_000n, EUR: 1n },
      deliveries: { pending: 1, delivering: 0, succeeded: 3, failed: 1 },
      successRate: 0.75,
    });
    expect(overview.buckets.map((b) => b.successRate)).toEqual([0.75, null]);
    expect(overview).toMatchObject({ oldestDueAgeSeconds: 90, pausedDestinations: 2 });
  });

  it('refuses an empty range, and one cut into more than 2000 buckets, naming the field', async () => {
    const { stats, asked } = service(quiet);
    await expect(stats.overview({ from: NOW, to: NOW })).rejects.toThrow(new ValidationError('from', 'must be before to'));
    await expect(stats.overview({ from: NOW - 2001 * 1000, bucketSeconds: 1 })).rejects.toMatchObject({ field: 'bucket' });
    await expect(stats.overview({ from: NOW - 2000 * 1000, bucketSeconds: 1 })).resolves.toBeDefined();
    expect(asked).toHaveLength(1);
  });
});

describe('reports', () => {
  it('adds the conversion rate, null without clicks, and refuses a range that ends before it starts', async () => {
    const rows: ReportRow[] = [
      { key: 'offer-1', clicks: 4, conversions: 2, attributed: 1, revenueMicros: {}, coins: 5 },
      { key: 'offer-2', clicks: 0, conversions: 1, attributed: 0, revenueMicros: { USD: 1n }, coins: 0 },
    ];
    const { stats } = service(quiet, rows);
    expect((await stats.report(NOW - MIN, NOW, 'offer')).map((r) => r.conversionRate)).toEqual([0.25, null]);
    await expect(stats.report(NOW, NOW, 'offer')).rejects.toMatchObject({ field: 'to', message: 'to must be after from' });
  });
});
