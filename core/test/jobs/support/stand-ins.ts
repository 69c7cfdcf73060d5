import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** What a stand-in received, by idempotency key (webhook-id, Message-ID): every arrival, repeats included. */
export interface Counted {
  url: string;
  /** Arrivals per key. */
  byKey: Map<string, number>;
  /** Every arrival, repeats included. */
  total(): number;
  close(): Promise<void>;
}

const count = (byKey: Map<string, number>, key: string) => byKey.set(key, (byKey.get(key) ?? 0) + 1);
const closeServer = (server: Server | ReturnType<typeof createHttpServer>, sockets: Set<Socket>) =>
  new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });

/** A webhook receiver on 127.0.0.1 that counts deliveries by `webhook-id`, answering 200 after `delayMs`. */
export async function startWebhookReceiver(delayMs: number): Promise<Counted> {
  const byKey = new Map<string, number>();
  let total = 0;
  const sockets = new Set<Socket>();
  const server = createHttpServer((request, response) => {
    request.resume();
    request.on('end', () => {
      total++;
      count(byKey, String(request.headers['webhook-id']));
      setTimeout(() => response.end('ok'), delayMs);
    });
  });
  server.on('connection', (socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, byKey, total: () => total, close: () => closeServer(server, sockets) };
}

/**
 * An SMTP stand-in on 127.0.0.1 (just enough of RFC 5321 for nodemailer): it accepts every mail, counts it
 * by its Message-ID, and acknowledges it after `delayMs`.
 */
export async function startSmtpStandIn(delayMs: number): Promise<Counted & { recipients: Map<string, number> }> {
  const byKey = new Map<string, number>();
  const recipients = new Map<string, number>();
  let total = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let data: string | undefined;
    let rcpt = '';
    const reply = (line: string) => socket.writable && socket.write(`${line}\r\n`);
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (data !== undefined) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end === -1) return;
          data += buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          const messageId = /^message-id:\s*(\S+)/im.exec(data)?.[1] ?? '(none)';
          data = undefined;
          setTimeout(() => {
            total++;
            count(byKey, messageId);
            count(recipients, rcpt);
            reply('250 2.0.0 queued');
          }, delayMs);
          continue;
        }
        const newline = buffer.indexOf('\r\n');
        if (newline === -1) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 stand-in');
        else if (verb === 'RCPT') {
          rcpt = /<([^>]*)>/.exec(line)?.[1] ?? '';
          reply('250 2.1.5 ok');
        } else if (verb === 'DATA') {
          data = '';
          reply('354 go ahead');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('250 ok');
      }
    });
    reply('220 stand-in ESMTP');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    byKey,
    recipients,
    total: () => total,
    close: () => closeServer(server, sockets),
  };
}
