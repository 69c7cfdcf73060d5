import net from 'node:net';

/**
 * A loopback TCP proxy in front of PostgreSQL that a test can cut (the
 * database becomes unreachable), restore, or make its open connections
 * "late": with their replies held, what the server says on them reaches the
 * client only when the client next writes, as when a pooled connection died
 * while idle and is noticed only when used.
 */
export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** Drops every connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  /** On the connections open now, holds the server's bytes (and its closing) until the client writes again. */
  holdReplies(): void;
  /** Round trips so far, over all connections: times a client began sending (first, or after the server spoke). */
  readonly roundTrips: number;
  /** Messages the clients sent so far, over all connections, by protocol message type (`P` Parse, `B` Bind, `Q` simple query…). */
  sent(type: string): number;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
  hold: boolean;
  held: Buffer[];
  serverEnded: boolean;
  /** Whether the server spoke since the client last sent: the client's next bytes begin a round trip. */
  answered: boolean;
  /** Client bytes not yet counted as whole messages; the first message (startup) has no type byte. */
  unread: Buffer;
  started: boolean;
}

/** Counts the whole frontend messages in `pair.unread` by type, keeping an incomplete one for later. */
function countMessages(pair: Pair, counts: Map<string, number>): void {
  let at = 0;
  for (;;) {
    const header = pair.started ? 5 : 4;
    if (pair.unread.length < at + header) break;
    const length = pair.unread.readInt32BE(at + header - 4) + (pair.started ? 1 : 0);
    if (pair.unread.length < at + length) break;
    const type = pair.started ? String.fromCharCode(pair.unread[at]!) : 'startup';
    counts.set(type, (counts.get(type) ?? 0) + 1);
    pair.started = true;
    at += length;
  }
  pair.unread = pair.unread.subarray(at);
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let listener: net.Server | undefined;
  let roundTrips = 0;
  const counts = new Map<string, number>();

  const releaseHeld = (pair: Pair) => {
    for (const chunk of pair.held.splice(0)) pair.client.write(chunk);
    if (pair.serverEnded) pair.client.end();
  };

  const accept = (client: net.Socket) => {
    const server = net.connect(targetPort, targetHost);
    const pair: Pair = { client, server, hold: false, held: [], serverEnded: false, answered: true, unread: Buffer.alloc(0), started: false };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', drop);
    server.on('error', drop);
    client.on('close', () => {
      pairs.delete(pair);
      server.destroy();
    });
    client.on('data', (chunk) => {
      if (pair.answered) roundTrips++;
      pair.answered = false;
      pair.unread = Buffer.concat([pair.unread, chunk]);
      countMessages(pair, counts);
      if (!pair.serverEnded) server.write(chunk);
      pair.hold = false;
      releaseHeld(pair);
    });
    server.on('data', (chunk) => {
      pair.answered = true;
      if (pair.hold) pair.held.push(chunk);
      else client.write(chunk);
    });
    server.on('end', () => {
      pair.serverEnded = true;
      if (!pair.hold) client.end();
    });
  };

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const created = net.createServer(accept);
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => {
        listener = created;
        resolve((created.address() as net.AddressInfo).port);
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      const current = listener;
      listener = undefined;
      if (!current) return resolve();
      current.close(() => resolve());
    });

  const port = await listen(0);
  const proxy: TcpProxy = {
    port,
    urlFor(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    async cut() {
      const closed = stopListening();
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.server.destroy();
      }
      pairs.clear();
      await closed;
    },
    async restore() {
      await listen(port);
    },
    holdReplies() {
      for (const pair of pairs) pair.hold = true;
    },
    get roundTrips() {
      return roundTrips;
    },
    sent: (type) => counts.get(type) ?? 0,
    close: () => proxy.cut(),
  };
  return proxy;
}
