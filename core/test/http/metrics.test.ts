import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

describe('GET /metrics', () => {
  it('serves Prometheus text with requests by route and status, durations and pool use', async () => {
    await t.request('GET', '/health');
    await t.request('GET', '/api/v1/not-a-route-42');
    const response = await t.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(response.body).toMatch(/plinth_http_requests_total\{method="GET",route="\/health",status="200"\} 1/);
    expect(response.body).toMatch(/plinth_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(response.body).toContain('plinth_http_request_duration_seconds_bucket');
    expect(response.body).toMatch(/plinth_db_pool_connections\{state="max"\} \d+/);
    expect(response.body).not.toContain('not-a-route-42');
  });
});
