import { createColumnHelper, type Row } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { qs, type Report, type ReportDimension, type ReportRow } from '../api';
import { Chart, type Series } from '../components/Chart';
import { DataTable } from '../components/DataTable';
import { DateRange, rangeQuery } from '../components/DateRange';
import { Empty, ErrorBox, Field, Loading, Money, PageHeader } from '../components/ui';
import { decimalToMicros, integer, localTime, microsToDecimal, percent } from '../format';
import { useApi } from '../hooks';
import { Link, useQueryState } from '../router';

const column = createColumnHelper<ReportRow>();

type Dimension = { value: ReportDimension; label: string; header: string; none: string };

const DIMENSIONS: Dimension[] = [
  { value: 'offer', label: 'Offer', header: 'Offer', none: 'no offer' },
  { value: 'partner', label: 'Partner', header: 'Partner', none: 'no partner' },
  { value: 'day', label: 'Day (UTC)', header: 'Day (UTC)', none: '—' },
];

/** Amounts in different currencies are never added: each currency is summed and shown on its own, to the cent (exactly in its title). */
function RevenueText({ revenue }: { revenue: Record<string, string> }) {
  const currencies = Object.keys(revenue).sort();
  if (currencies.length === 0) return <>—</>;
  return (
    <>
      {currencies.map((c, i) => (
        <span key={c}>
          {i > 0 && ' · '}
          <Money amount={revenue[c]} currency={c} />
        </span>
      ))}
    </>
  );
}

const CURRENCY_COLORS = ['#2b6cb0', '#2f855a', '#b7791f', '#9b2c2c', '#553c9a'];
const DAY_S = 86_400;

/**
 * Conversions, and revenue in each currency, per UTC day: the days between the first and the last
 * with any (a week at least), those without counted as none (the report leaves them out).
 */
function DailyCharts({ rows }: { rows: ReportRow[] }) {
  const daily = useMemo(() => {
    const byDay = new Map(rows.filter((r) => r.key !== null).map((r) => [Date.parse(`${r.key}T00:00:00Z`) / 1000, r]));
    const known = [...byDay.keys()].sort((a, b) => a - b);
    const times: number[] = [];
    // A week at least (one bar alone reads as nothing), at most ~3 years (no longer read bar by bar).
    if (known.length > 0) for (let t = Math.max(Math.min(known[0]!, known.at(-1)! - 6 * DAY_S), known.at(-1)! - 1100 * DAY_S); t <= known.at(-1)!; t += DAY_S) times.push(t);
    const currencies = [...new Set(rows.flatMap((r) => Object.keys(r.revenue)))].sort();
    const of = (t: number) => byDay.get(t);
    const counts: Series[] = [{ label: 'conversions', color: '#1f9d55', values: times.map((t) => of(t)?.conversions ?? 0) }];
    // Plotted as numbers (a chart needs them); the table and the cards keep the exact decimals.
    const revenue: Series[] = currencies.map((c, i) => ({ label: c, color: CURRENCY_COLORS[i % CURRENCY_COLORS.length]!, values: times.map((t) => Number(of(t)?.revenue[c] ?? 0)) }));
    return { times, counts, revenue };
  }, [rows]);
  const conversions = daily.counts[0]!.values.reduce<number>((n, v) => n + (v ?? 0), 0);
  return (
    <section className="charts report-charts" aria-label="Per day">
      <Chart
        title="Conversions per day (UTC)"
        times={daily.times}
        series={daily.counts}
        bars
        step={DAY_S}
        days
        summary={`${conversions} conversions over ${daily.times.length} days`}
        empty="No conversion in this range."
      />
      {/* Bars for one currency; lines for several, which are never stacked: amounts in different currencies do not add up. */}
      <Chart
        title="Revenue per day (UTC)"
        times={daily.times}
        series={daily.revenue}
        bars={daily.revenue.length === 1}
        step={DAY_S}
        days
        summary={daily.revenue.map((s) => s.label).join(', ') || 'none'}
        format={(v) => v.toFixed(2)}
        empty="No revenue in this range."
      />
    </section>
  );
}

