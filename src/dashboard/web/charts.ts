// The two uPlot charts (canvas, bundled from npm): drop rate by day against the target line, and the
// re-join gap histogram. Charts are pictures only (aria-hidden); each view puts a real table beside them.
import uPlot from 'uplot';

export interface TrendPoint {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Drop rate in percent; null when the day had no eligible session. */
  rate: number | null;
}

const RATE_COLOUR = '#1f4e8c';
const TARGET_COLOUR = '#b3261e';
const BAR_COLOUR = '#2f6f4f';
const AXIS = { stroke: '#2b2b2b', grid: { stroke: '#e3e3e3', width: 1 }, ticks: { stroke: '#c8c8c8', width: 1 } };

/** Narrowest chart drawn: a 320 px window leaves about 230 px inside a panel (WCAG 1.4.10 reflow: no sideways scrolling). */
const MIN_WIDTH = 200;

/** The width of a chart in its container. */
function widthIn(container: HTMLElement): number {
  return Math.max(MIN_WIDTH, Math.floor(container.clientWidth));
}

/** Keeps a chart as wide as its container. */
function fit(chart: uPlot, container: HTMLElement, height: number): void {
  const observer = new ResizeObserver(() => {
    const width = widthIn(container);
    if (Math.abs(width - chart.width) > 1) chart.setSize({ width, height });
  });
  observer.observe(container);
}

function dayToSeconds(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

export function trendChart(container: HTMLElement, points: readonly TrendPoint[], targetPct: number): uPlot {
  const height = 260;
  const days = points.map((p) => dayToSeconds(p.day));
  const first = days[0] ?? Date.now() / 1000;
  const last = days[days.length - 1] ?? first;
  // Half a day of margin on both sides, where the target line is drawn too (so it shows for one day).
  const xs = [first - 43_200, ...days, last + 43_200];
  const rates = [null, ...points.map((p) => p.rate), null];
  const target = xs.map(() => targetPct);
  const maxRate = Math.max(targetPct, ...rates.map((r) => r ?? 0));
  const options: uPlot.Options = {
    width: widthIn(container),
    height,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: {
      x: { time: true, range: () => [first - 43_200, last + 43_200] },
      y: { range: () => [0, Math.max(1, Math.ceil(maxRate * 1.15))] },
    },
    series: [
      { label: 'Day (UTC)', value: (_u, v) => (v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10)) },
      {
        label: 'Drop rate',
        stroke: RATE_COLOUR,
        width: 2,
        spanGaps: false,
        points: { show: true, size: 9, fill: RATE_COLOUR },
        value: (_u, v) => (v == null ? 'no sessions' : `${v.toFixed(2)} %`),
      },
      {
        label: `Target ${targetPct} %`,
        stroke: TARGET_COLOUR,
        width: 1.5,
        dash: [6, 4],
        points: { show: false },
        value: () => `${targetPct} %`,
      },
    ],
    axes: [
      {
        ...AXIS,
        // One tick per day (UTC midnight), thinned to at most ~12 labels.
        splits: (_u, _axis, min, max) => {
          const step = 86_400 * Math.max(1, Math.ceil((max - min) / 86_400 / 12));
          const ticks: number[] = [];
          for (let t = Math.ceil(min / 86_400) * 86_400; t <= max; t += step) ticks.push(t);
          return ticks;
        },
        values: (_u, splits) => splits.map((v) => new Date(v * 1000).toISOString().slice(5, 10)),
      },
      { ...AXIS, label: 'Drop rate (%)', values: (_u, splits) => splits.map((v) => `${v} %`) },
    ],
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
  const chart = new uPlot(options, [xs, rates, target], container);
  fit(chart, container, height);
  return chart;
}

export function histogramChart(container: HTMLElement, labels: readonly string[], counts: readonly number[]): uPlot {
  const height = 240;
  const xs = labels.map((_l, i) => i);
  const bars = uPlot.paths.bars?.({ size: [0.7, 90] });
  const options: uPlot.Options = {
    width: widthIn(container),
    height,
    scales: {
      x: { time: false, range: () => [-0.5, labels.length - 0.5] },
      y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
    },
    series: [
      { label: 'Gap', value: (_u, v) => (v == null ? '' : (labels[v] ?? '')) },
      {
        label: 'Disconnections',
        stroke: BAR_COLOUR,
        fill: `${BAR_COLOUR}cc`,
        width: 1,
        paths: bars,
        points: { show: false },
      },
    ],
    axes: [
      { ...AXIS, splits: () => xs, values: (_u, splits) => splits.map((i) => labels[i] ?? ''), size: 40, gap: 4 },
      { ...AXIS, label: 'Disconnections' },
    ],
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
  const chart = new uPlot(options, [xs, [...counts]], container);
  fit(chart, container, height);
  return chart;
}
