import bioSites from '@plinth/plugin-bio-sites';
import crm from '@plinth/plugin-crm';
import integrations from '@plinth/plugin-integrations';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

interface Operation {
  responses: Record<string, { description?: string; content?: Record<string, { schema?: Record<string, unknown> }>; 'x-error-codes'?: { code: string }[] }>;
  'x-rate-limit'?: unknown;
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

  it("lists each operation's error codes by status: the error envelope with `code` as an enum, each code described", () => {
    const codesOf = (operation: Operation) =>
      Object.fromEntries(
        Object.entries(operation.responses)
          .filter(([status, response]) => {
            if (!/^[45]\d\d$/.test(status)) return false;
            if (response.content?.['application/json']) return true;
            // A page's own HTML error page (a 410 for a used link): only root page routes answer one.
            expect(Object.keys(response.content ?? {})).toEqual(['text/html']);
            return false;
          })
          .map(([status, response]) => {
            const [envelope, narrowed] = response.content!['application/json']!.schema!.allOf as [unknown, { properties: { code: { enum: string[] } } }];
            expect(envelope).toEqual({ $ref: '#/components/schemas/Error' });
            for (const code of narrowed.properties.code.enum) expect(response.description).toContain(`\`${code}\`: `);
            expect(response['x-error-codes']!.map(({ code }) => code)).toEqual(narrowed.properties.code.enum);
            return [status, narrowed.properties.code.enum];
          }),
      );
    const checkout = paths['/api/v1/shop/store/carts/{token}/checkout']!.post!;
    expect(codesOf(checkout)).toEqual({
      400: ['bad_request', 'tenant_required'],
      401: ['unauthenticated'],
      402: ['billing_suspended'],
      403: ['tenant_suspended'],
      404: ['not_found', 'plugin_not_enabled'],
      409: ['cart_closed', 'out_of_stock'],
      413: ['payload_too_large'],
      415: ['unsupported_media_type'],
      422: ['validation_failed'],
      429: ['rate_limited'],
      503: ['service_unavailable'],
    });
    expect(checkout['x-rate-limit']).toEqual({ per: 'ip', max: 30, windowSeconds: 600 });
    expect(checkout.responses.default!.description).toContain('internal_error');
    const search = paths['/api/v1/crm/contacts']!.get!;
    expect(codesOf(search)).toEqual({
      400: ['tenant_required'],
      401: ['unauthenticated'],
      402: ['billing_suspended'],
      403: ['forbidden', 'tenant_suspended'],
      404: ['plugin_not_enabled'],
      422: ['validation_failed'],
      429: ['rate_limited'],
      503: ['service_unavailable'],
    });
    expect(search['x-rate-limit']).toEqual({ per: 'principal', max: 300, windowSeconds: 60 });
    expect(codesOf(paths['/api/v1/payments/refunds']!.post!)[409]).toEqual(['conflict', 'not_refundable', 'refund_exceeds_captured']);
    expect(codesOf(paths['/api/v1/payments/refunds']!.post!)[503]).toEqual(['service_unavailable', 'provider_unavailable']);
    // Core routes list theirs too: what the kernel derives, then the codes they declare.
    expect(codesOf(paths['/api/v1/auth/login']!.post!)).toEqual({
      400: ['bad_request', 'passkey_invalid'],
      401: ['unauthenticated', 'otp_required', 'otp_invalid'],
      403: ['sso_required'],
      413: ['payload_too_large'],
      415: ['unsupported_media_type'],
      422: ['validation_failed'],
      429: ['rate_limited'],
      503: ['service_unavailable'],
    });
    expect(codesOf(paths['/api/v1/marketplace/{plugin}/enable']!.post!)[409]).toEqual(['dependency_not_enabled']);
    expect(codesOf(paths['/api/v1/tenant/domains/{id}/verify']!.post!)[409]).toEqual(['domain_not_verified']);
    for (const { operation } of operations()) codesOf(operation);
  });
});
