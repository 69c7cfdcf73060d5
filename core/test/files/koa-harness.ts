import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { pino } from 'pino';
import type { PlinthContext, PlinthState } from '../../src/http/context.js';
import { writeError } from '../../src/http/error-handler.js';

/** A tiny Koa app on a loopback port whose one handler is `handle`, with the kernel's error envelope. */
export interface TinyApp {
  url: string;
  close(): Promise<void>;
}

export async function startTinyApp(handle: (ctx: PlinthContext) => Promise<void>): Promise<TinyApp> {
  const app = new Koa<PlinthState>();
  // A client that goes away mid-download is expected here; Koa would print its premature-close error.
  app.silent = true;
  const logger = pino({ level: 'silent' });
  let requests = 0;
  app.use(async (ctx) => {
    ctx.state.requestId = `req-${++requests}`;
    try {
      await handle(ctx as unknown as PlinthContext);
    } catch (error) {
      writeError(ctx as unknown as PlinthContext, error, logger);
    }
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
