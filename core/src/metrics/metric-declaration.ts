import type { HistogramOptions, MetricLabels } from '@plinth/sdk';
import { PluginMisuseError } from '../plugins/plugin-scope.js';

export type MetricKind = 'counter' | 'gauge' | 'histogram';

/** A plugin metric as declared, checked and in a canonical form (so that two declarations compare as text). */
export interface MetricDeclaration {
  kind: MetricKind;
  /** `plinth_<plugin>_<name>`. */
  fullName: string;
  help: string;
  /** Label names (sorted) with their allowed values, `other` included. */
  labels: [string, string[]][];
  buckets?: number[];
  /** The canonical text of all of the above: equal signatures, same metric. */
  signature: string;
}

/** What a plugin may declare: enough labels and values for any business breakdown, never a series per customer. */
export const metricLimits = { labels: 10, valuesPerLabel: 50, series: 1000, buckets: 30 } as const;

const namePattern = /^[a-z][a-z0-9_]*$/;
/** `le` and `quantile` belong to Prometheus; tenant labels would make a series per tenant. */
const reservedLabels = new Set(['le', 'quantile', 'tenant', 'tenant_id', 'tenant_slug']);
/** The value recorded for a label value outside its list (or missing). */
export const otherValue = 'other';

/** The prefix of a plugin's metric names: `plinth_bio_sites_` for `bio-sites`. */
export const metricPrefix = (plugin: string): string => `plinth_${plugin.replace(/-/g, '_')}_`;

/** Checks a declaration, throwing a {@link PluginMisuseError} that names the plugin and the metric. */
export function declareMetric(plugin: string, kind: MetricKind, name: string, options: HistogramOptions<MetricLabels>): MetricDeclaration {
  const fail = (why: string): never => {
    throw new PluginMisuseError(`plugin \`${plugin}\` metric \`${name}\`: ${why}`);
  };
  if (!namePattern.test(name)) fail('the name must match ^[a-z][a-z0-9_]*$');
  if (typeof options?.help !== 'string' || options.help.trim() === '') fail('`help` must say what it counts');
  // Sorted by name: label order means nothing to Prometheus, so it does not make two declarations differ.
  const labels = Object.entries(options.labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, values]): [string, string[]] => {
      if (!namePattern.test(label)) fail(`label \`${label}\` must match ^[a-z][a-z0-9_]*$`);
      if (reservedLabels.has(label)) fail(`label \`${label}\` is reserved (no tenant labels: metrics are the process's)`);
      if (!Array.isArray(values) || values.length === 0) fail(`label \`${label}\` needs its list of values`);
      if (values.some((value) => typeof value !== 'string' || value === '')) fail(`the values of label \`${label}\` must be non-empty strings`);
      const unique = [...new Set([...values, otherValue])];
      if (unique.length > metricLimits.valuesPerLabel + 1) fail(`label \`${label}\` has more than ${metricLimits.valuesPerLabel} values`);
      return [label, unique];
    });
  if (labels.length > metricLimits.labels) fail(`more than ${metricLimits.labels} labels`);
  const series = labels.reduce((product, [, values]) => product * values.length, 1);
  if (series > metricLimits.series) fail(`its labels allow ${series} series, more than ${metricLimits.series}`);
  const buckets = kind === 'histogram' && options.buckets ? checkBuckets(options.buckets, fail) : undefined;
  if (kind !== 'histogram' && options.buckets) fail('only a histogram has buckets');
  const fullName = metricPrefix(plugin) + name;
  const help = options.help.trim();
  return { kind, fullName, help, labels, ...(buckets ? { buckets } : {}), signature: JSON.stringify([kind, help, labels, buckets ?? null]) };
}

function checkBuckets(buckets: readonly number[], fail: (why: string) => never): number[] {
  if (!Array.isArray(buckets) || buckets.length === 0 || buckets.length > metricLimits.buckets) fail(`buckets must be 1 to ${metricLimits.buckets} numbers`);
  buckets.forEach((bound, index) => {
    if (!Number.isFinite(bound) || (index > 0 && bound <= (buckets[index - 1] as number))) fail('buckets must be finite and increasing');
  });
  return [...buckets];
}

/** What differs between two declarations of one name, for the error message. */
export function declarationDifference(existing: MetricDeclaration, asked: MetricDeclaration): string {
  if (existing.kind !== asked.kind) return `it is already a ${existing.kind}, not a ${asked.kind}`;
  if (existing.help !== asked.help) return `it is already declared with help "${existing.help}"`;
  if (JSON.stringify(existing.labels) !== JSON.stringify(asked.labels)) {
    return `it is already declared with labels ${existing.labels.map(([label, values]) => `${label}: [${values.join(', ')}]`).join('; ') || '(none)'}`;
  }
  return `it is already declared with buckets [${(existing.buckets ?? []).join(', ')}]`;
}
