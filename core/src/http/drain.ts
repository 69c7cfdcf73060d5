import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';

/** A listening HTTP server that can stop gracefully. */
export interface Drainable {
  /**
   * Stops accepting connections and lets the responses in progress finish (up to `timeoutMs`, then cuts what is
   * left); resolves once every connection is closed. The app must answer with `Connection: close` meanwhile.
   */
  drain(timeoutMs: number): Promise<void>;
}

/**
 * Counts the responses in progress on `server` from now on, for {@link Drainable.drain}.
 *
 * A drain closes idle keep-alive connections only when no response is left in progress, not at once as
 * `http.Server#close` does: a request already on its way on an idle connection (a client reusing it, or a
 * connection just accepted) would be reset. Until then, such a request is answered (with `Connection: close`)
 * like any other. Each connection serves at most one more request and no new one is accepted, so this ends.
 */
export function drainable(server: Server): Drainable {
  let open = 0;
  let draining = false;
  const closeIdleWhenDone = () => {
    if (open > 0) return;
    // A request that reached an idle connection meanwhile is read first: then it is in progress, not reset.
    void pollOnce().then(() => {
      if (open === 0) server.closeIdleConnections();
    });
  };
  server.on('request', (_request, response) => {
    open += 1;
    // 'close' follows 'finish' once the socket is released (or the client went away): the connection is idle now.
    response.once('close', () => {
      open -= 1;
      if (draining) closeIdleWhenDone();
    });
  });
  return {
    async drain(timeoutMs) {
      draining = true;
      // Connections still waiting to be accepted when the listener closes are reset: accept those first.
      await pollOnce();
      // Only stop listening: http.Server#close would also close every idle connection right away.
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      closeIdleWhenDone();
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
      try {
        await closed;
      } finally {
        clearTimeout(timer);
      }
      // Now http.Server#close has nothing left to close; it stops the server's connection-timeout checks (and says it was not running).
      server.close(() => undefined);
    },
  };
}

/** Resolves after the event loop has gone through its poll phase (accepting connections, reading sockets) at least once more. */
async function pollOnce(): Promise<void> {
  // An immediate queued now runs after this turn's poll phase; one queued from it, after the next turn's.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}
