import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
  values: Array<number | null>;
}

/** Bars take this share of their bucket's width, and never less than this many pixels. */
const BAR_SHARE = 0.8;
const MIN_BAR_PX = 3;
const MAX_BAR_PX = 48;

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const utcDay = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

/**
 * Running totals from the last series down: drawn in order, each bar covers the part of the one
 * before it that is its own, so the series stack (the first on top) while the legend keeps them
 * in order and reads their own values.
 */
function stacked(series: Series[]): Array<Array<number | null>> {
  const sums = series.map((s) => s.values.map((v) => v ?? 0));
  for (let i = sums.length - 2; i >= 0; i--) sums[i] = sums[i]!.map((v, j) => v + sums[i + 1]![j]!);
  return sums;
}

/**
 * A time-series chart (uPlot: small, fast, canvas). `times` are epoch seconds, one per bucket;
 * stacked bars when `bars`, else lines. Resizes with its frame. Until the pointer is over it, the
 * legend reads the latest bucket. With nothing but zeros it says `empty` instead of drawing an
 * empty grid. `summary` is what a screen reader hears.
 */
export function Chart({
  title,
  times,
  series,
  summary,
  empty,
  bars = false,
  height = 220,
  format,
  step = 60,
  days = false,
}: {
  title: string;
  times: number[];
  series: Series[];
  summary: string;
  empty: string;
  bars?: boolean;
  height?: number;
  format?: (v: number) => string;
  /** The bucket's size in seconds (bars are as wide as it, less a gap). */
  step?: number;
  /** Buckets are UTC days: the legend names the day. */
  days?: boolean;
}) {
  const frame = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // What the legend reads: the latest props, whenever uPlot asks.
  const latest = useRef({ times, series, format });
  latest.current = { times, series, format };
  const nothing = series.every((s) => s.values.every((v) => v === null || v === 0));
  const shape = `${bars}|${nothing}|${series.map((s) => `${s.label}:${s.color}`).join(',')}`;

  useEffect(() => {
    const element = frame.current;
    if (element === null) return;
    const options = chartOptions(element, { width: Math.max(200, element.clientWidth), height, bars, format, step, days, labels: series.map((s) => ({ label: s.label, color: s.color })) }, latest);
    const created = new uPlot(options, [[], ...series.map(() => [])] as uPlot.AlignedData, element);
    plot.current = created;
    const observer = new ResizeObserver(() => created.setSize({ width: Math.max(200, element.clientWidth), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      created.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its shape changes; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height, step, days]);

  useEffect(() => {
    const created = plot.current;
    if (created === null) return;
    created.setData([times, ...(bars ? stacked(series) : series.map((s) => s.values))] as uPlot.AlignedData);
    // Unless the pointer is over it, the legend reads the new latest bucket (uPlot asks only when the pointer moves).
    if (created.cursor.idx === null || created.cursor.idx === undefined) created.setLegend({ idx: null as unknown as number });
  }, [times, series, shape, bars]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {nothing ? (
        <div className="state empty chart-empty" role="img" aria-label={`${title}: ${empty}`}>
          {empty}
        </div>
      ) : (
        <div ref={frame} role="img" aria-label={`${title}: ${summary}`} />
      )}
    </figure>
  );
}

type Latest = { current: { times: number[]; series: Series[]; format: ((v: number) => string) | undefined } };

/** uPlot's options: axes in the page's colours, bars from the bucket count (at least MIN_BAR_PX), a legend that reads the latest bucket unless one is hovered. */
function chartOptions(
  element: HTMLElement,
  { width, height, bars, format, step, days, labels }: { width: number; height: number; bars: boolean; format: ((v: number) => string) | undefined; step: number; days: boolean; labels: Array<{ label: string; color: string }> },
  latest: Latest,
): uPlot.Options {
  const muted = getComputedStyle(element).getPropertyValue('--muted').trim() || '#5a6474';
  const text = getComputedStyle(element).getPropertyValue('--text').trim() || '#1a202c';
  const last = () => latest.current.times.length - 1;
  // Hovered: that bucket; otherwise the latest one.
  const at = (idx: number | null | undefined) => (idx === null || idx === undefined ? last() : idx);
  const show = (v: number | null | undefined) => (v === null || v === undefined ? '—' : latest.current.format ? latest.current.format(v) : v.toLocaleString('en-US'));
  const axis = { stroke: muted, font: '12px system-ui, sans-serif', ticks: { stroke: 'rgba(90,100,116,0.4)' }, grid: { stroke: 'rgba(127,127,127,0.15)' } };
return {
    width,
    height,
    // Room on the right for the last time label.
    padding: [12, 24, 0, 0],
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: {
        time: true,
        // Half a bucket either side, so that the first and last bars are whole.
        range: (_u, min, max) => (bars || min === max ? [min - step / 2, max + step / 2] : [min, max]),
      },
      y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max * 1.1)] },
    },
    axes: [
      { ...axis, stroke: text },
      { ...axis, stroke: text, size: 60, ...(format ? { values: (_u: uPlot, ticks: number[]) => ticks.map(format) } : {}) },
    ],
    series: [
      {
        label: 'Time',
        value: (_u, _v, _si, idx) => {
          const i = at(idx);
          const t = latest.current.times[i];
          if (t === undefined) return '—';
          const when = (days ? utcDay : new Date(t * 1000).toDateString() === new Date().toDateString() ? timeOfDay : dayAndTime).format(new Date(t * 1000));
          return idx === null || idx === undefined ? `${when} (latest)` : when;
        },
      },
      ...labels.map(
        (s, si): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: bars ? 0 : 2,
          fill: bars ? s.color : `${s.color}22`,
          points: { show: false },
          value: (_u, _v, _si, idx) => show(latest.current.series[si]?.values[at(idx)]),
          ...(bars ? { paths: uPlot.paths.bars!({ size: [BAR_SHARE, MAX_BAR_PX, MIN_BAR_PX], align: 0 }) } : {}),
        }),
      ),
    ],
  };
}
