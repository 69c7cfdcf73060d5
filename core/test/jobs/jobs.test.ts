import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

let t: TestKernel;
const seen: { data: unknown; attempt: number }[] = [];
let failuresLeft = 1;
let resolveRetried!: () => void;
const retried = new Promise<void>((resolve) => (resolveRetried = resolve));

beforeAll(async () => {
  t = await createTestKernel({
    beforeStart(kernel) {
      const { jobs } = kernel.services;
      jobs.define<{ n: number }>('test.record', async (run) => {
        seen.push({ data: run.data, attempt: run.attempt });
      });
      jobs.define<{ n: number }>(
        'test.flaky',
        async (run) => {
          if (failuresLeft-- > 0) throw new Error('first attempt fails');
          seen.push({ data: run.data, attempt: run.attempt });
          resolveRetried();
        },
        { maxRetries: 2 },
      );
    },
  });
});
afterAll(() => t.close());

describe('jobs', () => {
  it('run an enqueued job once with its data', async () => {
    await t.kernel.services.jobs.enqueue('test.record', { n: 1 });
    await expect.poll(() => seen.filter((entry) => (entry.data as { n: number }).n === 1).length, { timeout: 15_000, interval: 20 }).toBe(1);
  });

  it('retry a failing job with backoff and count the failure in /metrics', async () => {
    await t.kernel.services.jobs.enqueue('test.flaky', { n: 2 });
    await retried;
    expect(seen.find((entry) => (entry.data as { n: number }).n === 2)?.attempt).toBe(2);
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.body).toMatch(/plinth_jobs_total\{name="test.flaky",outcome="failed"\} 1/);
    expect(metrics.body).toMatch(/plinth_jobs_total\{name="test.flaky",outcome="succeeded"\} 1/);
  });

  it('show as up in /health in a worker process', async () => {
    const response = await t.request('GET', '/health');
    expect(response.body.data.checks.jobs).toBe('up');
  });
});
