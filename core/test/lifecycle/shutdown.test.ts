import { Agent, request } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { respond } from '../../src/index.js';
import { createTestKernel } from '../../src/testing/index.js';

/** A GET through `agent` (keep-alive): when its headers came (with the Connection header), and when it was done (with the body), or the socket error. */
function stream(agent: Agent, url: string) {
  let started!: (value: { status: number; connection: string | undefined }) => void;
  const done = new Promise<{ status: number; connection: string | undefined; body: string; at: number }>((resolve, reject) => {
    const outgoing = request(url, { agent }, (incoming) => {
      started({ status: incoming.statusCode!, connection: incoming.headers.connection });
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (body += chunk));
      incoming.on('error', reject);
      incoming.on('end', () => resolve({ status: incoming.statusCode!, connection: incoming.headers.connection, body, at: performance.now() }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
  return { started: new Promise<{ status: number; connection: string | undefined }>((resolve) => (started = resolve)), done };
}

const get = (agent: Agent, url: string) => stream(agent, url).done;

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

    // Connections already waiting are accepted and answered first (with `Connection: close`); then new ones are refused.
    const attempt = () =>
      fetch(`${t.url}/health`).then(
        async (response) => {
          await response.text();
          return 'answered';
        },
        () => 'refused',
      );
    await expect.poll(attempt, { interval: 5 }).toBe('refused');
    expect(stopped).toBe(false);

    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ finished: true });
    await stopping;
    expect(stopped).toBe(true);
    await t.close();
  });

  it('ends as soon as the last response is done, closing keep-alive connections as they go idle, with no reset', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const t = await createTestKernel({
      // The default timeout: a shutdown that waits for it instead of for the work takes 10 s.
      env: { PLINTH_SHUTDOWN_TIMEOUT_MS: '10000' },
      beforeStart(kernel) {
        kernel.apiRouter.get('/test/slow', async (ctx) => {
          entered();
          await released;
          respond(ctx, { finished: true });
        });
        // A download under way when the shutdown begins: its headers (keep-alive) are out before anyone knew.
        kernel.apiRouter.get('/test/download', (ctx) => {
          const body = new PassThrough();
          body.write('first part;');
          void released.then(() => body.end('last part'));
          ctx.type = 'text/plain';
          ctx.body = body;
        });
      },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      // Connections the client keeps open: one goes idle, one carries a slow request, one a download.
      await Promise.all([get(agent, `${t.url}/health`), get(agent, `${t.url}/health`), get(agent, `${t.url}/health`)]);
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(3);
      const download = stream(agent, `${t.url}/api/v1/test/download`);
      expect((await download.started).connection).toBe('keep-alive');
      const slow = get(agent, `${t.url}/api/v1/test/slow`);
      await inHandler;
      const stopping = t.kernel.stop().then(() => performance.now());
      release();
      const [slowResponse, downloaded] = await Promise.all([slow, download.done]);
      expect(slowResponse.status).toBe(200);
      expect(JSON.parse(slowResponse.body).data).toEqual({ finished: true });
      // The client is told not to reuse the connection, so it sends nothing more on a socket being closed.
      expect(slowResponse.connection).toBe('close');
      expect(downloaded.body).toBe('first part;last part');
      const stoppedAt = await stopping;
      // Not the 10 s timeout: the download's connection, idle once it is done, is closed then.
      expect(stoppedAt - Math.max(slowResponse.at, downloaded.at)).toBeLessThan(1000);
    } finally {
      agent.destroy();
      await t.close();
    }
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
