import { reportFormats, type Plugin, type ReportDefinition, type ReportFormat } from '@plinth/sdk';
import type { TObject } from '@sinclair/typebox';
import { compileSchema } from '../http/validation.js';

/** A plugin's report, as the kernel finds it by name. */
export interface RegisteredReport {
  plugin: Plugin;
  definition: ReportDefinition<TObject, unknown, unknown>;
  /** The formats offered: the definition's, or all. */
  formats: readonly ReportFormat[];
}

const columnTypes = new Set(['text', 'integer', 'number', 'money', 'percent', 'date', 'datetime', 'boolean']);
const reportName = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Checks a plugin's reports when it loads, as routes and jobs are checked: `<plugin>.<kebab-name>`, each once, a
 * title, a permission of the plugin's (or core's), a params schema ajv compiles, known formats, and columns (at
 * least one, keys unique, known types). Calls `fail` (which throws, naming the plugin) on the first problem.
 */
export function checkReports(plugin: Plugin, fail: (field: string, problem: string) => never): void {
  const seen = new Set<string>();
  for (const report of plugin.reports ?? []) {
    const field = `report ${report?.name ?? '?'}`;
    const [owner, name, ...rest] = String(report?.name ?? '').split('.');
    if (owner !== plugin.name || !name || rest.length > 0 || !reportName.test(name)) fail(field, `must be named ${plugin.name}.<kebab-case name>`);
    if (seen.has(report.name)) fail(field, 'is declared twice');
    seen.add(report.name);
    if (!report.title?.trim()) fail(field, 'needs a title');
    const permission = report.permission?.name;
    if (!permission || (!permission.startsWith(`${plugin.name}.`) && !permission.startsWith('core.')))
      fail(field, `permission ${permission ?? '(none)'} must be one of the plugin's own`);
    if (typeof report.rows !== 'function') fail(field, 'needs rows()');
    if (report.count !== undefined && typeof report.count !== 'function') fail(field, 'count must be a function');
    if (report.check !== undefined && typeof report.check !== 'function') fail(field, 'check must be a function');
    if (report.params?.type !== 'object') fail(field, 'params must be a TypeBox object');
    try {
      compileSchema(report.params);
    } catch (error) {
      fail(field, `params cannot be compiled: ${(error as Error).message}`);
    }
    const formats = report.formats ?? reportFormats;
    if (formats.length === 0) fail(field, 'offers no format');
    for (const format of formats) if (!reportFormats.includes(format)) fail(field, `format ${String(format)} is not one of ${reportFormats.join(', ')}`);
    if (!Array.isArray(report.columns) || report.columns.length === 0) fail(field, 'needs at least one column');
    const keys = new Set<string>();
    for (const column of report.columns) {
      if (!column?.key || !column.label?.trim()) fail(field, 'every column needs a key and a label');
      if (keys.has(column.key)) fail(field, `column ${column.key} is declared twice`);
      keys.add(column.key);
      if (column.type !== undefined && !columnTypes.has(column.type)) fail(field, `column ${column.key} has unknown type ${column.type}`);
    }
  }
}

/** Every installed plugin's reports by name (plugins validated already: names are unique per plugin and prefixed by it). */
export function reportRegistry(plugins: readonly Plugin[]): ReadonlyMap<string, RegisteredReport> {
  const registry = new Map<string, RegisteredReport>();
  for (const plugin of plugins) {
    for (const definition of plugin.reports ?? []) registry.set(definition.name, { plugin, definition, formats: definition.formats ?? reportFormats });
  }
  return registry;
}

const registries = new WeakMap<readonly Plugin[], ReadonlyMap<string, RegisteredReport>>();

/** The registry of a plugin host's plugins, built once. */
export function reportsOf(plugins: readonly Plugin[]): ReadonlyMap<string, RegisteredReport> {
  let registry = registries.get(plugins);
  if (!registry) registries.set(plugins, (registry = reportRegistry(plugins)));
  return registry;
}
