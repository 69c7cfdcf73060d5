/**
 * Labels of a metric, each with the closed list of values it may take. A value outside its list is recorded as
 * `other` (and logged once), so an id or an email passed by mistake can never grow the number of series.
 *
 * @example
 * ```ts
 * { status: ['placed', 'paid', 'cancelled'] }
 * ```
 */
export type MetricLabels = Readonly<Record<string, readonly string[]>>;

/** The label values of one observation: a value per declared label (`other` stands in for a missing one). */
export type MetricLabelValues<L extends MetricLabels> = { readonly [K in keyof L]?: L[K][number] | (string & {}) };

/** What every metric declares: `help` (one line for `# HELP`) and its labels with their values. */
export interface MetricOptions<L extends MetricLabels> {
  help: string;
  /** At most 10 labels of at most 50 values each, at most 1000 series together; no tenant labels. */
  labels?: L;
}

export interface HistogramOptions<L extends MetricLabels> extends MetricOptions<L> {
  /** Upper bounds in the metric's unit, increasing (default: Prometheus' 5 ms … 10 s, for seconds). */
  buckets?: readonly number[];
}

/** A number that only goes up (orders placed, mails sent): graph its `rate()`. */
export interface PluginCounter<L extends MetricLabels> {
  /** Adds `by` (default 1, never negative) to the series of `labels`. */
  inc(labels?: MetricLabelValues<L>, by?: number): void;
}

/** A number that goes up and down (items in a queue, connections open). */
export interface PluginGauge<L extends MetricLabels> {
  set(value: number, labels?: MetricLabelValues<L>): void;
  inc(labels?: MetricLabelValues<L>, by?: number): void;
  dec(labels?: MetricLabelValues<L>, by?: number): void;
}

/** A distribution (durations, sizes) in buckets: graph quantiles with `histogram_quantile()`. */
export interface PluginHistogram<L extends MetricLabels> {
  observe(value: number, labels?: MetricLabelValues<L>): void;
  /** Starts timing; the function returned observes the seconds elapsed (and returns them). */
  startTimer(labels?: MetricLabelValues<L>): () => number;
}

/**
 * The plugin's own Prometheus metrics, served on the host's `GET /metrics` with every other. Names are
 * `^[a-z][a-z0-9_]*$` and get the prefix `plinth_<plugin>_` (hyphens as underscores): `orders_total` of `shop` is
 * `plinth_shop_orders_total`. Metrics are the process's, not a tenant's (there are no tenant labels).
 *
 * Each call gets or creates: the same name with the same declaration returns the same metric, so a handler may
 * declare what it records where it records it. The same name declared differently (another type, help, labels or
 * buckets) throws, naming the metric. A label value outside its declared list counts under `other`.
 *
 * @example
 * ```ts
 * deps.metrics.counter('orders_total', { help: 'Orders by status reached', labels: { status: ['placed', 'paid'] } }).inc({ status: 'paid' });
 * deps.metrics.histogram('delivery_seconds', { help: 'Delivery time', labels: { outcome: ['ok', 'failed'] } }).observe(0.2, { outcome: 'ok' });
 * deps.metrics.gauge('queue_depth', { help: 'Items waiting' }).set(12);
 * ```
 */
export interface PluginMetrics {
  counter<L extends MetricLabels = Record<never, never>>(name: string, options: MetricOptions<L>): PluginCounter<L>;
  gauge<L extends MetricLabels = Record<never, never>>(name: string, options: MetricOptions<L>): PluginGauge<L>;
  histogram<L extends MetricLabels = Record<never, never>>(name: string, options: HistogramOptions<L>): PluginHistogram<L>;
}
