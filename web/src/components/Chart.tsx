import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
  values: Array<number | null>;
}

/**
 * A time-series chart (uPlot: small, fast, canvas). `times` are epoch seconds, one per bucket;
 * bars when `bars`, else lines. Resizes with its frame. `summary` is what a screen reader hears.
 */
export function Chart({ title, times, series, summary, bars = false, height = 220, format }: { title: string; times: number[]; series: Series[]; summary: string; bars?: boolean; height?: number; format?: (v: number) => string }) {
  const frame = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = `${bars}|${series.map((s) => `${s.label}:${s.color}`).join(',')}`;

  useEffect(() => {
    const element = frame.current;
    if (element === null) return;
    const barPaths = uPlot.paths.bars?.({ size: [0.8 / Math.max(1, series.length), 64], align: 0 });
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max * 1.1)] } },
      axes: [
        { stroke: 'var(--muted)', grid: { stroke: 'rgba(127,127,127,0.15)' } },
        { stroke: 'var(--muted)', grid: { stroke: 'rgba(127,127,127,0.15)' }, size: 60, ...(format ? { values: (_u: uPlot, ticks: number[]) => ticks.map(format) } : {}) },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          fill: bars ? s.color : `${s.color}22`,
          points: { show: false },
          ...(bars && barPaths ? { paths: barPaths } : {}),
          ...(format ? { value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)) } : {}),
        })),
      ],
    };
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
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series, shape]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={frame} role="img" aria-label={`${title}: ${summary}`} />
    </figure>
  );
}