/** The report's columns: the key links to its events (except days); revenue sorts by the `primary` currency. */
function reportColumns(dimension: Dimension, from: string, to: string, primary: string | undefined) {
  const byRevenue = (a: Row<ReportRow>, b: Row<ReportRow>) => {
    const d = decimalToMicros(a.original.revenue[primary ?? ''] ?? '0') - decimalToMicros(b.original.revenue[primary ?? ''] ?? '0');
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  };
  const events = (key: string) => `/events${qs({ [dimension.value]: key, from, to })}`;
  return [
    column.accessor('key', {
      header: dimension.header,
      enableSorting: true,
      cell: (c) => {
        const key = c.getValue();
        if (key === null) return <span className="muted">{dimension.none}</span>;
        if (dimension.value === 'day') return <span className="mono nowrap">{key}</span>;
        return (
          <Link to={events(key)} className="mono nowrap" aria-label={`${key}: its events`}>
            {key}
          </Link>
        );
      },
    }),
    column.accessor('clicks', { header: 'Clicks', enableSorting: true, cell: (c) => <span className="num">{integer(c.getValue())}</span> }),
    column.accessor('conversions', { header: 'Conversions', enableSorting: true, cell: (c) => <span className="num">{integer(c.getValue())}</span> }),
    column.accessor('attributedConversions', { header: 'From clicks', enableSorting: true, cell: (c) => <span className="num">{integer(c.getValue())}</span> }),
    column.accessor('conversionRate', { header: 'Conversion rate', enableSorting: true, cell: (c) => <span className="num">{percent(c.getValue())}</span> }),
    column.accessor('revenue', { header: 'Revenue', enableSorting: true, sortingFn: byRevenue, cell: (c) => <RevenueText revenue={c.getValue()} /> }),
    column.accessor('coins', { header: 'Coins', enableSorting: true, cell: (c) => <span className="num">{integer(c.getValue())}</span> }),
  ];
}

/** The whole report's sums; the conversion rate counts only conversions that came from a click. */
function totalsOf(rows: ReportRow[]) {
  const clicks = rows.reduce((n, r) => n + r.clicks, 0);
  const conversions = rows.reduce((n, r) => n + r.conversions, 0);
  const attributed = rows.reduce((n, r) => n + r.attributedConversions, 0);
  return {
    clicks,
    conversions,
    rate: clicks === 0 ? null : attributed / clicks,
    revenue: sumByCurrency(rows.map((r) => r.revenue)),
    coins: rows.reduce((n, r) => n + r.coins, 0),
  };
}

/**
 * Clicks, conversions, conversion rate, revenue and coins by offer, partner or UTC day, over a
 * date range (open ends: since the beginning, up to now).
 */
