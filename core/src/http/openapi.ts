import { documentedStatuses, statusKeyword } from './response-schemas.js';
import type { CoreRoute } from './route.js';
import { routeErrors } from './route-errors.js';
import { withColumnBounds } from './validation.js';

const errorEnvelope = {
  type: 'object',
  required: ['success', 'code', 'message', 'meta'],
  properties: {
    success: { const: false },
    code: { type: 'string' },
    message: { type: 'string' },
    errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    meta: { type: 'object', properties: { request_id: { type: 'string' } } },
  },
};

const pagination = {
  type: 'object',
  required: ['page', 'per_page', 'total', 'total_pages'],
  properties: { page: { type: 'integer' }, per_page: { type: 'integer' }, total: { type: 'integer' }, total_pages: { type: 'integer' } },
};

const reasons: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  301: 'Moved permanently',
  302: 'Found',
  303: 'See other',
  304: 'Not modified',
  307: 'Temporary redirect',
  308: 'Permanent redirect',
};

/** The success envelope around a route's `data`; lists may carry `meta.pagination`. */
function envelope(data: Record<string, unknown>): object {
  const meta = {
    type: 'object',
    required: ['request_id'],
    properties: { request_id: { type: 'string' }, ...(data.type === 'array' ? { pagination: { $ref: '#/components/schemas/Pagination' } } : {}) },
  };
  return { type: 'object', required: ['success', 'data', 'meta'], properties: { success: { const: true }, data, meta } };
}

/**
 * The route's success responses, from its response schema: the envelope with `data` under each documented status,
 * nothing for 204 and redirects, and the media type of bodies outside the envelope (`contentMediaType`).
 */
function successResponses(route: CoreRoute): Record<string, unknown> {
  const response = route.schema?.response;
  if (!response) return { '2XX': { description: 'Success envelope `{ success: true, data, meta }`' } };
  const { [statusKeyword]: _status, ...schema } = strip(response) as Record<string, unknown>;
  const mediaType = typeof schema.contentMediaType === 'string' ? schema.contentMediaType : undefined;
  const description = typeof schema.description === 'string' ? schema.description : undefined;
  const statuses = documentedStatuses(response);
  const responses: Record<string, unknown> = {};
  for (const status of statuses) {
    const reason = (statuses.length === 1 ? description : undefined) ?? reasons[status] ?? 'Success';
    if (status === 204 || status === 304 || (status >= 300 && status < 400)) {
      const redirect = status >= 300 && status !== 304;
      responses[status] = { description: reason, ...(redirect ? { headers: { Location: { schema: { type: 'string' } } } } : {}) };
    } else if (mediaType) {
      responses[status] = { description: reason, content: { [mediaType]: { schema } } };
    } else {
      responses[status] = {
        description: description ?? 'Success envelope `{ success: true, data, meta }`',
        content: { 'application/json': { schema: envelope(schema) } },
      };
    }
  }
  return responses;
}

/**
 * The route's error answers, one per status: the error envelope with `code` narrowed to the codes the route can
 * answer with that status, each described (`x-error-codes` holds them as data); `default` is `internal_error`.
 */
function errorResponses(route: CoreRoute): Record<string, unknown> {
  const byStatus = new Map<number, { code: string; description: string }[]>();
  for (const { code, status, description } of routeErrors(route)) {
    const list = byStatus.get(status);
    if (list) list.push({ code, description });
    else byStatus.set(status, [{ code, description }]);
  }
  const responses: Record<string, unknown> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const codes = byStatus.get(status)!;
    responses[status] = {
      description: codes.map(({ code, description }) => `\`${code}\`: ${description}`).join('; '),
      ...(status === 429 || status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } } : {}),
      content: {
        'application/json': {
          schema: { allOf: [{ $ref: '#/components/schemas/Error' }, { properties: { code: { enum: codes.map(({ code }) => code) } } }] },
        },
      },
      'x-error-codes': codes,
    };
  }
  responses.default = {
    description: '`internal_error`: an unexpected error, logged with the request id',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  return responses;
}

/**
 * Success-side and error-side responses by status. A page route documents its HTML error pages (`rawBody` with a
 * 4xx status) where the kernel may also answer the JSON error envelope (an unknown tenant, a rate limit): such a
 * status offers both media types.
 */
function mergeResponses(success: Record<string, unknown>, errors: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...success };
  for (const [status, response] of Object.entries(errors) as [string, { description: string; content: Record<string, unknown> }][]) {
    const page = success[status] as { description: string; content?: Record<string, unknown> } | undefined;
    merged[status] = page?.content
      ? { ...response, description: `${page.description}; ${response.description}`, content: { ...page.content, ...response.content } }
      : response;
  }
  return merged;
}

function bodyContent(route: CoreRoute): Record<string, { schema: unknown }> {
  const schema = strip(withColumnBounds(route.schema!.body!));
  return Object.fromEntries((route.body?.types ?? ['application/json']).map((type) => [type, { schema }]));
}

/** OpenAPI 3.1 from the routes' own schemas: what the code validates is what the document says. */
export function openApiDocument(routes: readonly CoreRoute[], info: { version: string; serverUrl?: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `${route.root ? '' : '/api/v1'}${route.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
    const parameters = [
      ...propertiesOf(route.schema?.params).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      ...propertiesOf(route.schema?.query).map(([name, schema, required]) => ({ name, in: 'query', required, schema })),
    ];
    const tenantScoped = 'permission' in route.access || 'member' in route.access;
    if (tenantScoped)
      parameters.push({ name: 'X-Tenant', in: 'header', required: false, schema: { type: 'string', description: 'Tenant slug or id (or use the host name)' } });
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag ?? 'core'],
      ...('public' in route.access ? { security: [] } : {}),
      ...('permission' in route.access ? { 'x-permission': route.access.permission.name } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.schema?.body ? { requestBody: { required: true, content: bodyContent(route) } } : {}),
      ...(route.rateLimit ? { 'x-rate-limit': route.rateLimit } : {}),
      responses: mergeResponses(successResponses(route), errorResponses(route)),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Plinth API', version: info.version },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Error: errorEnvelope, Pagination: pagination },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An access token (JWT) or an API token (plt_…)' } },
    },
    security: [{ bearer: [] }],
  };
}

function propertiesOf(schema: object | undefined): [string, object, boolean][] {
  if (!schema) return [];
  const { properties = {}, required = [] } = withColumnBounds(schema) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(properties).map(([name, property]) => [name, strip(property), required.includes(name)]);
}

/** TypeBox schemas carry symbol keys; JSON keeps the rest. */
function strip(schema: object): object {
  return JSON.parse(JSON.stringify(schema)) as object;
}
