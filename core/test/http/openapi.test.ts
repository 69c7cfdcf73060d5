import bioSites from '@plinth/plugin-bio-sites';
import crm from '@plinth/plugin-crm';
import integrations from '@plinth/plugin-integrations';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

interface Operation {
  responses: Record<string, { description?: string; content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

let t: TestKernel;
let paths: Record<string, Record<string, Operation>>;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [bioSites, crm, integrations, lms, payments, shop] });
  const served = await t.request('GET', '/api/v1/openapi.json');
  expect(served.status).toBe(200);
  paths = served.body.paths;
});
afterAll(() => t.close());

const operations = () =>
  Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ at: `${method.toUpperCase()} ${path}`, operation })),
  );

describe('the OpenAPI document', () => {
  it('gives every operation of core and the first-party plugins a success response with its schema', () => {
    expect(operations().length).toBeGreaterThan(250);
    const undocumented = operations()
      .filter(({ operation }) => {
        const successes = Object.entries(operation.responses).filter(([status]) => /^[23]\d\d$/.test(status));
        if (successes.length === 0) return true;
        // 204, 304 and redirects have no body; every other success names its media type and schema.
        return successes.some(
          ([status, response]) =>
            !/^(204|30\d)$/.test(status) && !Object.values(response.content ?? {}).some((media) => media.schema && Object.keys(media.schema).length > 0),
        );
      })
      .map(({ at }) => at);
    expect(undocumented).toEqual([]);
  });

  it('wraps JSON data in the success envelope, with pagination on lists', () => {
    const list = paths['/api/v1/crm/contacts']!.get!.responses['200']!.content!['application/json']!.schema!;
    expect(list).toMatchObject({
      required: ['success', 'data', 'meta'],
      properties: { success: { const: true }, data: { type: 'array' }, meta: { properties: { pagination: { $ref: '#/components/schemas/Pagination' } } } },
    });
    expect(paths['/api/v1/crm/contacts']!.post!.responses['201']!.content!['application/json']!.schema).toMatchObject({
      properties: { data: { type: 'object', properties: { id: { type: 'string' } } } },
    });
    expect(paths['/api/v1/crm/contacts/{id}']!.delete!.responses).toEqual(expect.objectContaining({ '204': { description: 'No content' } }));
  });

  it('names the media type of answers outside the envelope', () => {
    expect(Object.keys(paths['/api/v1/crm/contacts/export']!.get!.responses['200']!.content!)).toEqual(['text/csv']);
    expect(Object.keys(paths['/api/v1/me']!.get!.responses['200']!.content!)).toEqual(['application/json']);
  });
});