export function Reports() {
  const [query, setQuery] = useQueryState();
  const dimension = DIMENSIONS.find((d) => d.value === query.get('by')) ?? DIMENSIONS[0]!;
  const filter = { from: query.get('from') ?? '', to: query.get('to') ?? '', by: dimension.value };
  const set = (next: Partial<typeof filter>) => setQuery({ ...filter, ...next });
  const [refreshed, setRefreshed] = useState(0);
  const path = useMemo(() => {
    const range = rangeQuery(filter);
    // The report wants both ends: an open start is the beginning, an open end is now (and a minute, for clocks apart).
    const from = range.from ?? new Date(0).toISOString();
    const to = range.to ?? new Date(Date.now() + 60_000).toISOString();
    return `/reports${qs({ from, to, by: filter.by })}`;
    // `refreshed` moves an open end to the new now.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter.from, filter.to, filter.by, refreshed]);
  const report = useApi<Report>(path);
  // The charts read the same range by day (the page's own report, when it is by day already).
  const dailyPath = filter.by === 'day' ? null : path.replace(/by=[a-z]+/, 'by=day');
  const dailyReport = useApi<Report>(dailyPath);
  const dailyRows = filter.by === 'day' ? report.data?.rows : dailyReport.data?.rows;
  const rows = useMemo(() => report.data?.rows ?? [], [report.data]);

  const totals = useMemo(() => totalsOf(rows), [rows]);

  // Revenue sorts by the first currency (alphabetically) of the whole report.
  const primary = Object.keys(totals.revenue).sort()[0];
  const columns = useMemo(() => reportColumns(dimension, filter.from, filter.to, primary), [dimension, filter.from, filter.to, primary]);

  return (
    <div>
      <PageHeader title="Reports">
        <button type="button" className="small" onClick={() => setRefreshed((n) => n + 1)} disabled={report.loading}>
          Refresh
        </button>
        <Link to="/fraud" className="button small">
          Fraud policy
        </Link>
      </PageHeader>
      <p className="lead">
        Clicks on tracking links and conversions (accepted events, less those rejected in review) by offer, partner or day; the conversion rate counts the conversions that came from a click. Revenue adds up the conversions’ amounts in each currency.
      </p>
      <div className="filters">
        <DateRange value={{ from: filter.from, to: filter.to }} onChange={(range) => set(range)} />
        <div className="filter-fields">
          <Field label="Group by">
            {(id) => (
              <select id={id} value={filter.by} onChange={(e) => set({ by: e.target.value as ReportDimension })}>
                {DIMENSIONS.map((d) => (
                  <option key={d.value} value={d.value}>
                    {d.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      </div>
      <ErrorBox error={report.error} onRetry={report.reload} />
      {report.loading && report.data === undefined ? (
        <Loading what="Loading the report" />
      ) : report.data === undefined ? null : (
        <>
          <p className="hint" aria-live="polite">
            {filter.from === '' ? 'Since the beginning' : `From ${localTime(report.data.from)}`} {filter.to === '' ? 'up to now' : `to ${localTime(report.data.to)}`}, by{' '}
            {dimension.label.toLowerCase()}: {rows.length} row{rows.length === 1 ? '' : 's'}.
          </p>
          <TotalCards totals={totals} />
          {dailyRows !== undefined && <DailyCharts rows={dailyRows} />}
          <DataTable
            caption={`Report by ${dimension.label.toLowerCase()}`}
            data={rows}
            columns={columns}
            rowKey={(r) => r.key ?? '(none)'}
            empty={<Empty>No click and no conversion in this range. Widen the date range, or give out a tracking link from the Catalog.</Empty>}
          />
        </>
      )}
    </div>
  );
}

function TotalCards({ totals }: { totals: ReturnType<typeof totalsOf> }) {
  return (
    <section className="cards" aria-label="Totals">
      <Total title="Clicks" value={integer(totals.clicks)} />
      <Total title="Conversions" value={integer(totals.conversions)} />
      <Total title="Conversion rate" value={percent(totals.rate)} />
      <Total title="Revenue" value={<RevenueText revenue={totals.revenue} />} />
      <Total title="Coins credited" value={integer(totals.coins)} />
    </section>
  );
}

function Total({ title, value }: { title: string; value: React.ReactNode }) {
  return (
    <div className="card">
      <h2>{title}</h2>
      <p className="value">{value}</p>
    </div>
  );
}

function sumByCurrency(revenues: ReadonlyArray<Record<string, string>>): Record<string, string> {
  const sums = new Map<string, bigint>();
  for (const revenue of revenues) for (const [currency, amount] of Object.entries(revenue)) sums.set(currency, (sums.get(currency) ?? 0n) + decimalToMicros(amount));
  return Object.fromEntries([...sums].map(([currency, micros]) => [currency, microsToDecimal(micros)]));
}
