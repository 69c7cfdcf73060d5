import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: { PLINTH_TRUST_PROXY: 'true', PLINTH_CORS_ORIGINS: 'https://app.example.com' } });
});
afterAll(() => t.close());

describe('security headers', () => {
  it('are on every response, errors included', async () => {
    for (const path of ['/health', '/api/v1/unknown']) {
      const { headers } = await t.request('GET', path);
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('x-frame-options')).toBe('DENY');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('add HSTS when the request came over TLS through a trusted proxy', async () => {
    const { headers } = await t.request('GET', '/health', { headers: { 'x-forwarded-proto': 'https' } });
    expect(headers.get('strict-transport-security')).toContain('max-age=');
  });
});

describe('CORS', () => {
  it('allows a configured origin, with a preflight', async () => {
    const preflight = await t.request('OPTIONS', '/api/v1/tenant', {
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,x-tenant' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Tenant');
  });

  it('gives no CORS grant to another origin', async () => {
    const response = await t.request('GET', '/health', { headers: { origin: 'https://evil.example.net' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
