import type { CoreRoute } from './route.js';

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

function bodyContent(route: CoreRoute): Record<string, { schema: unknown }> {
  const schema = strip(route.schema!.body!);
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
      ...('permission' in route.access ? { 'x-permission': route.access.permission } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.schema?.body ? { requestBody: { required: true, content: bodyContent(route) } } : {}),
      responses: {
        '2XX': { description: 'Success envelope `{ success: true, data, meta }`' },
        default: { description: 'Error envelope', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Plinth API', version: info.version },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Error: errorEnvelope },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An access token (JWT) or an API token (plt_…)' } },
    },
    security: [{ bearer: [] }],
  };
}

function propertiesOf(schema: object | undefined): [string, object, boolean][] {
  if (!schema) return [];
  const { properties = {}, required = [] } = schema as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(properties).map(([name, property]) => [name, strip(property), required.includes(name)]);
}

/** TypeBox schemas carry symbol keys; JSON keeps the rest. */
function strip(schema: object): object {
  return JSON.parse(JSON.stringify(schema)) as object;
}
