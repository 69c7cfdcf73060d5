import { describe, expect, it } from 'vitest';
import { respond } from '../../src/index.js';
import { createTestKernel } from '../../src/testing/index.js';

describe('graceful shutdown', () => {
  it('finishes a request in flight, refuses new connections, then closes', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const t = await createTestKernel({
      beforeStart(kernel) {
        kernel.apiRouter.get('/test/slow', async (ctx) => {
          entered();
          await released;
          respond(ctx, { finished: true });
        });
      },
    });
    const inFlight = t.request('GET', '/api/v1/test/slow');
    await inHandler;
    let stopped = false;
    const stopping = t.kernel.stop().then(() => (stopped = true));

    await expect(fetch(`${t.url}/health`)).rejects.toThrow();
    expect(stopped).toBe(false);

    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ finished: true });
    await stopping;
    expect(stopped).toBe(true);
    await t.close();
  });

  it('cuts requests that outlive the shutdown timeout', async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const t = await createTestKernel({
      env: { PLINTH_SHUTDOWN_TIMEOUT_MS: '200' },
      beforeStart(kernel) {
        kernel.apiRouter.get('/test/forever', () => {
          entered();
          return new Promise(() => undefined);
        });
      },
    });
    const hanging = t.request('GET', '/api/v1/test/forever').catch((error: unknown) => error);
    await inHandler;
    const started = Date.now();
    await t.kernel.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await hanging).toBeInstanceOf(Error);
    await t.close();
  });
});
