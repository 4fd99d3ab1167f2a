import { useMemo, useState } from 'react';
import { qs, type Stats } from '../api';
import { Chart, type Series } from '../components/Chart';
import { ErrorBox, Loading, Money, PageHeader } from '../components/ui';
import { duration, integer, money, percent } from '../format';
import { useApi } from '../hooks';
import { Link, useQueryState, useTicker } from '../router';

const RANGES = [
  { key: '15m', label: 'Last 15 minutes', ms: 15 * 60_000, bucket: 30 },
  { key: '1h', label: 'Last hour', ms: 3_600_000, bucket: 60 },
  { key: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000, bucket: 300 },
  { key: '24h', label: 'Last 24 hours', ms: 86_400_000, bucket: 900 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000, bucket: 3600 },
  { key: '30d', label: 'Last 30 days', ms: 30 * 86_400_000, bucket: 6 * 3600 },
] as const;

const COLORS = { accepted: '#1f9d55', duplicate: '#8a94a6', rejected: '#d64545', pending: '#d69e2e', delivering: '#3182ce', succeeded: '#1f9d55', failed: '#d64545', coins: '#6b46c1', reversed: '#dd6b20' };
const CURRENCY_COLORS = ['#2b6cb0', '#2f855a', '#b7791f', '#9b2c2c', '#553c9a'];

function bucketLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  return `${seconds / 3600} h`;
}

