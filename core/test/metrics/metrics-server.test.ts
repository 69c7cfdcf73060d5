import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../src/metrics/metrics-server.js';
import { parseMetricsText } from '../../src/testing/index.js';

describe('the metrics listener of a process without HTTP (a worker)', () => {
  it('serves GET /metrics of its registry, 404 for anything else, and stops on close', async () => {
    const registry = new Registry();
    new Counter({ name: 'plinth_jobs_total', help: 'Jobs', labelNames: ['name'], registers: [registry] }).inc({ name: 'crm.campaign.send' }, 3);
    const server = await startMetricsServer(registry, { port: 0, host: '127.0.0.1' });
    try {
      const response = await fetch(`${server.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(parseMetricsText(await response.text()).value('plinth_jobs_total', { name: 'crm.campaign.send' })).toBe(3);
      expect((await fetch(`${server.url}/api/v1/me`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/metrics`)).rejects.toThrow();
  });
});
