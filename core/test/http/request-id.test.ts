import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

describe('X-Request-Id', () => {
  it('is generated when the client sends none, and matches meta.request_id', async () => {
    const response = await t.request('GET', '/health');
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.meta.request_id).toBe(id);
  });

  it('echoes a well-formed id from the client', async () => {
    const response = await t.request('GET', '/no-such-route', { headers: { 'x-request-id': 'client-trace-0042' } });
    expect(response.headers.get('x-request-id')).toBe('client-trace-0042');
    expect(response.body.meta.request_id).toBe('client-trace-0042');
  });

  it('replaces a malformed id instead of echoing it', async () => {
    const response = await t.request('GET', '/health', { headers: { 'x-request-id': 'bad id <script>' } });
    expect(response.headers.get('x-request-id')).not.toContain('<');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
