/**
 * Plugin screens without plugin front-end code: the OpenAPI document says which operations a
 * resource has, their permissions and their parameter and body schemas.
 */
import { humanize } from '@plinth/sdk/text';
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
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
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

/**
 * What the console can do at a concrete API path of a plugin (`/crm/contacts` or `/crm/contacts/<id>`). A GET
 * without pagination under a record (`…/{id}/report`, `…/{id}/quiz`) is an item too: a view of its parent.
 */
export type Screen =
  | {
      kind: 'collection';
      apiPath: string;
      route: RouteTemplate;
      item?: RouteTemplate;
      exports: ItemAction[];
      /** Where a record created here is shown: `${createdAt}/<id>`, else `afterCreate`. */
      createdAt?: string;
      afterCreate: string;
      /** The record this collection belongs to (`/lms/courses/<id>` for `…/<id>/modules`). */
      parentPath?: string;
    }
  | {
      kind: 'item';
      apiPath: string;
      route: RouteTemplate;
      /** Where "back" goes: the list of such records, or the record a view belongs to. */
      collectionPath: string;
      /** A view of its parent record (`…/{id}/analytics`), not a record of a list. */
      singleton: boolean;
      children: Related[];
      actions: ItemAction[];
    }
  | { kind: 'none' };

/** A record's related screen: a list of its children, a view (report, analytics, quiz), or a form adding a child. */
export interface Related {
  label: string;
  path: string;
  kind: 'list' | 'view' | 'create';
}

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

const paginated = (operation: Operation | undefined) => (operation?.parameters ?? []).some((parameter) => parameter.name === 'page');

/** Whether an operation answers JSON (not a file, a page or a redirect). */
function answersJson(operation: Operation): boolean {
  const responses = Object.entries(operation.responses ?? {}).filter(([status]) => status.startsWith('2'));
  return responses.length === 0 || responses.some(([, response]) => !!response.content?.['application/json']);
}

/** The template of a plugin's top-level item route `/<plugin>/<name>/{…}` with a GET: where children created under a parent live. */
function flatItem(document: OpenApiDocument, plugin: string, name: string): string | undefined {
  const prefix = `${apiPrefix}/${plugin}/${name}/`;
  return Object.entries(document.paths).find(([template, operations]) => {
    const rest = template.slice(prefix.length);
    return template.startsWith(prefix) && isParam(rest) && !rest.includes('/') && operations.get;
  })?.[0];
}

/** Whether a plugin has records `name` at their own top-level route (`/<plugin>/<name>/{…}`), whatever they answer. */
function hasFlatRecords(document: OpenApiDocument, plugin: string, name: string): boolean {
  const prefix = `${apiPrefix}/${plugin}/${name}/`;
  return Object.keys(document.paths).some((template) => template.startsWith(prefix) && isParam(template.slice(prefix.length)));
}

/** Classifies a concrete API path (without `/api/v1`) as a collection, an item or nothing usable. */
export function screenFor(document: OpenApiDocument, apiPath: string): Screen {
  const route = matchTemplate(document, `${apiPrefix}${apiPath}`);
  if (!route) return { kind: 'none' };
  const parts = segments(route.template);
  const parentPath = apiPath.split('/').slice(0, -1).join('/');
  const parentRoute = matchTemplate(document, `${apiPrefix}${parentPath}`);
  const parentIsRecord = !!parentRoute && isParam(segments(parentRoute.template).slice(-1)[0] ?? '');
  if (!isParam(parts[parts.length - 1]!)) {
    const { get, post } = route.operations;
    if (get && !paginated(get) && !post && parentIsRecord && answersJson(get))
      return { kind: 'item', apiPath, route, collectionPath: parentPath, singleton: true, ...related(document, route.template, apiPath) };
    if (!get && !post) return { kind: 'none' };
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
    const item = itemRoute(document, route.template);
    const name = parts[parts.length - 1]!;
    const plugin = segments(apiPath)[0] ?? '';
    // A child created under a record may live at its own top-level route (`POST /courses/{id}/modules` → `/lms/modules/{id}`).
    const flat = item?.operations.get ? undefined : flatItem(document, plugin, name);
    const createdAt = item?.operations.get ? apiPath : flat ? `/${plugin}/${name}` : undefined;
    const parentHasPage = parentIsRecord && !!parentRoute?.operations.get;
    return {
      kind: 'collection',
      apiPath,
      route,
      exports,
      afterCreate: parentHasPage && !get ? parentPath : apiPath,
      ...optional('item', item),
      ...optional('createdAt', createdAt),
      ...optional('parentPath', parentIsRecord ? parentPath : undefined),
    };
  }
  return { kind: 'item', apiPath, route, collectionPath: parentPath, singleton: false, ...related(document, route.template, apiPath) };
}

/** The related screens and the actions of a record (or a view of one): what lives one segment below it. */
function related(document: OpenApiDocument, template: string, apiPath: string): { children: Related[]; actions: ItemAction[] } {
  const children: Related[] = [];
  const actions: ItemAction[] = [];
  const plugin = segments(apiPath)[0] ?? '';
  for (const [candidate, operations] of Object.entries(document.paths)) {
    const rest = candidate.startsWith(`${template}/`) ? segments(candidate.slice(template.length)) : [];
    if (rest.length !== 1 || isParam(rest[0]!)) continue;
    const name = rest[0]!;
    const path = `${apiPath}/${name}`;
    if (operations.get && paginated(operations.get)) children.push({ label: humanize(name), path, kind: 'list' });
    else if (operations.get && answersJson(operations.get) && !/\.(csv|pdf|html)$/.test(name)) children.push({ label: humanize(name), path, kind: 'view' });
    else if (operations.post && !operations.get && !operations.put) {
      // A POST that adds a child record living at its own route is a form to open; any other POST is an action.
      if (itemRoute(document, candidate) || hasFlatRecords(document, plugin, name)) children.push({ label: humanize(name), path, kind: 'create' });
      else actions.push({ label: humanize(name), apiPath: path, operation: operations.post });
    }
  }
  return { children, actions };
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

/** The JSON schema of an operation's success `data` (for a list: of its items). */
export function responseSchema(operation: Operation | undefined): JsonSchema | undefined {
  const success = Object.entries(operation?.responses ?? {}).find(([status]) => status.startsWith('2'))?.[1];
  const data = success?.content?.['application/json']?.schema?.properties?.data;
  return data?.type === 'array' ? data.items : data;
}

/** The query parameters of an operation. */
export function queryParameters(operation: Operation | undefined): Parameter[] {
  return (operation?.parameters ?? []).filter((parameter) => parameter.in === 'query');
}

/** `custom_fields` → `Custom fields` (the SDK's: plugins' translations are keyed by these words). */
export { humanize };

/** `{ [key]: value }` when value is defined, else `{}` (for exact optional properties). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
