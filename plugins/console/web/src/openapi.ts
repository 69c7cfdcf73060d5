/**
 * Plugin screens without plugin front-end code: the OpenAPI document says which operations a
 * resource has, their permissions and their parameter and body schemas.
 */
import type { JsonSchema } from './schema';

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  summary?: string;
  tags?: string[];
  'x-permission'?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface OpenApiDocument {
  paths: Record<string, Partial<Record<Method, Operation>>>;
}

const apiPrefix = '/api/v1';
let documentPromise: Promise<OpenApiDocument> | undefined;

/** The API's OpenAPI document, fetched once per page load (plugins are installed at boot). */
export function openApi(): Promise<OpenApiDocument> {
  documentPromise ??= fetch(`${apiPrefix}/openapi.json`, { headers: { accept: 'application/json' } }).then(async (response) => {
    if (!response.ok) throw new Error('The API description could not be loaded');
    return (await response.json()) as OpenApiDocument;
  });
  documentPromise.catch(() => (documentPromise = undefined));
  return documentPromise;
}

/** A route template of the document, e.g. `/api/v1/crm/contacts/{id}`, with its operations. */
export interface RouteTemplate {
  template: string;
  operations: Partial<Record<Method, Operation>>;
}

/** What the console can do at a concrete API path of a plugin (`/crm/contacts` or `/crm/contacts/<id>`). */
export type Screen =
  | { kind: 'collection'; apiPath: string; route: RouteTemplate; item?: RouteTemplate; exports: ItemAction[] }
  | { kind: 'item'; apiPath: string; route: RouteTemplate; collectionPath: string; children: { label: string; path: string }[]; actions: ItemAction[] }
  | { kind: 'none' };

/** A `POST …/{id}/<verb>` route shown as a button on the detail page. */
export interface ItemAction {
  label: string;
  apiPath: string;
  operation: Operation;
}

function segments(path: string): string[] {
  return path.split('/').filter(Boolean);
}

const isParam = (segment: string) => segment.startsWith('{') && segment.endsWith('}');

/** The template matching a concrete path best (literal segments beat parameters). */
export function matchTemplate(document: OpenApiDocument, concrete: string): RouteTemplate | undefined {
  const wanted = segments(concrete);
  let best: { route: RouteTemplate; literals: number } | undefined;
  for (const [template, operations] of Object.entries(document.paths)) {
    const parts = segments(template);
    if (parts.length !== wanted.length || !parts.every((part, index) => isParam(part) || part === wanted[index])) continue;
    const literals = parts.filter((part) => !isParam(part)).length;
    if (!best || literals > best.literals) best = { route: { template, operations }, literals };
  }
  return best?.route;
}

/** The item route under a collection template (`…/contacts/{id}`), if any. */
export function itemRoute(document: OpenApiDocument, collectionTemplate: string): RouteTemplate | undefined {
  const depth = segments(collectionTemplate).length + 1;
  for (const [template, operations] of Object.entries(document.paths)) {
    const parts = segments(template);
    if (parts.length === depth && template.startsWith(`${collectionTemplate}/`) && isParam(parts[depth - 1]!)) return { template, operations };
  }
  return undefined;
}

/** Classifies a concrete API path (without `/api/v1`) as a collection, an item or nothing usable. */
export function screenFor(document: OpenApiDocument, apiPath: string): Screen {
  const route = matchTemplate(document, `${apiPrefix}${apiPath}`);
  if (!route) return { kind: 'none' };
  const parts = segments(route.template);
  if (!isParam(parts[parts.length - 1]!)) {
    if (!route.operations.get && !route.operations.post) return { kind: 'none' };
    // `GET …/export` (or `…/csv`, `…/download`) beside the list: a file to download.
    const exports = Object.entries(document.paths)
      .filter(
        ([template, operations]) =>
          operations.get && /^\/(export|csv|download)$/.test(template.slice(route.template.length)) && template.startsWith(route.template),
      )
      .map(([template, operations]) => ({
        label: humanize(segments(template).slice(-1)[0]!),
        apiPath: `${apiPath}${template.slice(route.template.length)}`,
        operation: operations.get!,
      }));
    return { kind: 'collection', apiPath, route, exports, ...optional('item', itemRoute(document, route.template)) };
  }
  const children: { label: string; path: string }[] = [];
  const actions: ItemAction[] = [];
  for (const [template, operations] of Object.entries(document.paths)) {
    const rest = template.startsWith(`${route.template}/`) ? segments(template.slice(route.template.length)) : [];
    if (rest.length !== 1 || isParam(rest[0]!)) continue;
    const name = rest[0]!;
    if (operations.get && (operations.get.parameters ?? []).some((parameter) => parameter.name === 'page'))
      children.push({ label: humanize(name), path: `${apiPath}/${name}` });
    else if (operations.post && !operations.get) actions.push({ label: humanize(name), apiPath: `${apiPath}/${name}`, operation: operations.post });
  }
  return { kind: 'item', apiPath, route, collectionPath: apiPath.split('/').slice(0, -1).join('/'), children, actions };
}

/** List routes of a plugin (paginated `GET`s without path parameters): its menu when it declares no navigation. */
export function pluginCollections(document: OpenApiDocument, plugin: string): { label: string; path: string; permission?: string }[] {
  const prefix = `${apiPrefix}/${plugin}/`;
  return Object.entries(document.paths)
    .filter(([template, operations]) => template.startsWith(prefix) && !template.includes('{') && operations.get?.parameters?.some((p) => p.name === 'page'))
    .map(([template, operations]) => ({
      label: humanize(segments(template).slice(-1)[0]!),
      path: template.slice(prefix.length - 1),
      ...optional('permission', operations.get?.['x-permission']),
    }));
}

/** The JSON body schema of an operation. */
export function bodySchema(operation: Operation | undefined): JsonSchema | undefined {
  return operation?.requestBody?.content?.['application/json']?.schema;
}

/** The query parameters of an operation. */
export function queryParameters(operation: Operation | undefined): Parameter[] {
  return (operation?.parameters ?? []).filter((parameter) => parameter.in === 'query');
}

/** `custom_fields` → `Custom fields`. */
export function humanize(name: string): string {
  const words = name
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `{ [key]: value }` when value is defined, else `{}` (for exact optional properties). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
