/** One sample line of Prometheus text: `name{label="value",…} 12.5`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * What `GET /metrics` answered, parsed: the samples and the metric families (`# TYPE` lines), for tests to read
 * a metric's value rather than match text.
 *
 * @example
 * ```ts
 * const metrics = await t.metrics();
 * expect(metrics.value('plinth_shop_orders_total', { status: 'paid' })).toBe(1);
 * ```
 */
export interface MetricsSnapshot {
  samples: MetricSample[];
  /** Metric families by name, with their type (`counter`, `gauge`, `histogram`…). */
  types: ReadonlyMap<string, string>;
  /**
   * The sum of the samples named `name` whose labels include `labels` (0 when none matches): with no labels,
   * a counter's total over all its series.
   */
  value(name: string, labels?: Record<string, string>): number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses Prometheus text exposition format (what prom-client writes). */
export function parseMetricsText(text: string): MetricsSnapshot {
  const samples: MetricSample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (name && type) types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, label, value] of (match[2] ?? '').matchAll(labelPair)) {
      labels[label as string] = (value as string).replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return {
    samples,
    types,
    value(name, labels = {}) {
      return samples
        .filter((sample) => sample.name === name && Object.entries(labels).every(([label, value]) => sample.labels[label] === value))
        .reduce((sum, sample) => sum + sample.value, 0);
    },
  };
}
