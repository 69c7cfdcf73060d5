import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { pluginMetrics } from '../../src/metrics/plugin-metrics.js';
import { parseMetricsText } from '../../src/testing/index.js';

/** A fresh registry, the service of `plugin` on it and the warnings it logs. */
function setup(plugin = 'shop') {
  const registry = new Registry();
  const warnings: { msg: string; metric?: string; label?: string }[] = [];
  const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _encoding, done) => (warnings.push(JSON.parse(String(chunk))), done()) }));
  const read = async () => parseMetricsText(await registry.metrics());
  return { registry, metrics: pluginMetrics(registry, plugin, logger), warnings, read };
}

const orders = { help: 'Orders by status', labels: { status: ['placed', 'paid'] } };

describe('plugin metrics (coreServices.metrics)', () => {
  it('prefixes names with the plugin (hyphens as underscores) and records counters, gauges and histograms', async () => {
    const { metrics, read, registry } = setup('bio-sites');
    metrics.counter('visits_total', { help: 'Visits' }).inc();
    metrics.counter('visits_total', { help: 'Visits' }).inc(undefined, 2);
    const depth = metrics.gauge('queue_depth', { help: 'Waiting', labels: { queue: ['a', 'b'] } });
    depth.set(7, { queue: 'a' });
    depth.inc({ queue: 'a' });
    depth.dec({ queue: 'b' }, 2);
    const latency = metrics.histogram('render_seconds', { help: 'Render time', buckets: [0.1, 1] });
    latency.observe(0.05);
    latency.observe(0.5);
    const seconds = latency.startTimer()();
    expect(seconds).toBeGreaterThanOrEqual(0);
    const text = await read();
    expect(text.value('plinth_bio_sites_visits_total')).toBe(3);
    expect(text.value('plinth_bio_sites_queue_depth', { queue: 'a' })).toBe(8);
    expect(text.value('plinth_bio_sites_queue_depth', { queue: 'b' })).toBe(-2);
    expect(text.value('plinth_bio_sites_render_seconds_count')).toBe(3);
    expect(text.value('plinth_bio_sites_render_seconds_bucket', { le: '0.1' })).toBeGreaterThanOrEqual(1);
    expect(text.types.get('plinth_bio_sites_render_seconds')).toBe('histogram');
    expect(await registry.metrics()).toContain('# HELP plinth_bio_sites_visits_total Visits');
  });

  it('gets the same metric for the same declaration and refuses another declaration under the name, naming both', () => {
    const { metrics } = setup();
    const first = metrics.counter('orders_total', orders);
    expect(metrics.counter('orders_total', { help: 'Orders by status', labels: { status: ['placed', 'paid'] } })).toBe(first);
    expect(() => metrics.gauge('orders_total', orders)).toThrow('plugin `shop` metric `orders_total`: it is already a counter, not a gauge');
    expect(() => metrics.counter('orders_total', { ...orders, labels: { status: ['placed'] } })).toThrow(
      /already declared with labels status: \[placed, paid, other\]/,
    );
    expect(() => metrics.counter('orders_total', { ...orders, help: 'Something else' })).toThrow(/already declared with help "Orders by status"/);
    expect(() => metrics.histogram('latency', { help: 'x', buckets: [1, 2] }) && metrics.histogram('latency', { help: 'x', buckets: [1, 3] })).toThrow(
      /already declared with buckets \[1, 2\]/,
    );
  });

  it('takes labels in any order as one declaration, and types label names (a misspelt one does not compile)', async () => {
    const { metrics, read } = setup();
    const first = metrics.counter('sends_total', { help: 'Sends', labels: { channel: ['mail', 'sms'], outcome: ['sent', 'failed'] } });
    expect(metrics.counter('sends_total', { help: 'Sends', labels: { outcome: ['sent', 'failed'], channel: ['mail', 'sms'] } })).toBe(first);
    first.inc({ channel: 'sms', outcome: 'sent' });
    // @ts-expect-error -- `chanel` is not a label of this metric
    first.inc({ chanel: 'sms', outcome: 'sent' });
    const text = await read();
    expect(text.value('plinth_shop_sends_total', { channel: 'sms', outcome: 'sent' })).toBe(1);
    expect(text.value('plinth_shop_sends_total', { channel: 'other', outcome: 'sent' })).toBe(1);
  });

  it('refuses bad names, reserved and tenant labels, open-ended label lists and kernel names', () => {
    const { metrics, registry } = setup('http');
    const bad: [() => unknown, RegExp][] = [
      [() => metrics.counter('Orders', { help: 'x' }), /must match/],
      [() => metrics.counter('orders-total', { help: 'x' }), /must match/],
      [() => metrics.counter('ok_total', { help: '' }), /help/],
      [() => metrics.counter('ok_total', { help: 'x', labels: { tenant_id: ['a'] } }), /reserved \(no tenant labels/],
      [() => metrics.histogram('ok_seconds', { help: 'x', labels: { le: ['1'] } }), /reserved/],
      [() => metrics.counter('ok_total', { help: 'x', labels: { status: [] } }), /needs its list of values/],
      [() => metrics.counter('ok_total', { help: 'x', labels: { id: Array.from({ length: 51 }, (_, index) => `v${index}`) } }), /more than 50 values/],
      [() => metrics.counter('ok_total', { help: 'x', labels: { a: values(40), b: values(40) } }), /1681 series, more than 1000/],
      [() => metrics.histogram('ok_seconds', { help: 'x', buckets: [2, 1] }), /increasing/],
      [() => metrics.counter('ok_total', { help: 'x', buckets: [1] } as never), /only a histogram has buckets/],
    ];
    for (const [declare, message] of bad) expect(declare).toThrow(message);
    // `http` + `requests_total` would be the kernel's own request counter.
    new Counter({ name: 'plinth_http_requests_total', help: 'kernel', registers: [registry] });
    expect(() => metrics.counter('requests_total', { help: 'x' })).toThrow("plinth_http_requests_total is one of the kernel's metrics");
  });

  it('records a value outside its list as `other` (warning once), never throws while recording, and keeps plugins apart', async () => {
    const { metrics, read, warnings, registry } = setup();
    const counter = metrics.counter('orders_total', orders);
    counter.inc({ status: 'paid' });
    counter.inc({ status: 'tenant-42' });
    counter.inc({ status: 'someone@example.com' });
    counter.inc();
    counter.inc({ status: 'paid' }, -1);
    counter.inc({ status: 'paid' }, Number.NaN);
    const text = await read();
    expect(text.value('plinth_shop_orders_total', { status: 'paid' })).toBe(1);
    expect(text.value('plinth_shop_orders_total', { status: 'other' })).toBe(3);
    expect(text.samples.filter((sample) => sample.name === 'plinth_shop_orders_total')).toHaveLength(2);
    expect(JSON.stringify(text.samples)).not.toContain('example.com');
    expect(warnings.filter((line) => line.msg.includes('outside its declared list'))).toHaveLength(1);
    expect(warnings.filter((line) => line.msg.includes('not a finite non-negative'))).toHaveLength(1);
    // Another plugin on the same registry: its own prefix, and the shop's full name is not its to take.
    const logger = pino({ level: 'silent' });
    const lms = pluginMetrics(registry, 'lms', logger);
    lms.counter('orders_total', orders).inc({ status: 'paid' });
    expect((await read()).value('plinth_lms_orders_total')).toBe(1);
    expect(pluginMetrics(registry, 'shop', logger)).toBe(pluginMetrics(registry, 'shop', logger));
    // `shop-orders` + `total` and `shop` + `orders_total` are one full name: the first to declare it keeps it.
    expect(() => pluginMetrics(registry, 'shop-orders', logger).counter('total', { help: 'x' })).toThrow(
      "plugin `shop-orders` metric `total`: plinth_shop_orders_total is already plugin `shop`'s",
    );
  });
});

function values(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `v${index}`);
}
