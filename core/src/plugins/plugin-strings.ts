import { humanize, singular, type Plugin } from '@plinth/sdk';
import type { TSchema } from '@sinclair/typebox';

/** The parts of a JSON Schema the console turns into text. */
interface SchemaNode {
  title?: unknown;
  description?: unknown;
  enum?: unknown;
  const?: unknown;
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode | SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  additionalProperties?: unknown;
}

/** Query parameters the console handles itself (paging, sorting), never shown as a filter with their own label. */
const pagingParameters = new Set(['page', 'per_page', 'perPage', 'page_size', 'pageSize', 'limit', 'cursor']);

const isObject = (value: unknown): value is SchemaNode => typeof value === 'object' && value !== null && !Array.isArray(value);

interface WalkOptions {
  /** Properties left out (the query's paging). */
  skip?: ReadonlySet<string>;
  /** Whether descriptions count (help under inputs); not in responses, whose values only are shown. */
  descriptions?: boolean;
}

/** Adds the text a schema node can show: its title and description, its choices, and its properties' labels. */
function walkSchema(node: unknown, add: (text: unknown) => void, options: WalkOptions = {}): void {
  if (!isObject(node)) return;
  const { skip, descriptions = true } = options;
  const nested = { descriptions };
  add(node.title);
  if (descriptions) add(node.description);
  if (Array.isArray(node.enum)) for (const value of node.enum) if (typeof value === 'string') add(humanize(value));
  if (typeof node.const === 'string') add(humanize(node.const));
  for (const variant of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) walkSchema(variant, add, nested);
  const items = Array.isArray(node.items) ? node.items : node.items ? [node.items] : [];
  for (const item of items) walkSchema(item, add, nested);
  if (isObject(node.additionalProperties)) walkSchema(node.additionalProperties, add, nested);
  for (const [name, property] of Object.entries(node.properties ?? {})) {
    if (skip?.has(name)) continue;
    const label = isObject(property) && typeof property.title === 'string' ? property.title : humanize(name);
    add(label);
    // A list of records or files is shown as rows ("Variant 2", "Add variant"): its singular is shown too.
    if (isObject(property) && isArray(property)) add(singular(label));
    walkSchema(property, add, nested);
  }
}

/** Whether a schema (or its non-null variant) is an array. */
function isArray(node: SchemaNode): boolean {
  if (node.type === 'array') return true;
  return [...(node.anyOf ?? []), ...(node.oneOf ?? [])].some((variant) => isObject(variant) && variant.type === 'array');
}

/**
 * Every English text the web console can show for a plugin, from its definition: the keys its `translations`
 * need. Title and description; navigation and screen labels; permission descriptions; data uses; settings; and for each
 * route the console can reach (not public or root ones): its summary, the humanized literal path segments
 * (collection names, related lists and views, item actions) with the singular of each collection, and the
 * titles, descriptions, choices and humanized property names of its query, body and response schemas (nested
 * objects, array items, `anyOf` variants). Sorted, without duplicates.
 *
 * @example
 * ```ts
 * translatableStrings(shopPlugin); // ['Add to cart', 'Category', 'Compare at price', 'In stock', 'Products', …]
 * ```
 */
export function translatableStrings(plugin: Plugin): string[] {
  const strings = new Set<string>();
  const add = (text: unknown) => {
    if (typeof text === 'string' && text.trim()) strings.add(text);
  };
  add(plugin.title);
  add(plugin.description);
  for (const entry of plugin.navigation) add(entry.label);
  for (const screen of plugin.web?.screens ?? []) add(screen.label);
  for (const permission of Object.values(plugin.permissions)) add(permission.description);
  for (const use of Object.values(plugin.uses ?? {})) add(use.what);
  walkSchema(plugin.settings, add);
  const routes = plugin.routes.filter((route) => !route.public);
  // A literal segment followed by a parameter somewhere (`/products/:id`), or a paginated list: a collection.
  const collections = new Set<string>();
  for (const route of routes) {
    const parts = route.path.split('/').filter(Boolean);
    parts.forEach((part, index) => {
      if (!part.startsWith(':') && parts[index + 1]?.startsWith(':')) collections.add(part);
    });
    const last = parts[parts.length - 1];
    const query = route.schema?.query as SchemaNode | undefined;
    if (last && !last.startsWith(':') && route.method === 'GET' && query?.properties?.page) collections.add(last);
  }
  for (const route of routes) {
    add(route.summary);
    for (const part of route.path.split('/')) {
      if (!part || part.startsWith(':')) continue;
      add(humanize(part));
      if (collections.has(part)) add(singular(humanize(part)));
    }
    const schema = route.schema as { query?: TSchema; body?: TSchema; response?: TSchema } | undefined;
    walkSchema(schema?.query, add, { skip: pagingParameters });
    walkSchema(schema?.body, add);
    // Response descriptions are not shown today; they stay listed (catalogues were written against them).
    walkSchema(schema?.response, add);
  }
  // Inboxes, mails and preferences show the notifications; report forms and files the reports.
  for (const category of Object.values(plugin.notifications?.categories ?? {})) [category.label, category.description].forEach(add);
  for (const template of Object.values(plugin.notifications?.templates ?? {})) [template.title, template.body, template.short].forEach(add);
  for (const report of plugin.reports ?? []) {
    [report.title, report.description, ...report.columns.map((column) => column.label)].forEach(add);
    walkSchema(report.params, add);
  }
  return [...strings].sort((a, b) => a.localeCompare(b, 'en'));
}

/** The ICU placeholders of a message (`{number}`, `{final, select, …}` → `final,number`), sorted. */
function placeholders(message: string): string {
  return [...new Set([...message.matchAll(/\{(\w+)\s*[,}]/g)].map((match) => match[1]))].sort().join();
}

/**
 * The texts of the plugin's notification templates whose `language` translation has other `{placeholders}` than the
 * English (a renamed or dropped placeholder renders wrong): what a plugin's completeness test expects to be empty.
 */
export function placeholderMismatches(plugin: Plugin, language: string): string[] {
  const catalogue = plugin.translations?.[language] ?? {};
  const texts = Object.values(plugin.notifications?.templates ?? {}).flatMap((template) => [template.title, template.body, template.short ?? '']);
  return texts.filter((text) => catalogue[text] !== undefined && placeholders(text) !== placeholders(catalogue[text]));
}

/**
 * The texts of {@link translatableStrings} that the plugin's `translations` lack for `language` (`'ar'`): what a
 * plugin's completeness test expects to be empty.
 *
 * @example
 * ```ts
 * expect(missingTranslations(plugin, 'ar')).toEqual([]);
 * ```
 */
export function missingTranslations(plugin: Plugin, language: string): string[] {
  const catalogue = plugin.translations?.[language] ?? {};
  return translatableStrings(plugin).filter((text) => !catalogue[text]?.trim());
}