export function Overview() {
  const [query, setQuery] = useQueryState();
  const range = RANGES.find((r) => r.key === query.get('range')) ?? RANGES[1];
  const [live, setLive] = useState(true);
  const tick = useTicker(10_000, live);
  // Buckets aligned to their size, so that a refresh moves the window without reshuffling it.
  const path = useMemo(() => {
    const bucketMs = range.bucket * 1000;
    const from = Math.floor((Date.now() - range.ms) / bucketMs) * bucketMs;
    return `/stats${qs({ from: new Date(from).toISOString(), bucket: range.bucket })}`;
    // `tick` moves the window forward.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [range, tick]);
  const { data, error, loading, reload } = useApi<Stats>(path);

  return (
    <div className="overview">
      <PageHeader title="Overview">
        <label className="inline">
          <span>Range</span>
          <select value={range.key} onChange={(e) => setQuery({ range: e.target.value })}>
            {RANGES.map((r) => (
              <option key={r.key} value={r.key}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline checkbox">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live (every 10 s)
        </label>
        <button type="button" className="small" onClick={reload} disabled={loading}>
          Refresh
        </button>
      </PageHeader>
      <ErrorBox error={error} onRetry={reload} />
      {data === undefined ? loading && <Loading what="Loading the overview" /> : <OverviewBody stats={data} />}
    </div>
  );
}

function OverviewBody({ stats }: { stats: Stats }) {
  const { totals } = stats;
  const times = useMemo(() => stats.buckets.map((b) => Date.parse(b.start) / 1000), [stats]);
  const received = totals.accepted + totals.duplicate + totals.rejected;
  const currencies = Object.keys(totals.revenue).sort();
  const per = bucketLabel(stats.bucketSeconds);

  return (
    <>
      <section className="cards" aria-label="Totals for the range">
        <Card title="Postbacks received" value={integer(received)}>
          <span className="good-text">{integer(totals.accepted)} accepted</span> · {integer(totals.duplicate)} duplicate ·{' '}
          <Link to="/events?status=rejected" className="bad-text">
            {integer(totals.rejected)} rejected
          </Link>
        </Card>
        <Card title="Delivery success rate" value={percent(totals.successRate)}>
          {integer(totals.deliveries.succeeded)} succeeded · {integer(totals.deliveries.failed)} failed of {integer(Object.values(totals.deliveries).reduce((a, b) => a + b, 0))} created
        </Card>
        {/* Both count the same thing: a delivery whose time has come. One waiting for a later retry, or for its paused destination, is not due. */}
        <Card title="Oldest due delivery" value={duration(stats.oldestDueAgeSeconds)} tone={stats.oldestDueAgeSeconds !== null && stats.oldestDueAgeSeconds > 300 ? 'bad' : undefined}>
          Now: {integer(stats.backlog.due)} due · {integer(stats.backlog.scheduled)} retrying later
          {stats.backlog.parked > 0 && <> · {integer(stats.backlog.parked)} held by paused destinations</>} · {integer(stats.backlog.delivering)} sending ·{' '}
          <Link to="/history?state=failed">{integer(stats.backlog.failed)} failed</Link>
          {stats.pausedDestinations > 0 && (
            <>
              {' '}
              · <Link to="/destinations">{stats.pausedDestinations} paused destination(s)</Link>
            </>
          )}
        </Card>
        <Card title="Coins credited" value={integer(totals.coinsCredited)}>
          {integer(totals.coinsReversed)} taken back by reversals
        </Card>
        <Card title="Revenue" value={currencies.length === 0 ? '—' : <Money amount={totals.revenue[currencies[0]!]} currency={currencies[0]} />}>
          {currencies.length > 1
            ? currencies.slice(1).map((c, i) => (
                <span key={c}>
                  {i > 0 && ' · '}
                  <Money amount={totals.revenue[c]} currency={c} />
                </span>
              ))
            : 'of accepted postbacks'}
        </Card>
      </section>
      <OverviewCharts stats={stats} times={times} currencies={currencies} per={per} />
      <p className="hint">
        Times in your local time zone; buckets of {per}. Updated <time dateTime={stats.now}>{new Date(stats.now).toLocaleTimeString()}</time>.
      </p>
    </>
  );
}

/** The four charts: postbacks and deliveries as stacked bars, coins and revenue as lines. */
function OverviewCharts({ stats, times, currencies, per }: { stats: Stats; times: number[]; currencies: string[]; per: string }) {
  const { totals } = stats;
  const postbacks: Series[] = useMemo(
    () => (['accepted', 'duplicate', 'rejected'] as const).map((k) => ({ label: k, color: COLORS[k], values: stats.buckets.map((b) => b[k]) })),
    [stats],
  );
  const deliveries: Series[] = useMemo(
    () => (['succeeded', 'pending', 'delivering', 'failed'] as const).map((k) => ({ label: k, color: COLORS[k], values: stats.buckets.map((b) => b.deliveries[k]) })),
    [stats],
  );
  const coins: Series[] = useMemo(
    () => [
      { label: 'credited', color: COLORS.coins, values: stats.buckets.map((b) => b.coinsCredited) },
      { label: 'reversed', color: COLORS.reversed, values: stats.buckets.map((b) => b.coinsReversed) },
    ],
    [stats],
  );
  // Plotted as numbers (a chart needs them); every figure shown in text stays an exact decimal.
  const revenue: Series[] = useMemo(
    () => currencies.map((c, i) => ({ label: c, color: CURRENCY_COLORS[i % CURRENCY_COLORS.length]!, values: stats.buckets.map((b) => (b.revenue[c] === undefined ? 0 : Number(b.revenue[c]))) })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [stats, currencies.join(',')],
  );
  return (
    <section className="charts" aria-label="Charts">
      <Chart
        title={`Postbacks per ${per} by outcome`}
        times={times}
        series={postbacks}
        bars
        step={stats.bucketSeconds}
        summary={`${totals.accepted} accepted, ${totals.duplicate} duplicate, ${totals.rejected} rejected`}
        empty="No postbacks in this range."
      />
      <Chart
        title={`Deliveries created per ${per}, by state now`}
        times={times}
        series={deliveries}
        bars
        step={stats.bucketSeconds}
        summary={`${totals.deliveries.succeeded} succeeded, ${totals.deliveries.pending} pending, ${totals.deliveries.failed} failed`}
        empty="No deliveries in this range."
      />
      <Chart title={`Coins per ${per}`} times={times} series={coins} summary={`${totals.coinsCredited} credited, ${totals.coinsReversed} reversed`} empty="No coins credited or taken back in this range." />
      {/* Plotted as numbers, shown to the cent: the exact sums are in the card above. */}
      <Chart
        title={`Revenue per ${per}`}
        times={times}
        series={revenue}
        summary={currencies.map((c) => money(totals.revenue[c], c)).join(', ')}
        format={(v) => v.toFixed(2)}
        empty="No revenue in this range: no accepted postback carried an amount."
      />
    </section>
  );
}

function Card({ title, value, children, tone }: { title: string; value: React.ReactNode; children: React.ReactNode; tone?: 'bad' }) {
  return (
    <article className={`card${tone ? ` ${tone}` : ''}`}>
      <h2>{title}</h2>
      <p className="value">{value}</p>
      <p className="detail">{children}</p>
    </article>
  );
}
