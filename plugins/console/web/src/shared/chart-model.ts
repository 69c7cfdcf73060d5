/**
 * What `<plinth-chart>` draws, as a chart.js configuration (pure: tested in chart-model.web.test.ts). Values are
 * numbers, minor units of `currency` (`money`) or basis points (`percent`, 1250 = 12.5%), as `plinth.format`
 * takes them.
 */
import type { ChartConfiguration } from 'chart.js';

export interface ChartData {
  kind: 'line' | 'bar';
  labels: string[];
  series: { label: string; values: number[] }[];
  format?: 'number' | 'money' | 'percent';
  currency?: string;
}

export interface ChartLook {
  rtl: boolean;
  /** Series colours, in order (repeated when there are more series). */
  colors: string[];
  /** Colour of axis labels and grid lines. */
  text: string;
  grid: string;
  font: string;
  /** prefers-reduced-motion: no animation. */
  still: boolean;
  /** A value as the axis and tooltips show it. */
  format(value: number): string;
}

/** A chart property as given (from a plugin's code: checked, not trusted), or undefined when unusable. */
export function chartData(value: unknown): ChartData | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { kind, labels, series, format, currency } = value as Partial<ChartData>;
  if ((kind !== 'line' && kind !== 'bar') || !Array.isArray(labels) || !Array.isArray(series)) return undefined;
  return {
    kind,
    labels: labels.map(String),
    series: series
      .filter((item) => item && Array.isArray(item.values))
      .map((item) => ({ label: String(item.label ?? ''), values: item.values.map((number) => (Number.isFinite(number) ? Number(number) : 0)) })),
    format: format === 'money' || format === 'percent' ? format : 'number',
    ...(typeof currency === 'string' ? { currency } : {}),
  };
}

/** A `#rrggbb` colour at 20% opacity (the area under a line); other notations as they are. */
export function translucent(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}33` : color;
}

/** The chart.js configuration of a chart: one dataset per series, the x axis reversed right-to-left. */
export function chartConfig(chart: ChartData, look: ChartLook): ChartConfiguration<'line' | 'bar'> {
  const color = (index: number) => look.colors[index % Math.max(1, look.colors.length)] ?? '#2f5bd3';
  const font = { family: look.font };
  return {
    type: chart.kind,
    data: {
      labels: chart.labels,
      datasets: chart.series.map((series, index) => ({
        label: series.label,
        data: series.values,
        borderColor: color(index),
        backgroundColor: chart.kind === 'bar' ? color(index) : translucent(color(index)),
        pointBackgroundColor: color(index),
        borderWidth: 2,
        tension: 0.25,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: look.still ? false : { duration: 300 },
      interaction: { mode: 'index', intersect: false },
      // Room for the first and last labels of the x axis, centred under the chart's edges.
      layout: { padding: { left: 12, right: 12 } },
      scales: {
        x: { reverse: look.rtl, ticks: { color: look.text, font }, grid: { color: look.grid } },
        y: {
          beginAtZero: true,
          // Right-to-left, the value axis stands on the right, where the reversed x axis starts.
          position: look.rtl ? 'right' : 'left',
          // Values are whole: counts, minor units of money, basis points — never a tick between two of them.
          ticks: { precision: 0, color: look.text, font, callback: (value) => look.format(Number(value)) },
          grid: { color: look.grid },
        },
      },
      plugins: {
        legend: { display: chart.series.length > 1, rtl: look.rtl, labels: { color: look.text, font } },
        tooltip: {
          rtl: look.rtl,
          callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${look.format(Number(item.parsed.y))}` },
        },
      },
    },
  };
}
