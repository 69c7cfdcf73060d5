import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { HistogramOptions, MetricLabels, MetricLabelValues, PluginCounter, PluginGauge, PluginHistogram, PluginMetrics } from '@plinth/sdk';
import type { Logger } from '../logger.js';
import { PluginMisuseError } from '../plugins/plugin-scope.js';
import { declarationDifference, declareMetric, otherValue, type MetricDeclaration, type MetricKind } from './metric-declaration.js';

type Labels = Record<string, string>;
type AnyLabels = MetricLabelValues<MetricLabels> | undefined;

/** One declared metric: its declaration, the plugin owning it and what records into it. */
interface Entry {
  plugin: string;
  declaration: MetricDeclaration;
  recorder: PluginCounter<MetricLabels> & PluginGauge<MetricLabels> & PluginHistogram<MetricLabels>;
}

/** Per kernel registry: the metrics plugins declared (by full name) and each plugin's service. */
interface RegistryState {
  entries: Map<string, Entry>;
  services: Map<string, PluginMetrics>;
}

const states = new WeakMap<Registry, RegistryState>();

/**
 * `coreServices.metrics` for one plugin: one instance per plugin and kernel registry (so resolving it per unit
 * of work costs a map lookup), whose metrics land in the kernel's registry under `plinth_<plugin>_`.
 */
export function pluginMetrics(registry: Registry, plugin: string, logger: Logger): PluginMetrics {
  let state = states.get(registry);
  if (!state) states.set(registry, (state = { entries: new Map(), services: new Map() }));
  let service = state.services.get(plugin);
  if (!service) {
    service = createPluginMetrics(registry, state.entries, plugin, logger.child({ plugin }));
    state.services.set(plugin, service);
  }
  return service;
}

function createPluginMetrics(registry: Registry, entries: Map<string, Entry>, plugin: string, logger: Logger): PluginMetrics {
  const getOrCreate = (kind: MetricKind, name: string, options: HistogramOptions<MetricLabels>) => {
    const declaration = declareMetric(plugin, kind, name, options);
    const existing = entries.get(declaration.fullName);
    if (existing) {
      if (existing.plugin !== plugin) {
        throw new PluginMisuseError(`plugin \`${plugin}\` metric \`${name}\`: ${declaration.fullName} is already plugin \`${existing.plugin}\`'s`);
      }
      if (existing.declaration.signature !== declaration.signature) {
        throw new PluginMisuseError(`plugin \`${plugin}\` metric \`${name}\`: ${declarationDifference(existing.declaration, declaration)}`);
      }
      return existing.recorder;
    }
    if (registry.getSingleMetric(declaration.fullName)) {
      throw new PluginMisuseError(`plugin \`${plugin}\` metric \`${name}\`: ${declaration.fullName} is one of the kernel's metrics`);
    }
    const recorder = createRecorder(registry, declaration, logger);
    entries.set(declaration.fullName, { plugin, declaration, recorder });
    return recorder;
  };
  return {
    counter: (name, options) => getOrCreate('counter', name, options),
    gauge: (name, options) => getOrCreate('gauge', name, options),
    histogram: (name, options) => getOrCreate('histogram', name, options),
  };
}

/**
 * The prom-client metric behind a declaration, and what records into it. Recording never throws: a metric is
 * not worth failing an order for, so a bad number or label is logged (once per metric and label) and dropped
 * or counted under `other`.
 */
function createRecorder(registry: Registry, declaration: MetricDeclaration, logger: Logger): Entry['recorder'] {
  const { fullName: name, help, labels } = declaration;
  const labelNames = labels.map(([label]) => label);
  const base = { name, help, labelNames, registers: [registry] };
  const metric =
    declaration.kind === 'counter'
      ? new Counter(base)
      : declaration.kind === 'gauge'
        ? new Gauge(base)
        : new Histogram({ ...base, ...(declaration.buckets ? { buckets: declaration.buckets } : {}) });
  const allowed = labels.map(([label, values]) => [label, new Set(values)] as const);
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string, details: object) => {
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn({ metric: name, ...details }, message);
  };
  /** Every declared label with an allowed value; `other` for a value outside the list or missing. */
  const bound = (given: AnyLabels): Labels => {
    const result: Labels = {};
    for (const [label, values] of allowed) {
      const value = given?.[label];
      if (value !== undefined && values.has(value)) result[label] = value;
      else {
        result[label] = otherValue;
        warnOnce(`value:${label}`, 'metric label value outside its declared list: recorded as `other`', { label, value: String(value).slice(0, 60) });
      }
    }
    for (const label of Object.keys(given ?? {})) {
      if (!(label in result)) warnOnce(`label:${label}`, 'metric label not declared: ignored', { label });
    }
    return result;
  };
  const number = (value: number, what: string, positive: boolean): boolean => {
    if (Number.isFinite(value) && (!positive || value >= 0)) return true;
    warnOnce(`number:${what}`, `metric ${what} ignored: not a finite${positive ? ' non-negative' : ''} number`, { value: String(value) });
    return false;
  };
  const counter = metric as Counter<string>;
  const gauge = metric as Gauge<string>;
  const histogram = metric as Histogram<string>;
  return {
    inc(labelValues, by = 1) {
      if (!number(by, 'increment', declaration.kind === 'counter')) return;
      if (declaration.kind === 'counter') counter.inc(bound(labelValues), by);
      else gauge.inc(bound(labelValues), by);
    },
    dec(labelValues, by = 1) {
      if (number(by, 'decrement', false)) gauge.dec(bound(labelValues), by);
    },
    set(value, labelValues) {
      if (number(value, 'value', false)) gauge.set(bound(labelValues), value);
    },
    observe(value, labelValues) {
      if (number(value, 'observation', false)) histogram.observe(bound(labelValues), value);
    },
    startTimer(labelValues) {
      const labelsNow = bound(labelValues);
      const started = performance.now();
      return () => {
        const seconds = (performance.now() - started) / 1000;
        histogram.observe(labelsNow, seconds);
        return seconds;
      };
    },
  };
}
