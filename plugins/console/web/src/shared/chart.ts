/**
 * `<plinth-chart>`' rendering: a canvas drawn by chart.js (this module is its own chunk, loaded with the first
 * chart), named by the element's `label`, in the console's language, direction and colours.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { formatBasisPoints, formatMoney, formatNumber } from '../format';
import { direction, onLanguageChange } from '../i18n';
import { currentSession } from '../session';
import { chartConfig, chartData, type ChartData } from './chart-model';
import type { SharedElement, SharedRenderer } from './define';

Chart.register(LineController, BarController, LineElement, BarElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

interface Drawn {
  chart: Chart<'line' | 'bar'> | undefined;
  canvas: HTMLCanvasElement;
  stopListening: () => void;
}

const drawn = new WeakMap<SharedElement, Drawn>();

/** The console's colours (styles.css `--chart-1`…, `--muted`, `--line`), read when drawing. */
function look(data: ChartData) {
  const style = getComputedStyle(document.documentElement);
  const variable = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const currency = data.currency ?? currentSession()?.tenant?.currency ?? 'USD';
  return {
    rtl: direction() === 'rtl',
    colors: [1, 2, 3, 4, 5].map((index) => variable(`--chart-${index}`, '#2f5bd3')),
    text: variable('--muted', '#5b6576'),
    grid: variable('--line', '#dde1e8'),
    font: getComputedStyle(document.body).fontFamily,
    still: window.matchMedia('(prefers-reduced-motion: reduce)').matches,
    format: (value: number) =>
      data.format === 'money' ? formatMoney(value, currency) : data.format === 'percent' ? formatBasisPoints(value) : formatNumber(value),
  };
}

export const chartRenderer: SharedRenderer = {
  render(host) {
    let state = drawn.get(host);
    if (!state) {
      const frame = document.createElement('div');
      frame.className = 'plinth-chart-frame';
      const canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      frame.append(canvas);
      host.replaceChildren(frame);
      // The axis direction and number format follow the language: drawn again when it changes.
      state = { chart: undefined, canvas, stopListening: onLanguageChange(() => chartRenderer.render(host)) };
      drawn.set(host, state);
    }
    state.canvas.setAttribute('aria-label', String(host.props.label ?? ''));
    state.chart?.destroy();
    state.chart = undefined;
    const data = chartData(host.props.chart);
    if (data) state.chart = new Chart(state.canvas, chartConfig(data, look(data)));
  },
  unmount(host) {
    const state = drawn.get(host);
    state?.chart?.destroy();
    state?.stopListening();
    drawn.delete(host);
    host.replaceChildren();
  },
};
