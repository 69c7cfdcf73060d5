/** The pure parts of the console's shared elements (`<plinth-chart>`, `<plinth-fields>`): shared/*.ts. */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../web/src/api.js';
import { fieldsOf } from '../web/src/fields/model.js';
import { chartConfig, chartData, translucent, type ChartLook } from '../web/src/shared/chart-model.js';
import { asApiError, pickFields } from '../web/src/shared/fields-model.js';

const look: ChartLook = {
  rtl: false,
  colors: ['#111111', '#222222'],
  text: '#333',
  grid: '#444',
  font: 'sans-serif',
  still: false,
  format: (value) => `#${value}`,
};

describe('plinth-chart', () => {
  it('takes a well-formed chart and refuses what chart.js cannot draw', () => {
    expect(chartData({ kind: 'pie', labels: [], series: [] })).toBeUndefined();
    expect(chartData(undefined)).toBeUndefined();
    expect(chartData({ kind: 'bar', labels: ['a', 2], series: [{ label: 'x', values: [1, Number.NaN] }], format: 'money', currency: 'EUR' })).toEqual({
      kind: 'bar',
      labels: ['a', '2'],
      series: [{ label: 'x', values: [1, 0] }],
      format: 'money',
      currency: 'EUR',
    });
    expect(chartData({ kind: 'line', labels: [], series: [], format: 'odd' })?.format).toBe('number');
  });

  it('draws one dataset per series in the given colours, formatting axis and tooltips', () => {
    const config = chartConfig(
      {
        kind: 'line',
        labels: ['Mon', 'Tue'],
        series: [
          { label: 'Views', values: [3, 5] },
          { label: 'Clicks', values: [1, 2] },
        ],
      },
      look,
    );
    expect(config.type).toBe('line');
    expect(config.data.datasets.map((set) => [set.label, set.data, set.borderColor])).toEqual([
      ['Views', [3, 5], '#111111'],
      ['Clicks', [1, 2], '#222222'],
    ]);
    const y = config.options?.scales?.y as { ticks: { callback(value: number): string }; position: string };
    expect(y.ticks.callback(1250)).toBe('#1250');
    expect(y.position).toBe('left');
    expect(config.options?.plugins?.legend?.display).toBe(true);
    expect(config.options?.animation).toEqual({ duration: 300 });
  });

  it('reverses the x axis right-to-left and does not animate for reduced motion', () => {
    const config = chartConfig({ kind: 'bar', labels: ['a'], series: [{ label: 'Orders', values: [1] }] }, { ...look, rtl: true, still: true });
    expect((config.options?.scales?.x as { reverse: boolean }).reverse).toBe(true);
    expect((config.options?.scales?.y as { position: string }).position).toBe('right');
    expect(config.options?.animation).toBe(false);
    expect(config.options?.plugins?.legend?.display).toBe(false);
  });

  it('fills under a line with a translucent colour', () => {
    expect(translucent('#2f5bd3')).toBe('#2f5bd333');
    expect(translucent('rgb(1 2 3)')).toBe('rgb(1 2 3)');
  });
});

describe('plinth-fields', () => {
  const fields = fieldsOf(
    { type: 'object', properties: { name: { type: 'string' }, price: { type: 'integer' }, notes: { type: 'string' } } },
    { currency: 'USD', timeZone: 'UTC' },
  );

  it('shows just `only`, in its order, ignoring unknown names', () => {
    expect(pickFields(fields, ['notes', 'missing', 'name']).map((field) => field.name)).toEqual(['notes', 'name']);
    expect(pickFields(fields, undefined).map((field) => field.name)).toEqual(['name', 'price', 'notes']);
  });

  it("takes a screen's own error of the API's shape as an ApiError, and leaves others be", () => {
    const own = asApiError({ status: 422, code: 'validation_failed', message: 'Invalid', errors: { price: ['too low'] } });
    expect(own).toBeInstanceOf(ApiError);
    expect((own as ApiError).errors).toEqual({ price: ['too low'] });
    const api = new ApiError(404, 'not_found', 'Gone');
    expect(asApiError(api)).toBe(api);
    const plain = new Error('network');
    expect(asApiError(plain)).toBe(plain);
  });
});
