import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../src/mail/mailer.js';
import { createTestKernel, type TestKernel } from '../../src/testing/index.js';

/** A minimal SMTP server on loopback that keeps each message's raw DATA. */
async function smtpSink(): Promise<{ server: Server; url: string; messages: string[] }> {
  const messages: string[] = [];
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write('250 queued\r\n');
          continue;
        }
        const lineEnd = buffer.indexOf('\r\n');
        if (lineEnd < 0) return;
        const line = buffer.slice(0, lineEnd).toUpperCase();
        buffer = buffer.slice(lineEnd + 2);
        if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 sink\r\n');
        else if (line === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (line === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`, messages };
}

let t: TestKernel;
let sink: Awaited<ReturnType<typeof smtpSink>>;
beforeAll(async () => {
  t = await createTestKernel();
  sink = await smtpSink();
});
afterAll(async () => {
  sink?.server.close();
  await t?.close();
});

const unsubscribe = { 'List-Unsubscribe': '<https://crm.example.com/u/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };

describe('mailer', () => {
  it('sends extra headers over SMTP, with the host as sender', async () => {
    const mailer = createMailer({ smtpUrl: sink.url, from: 'Plinth <noreply@example.com>', database: t.kernel.services.database });
    await mailer.send({ to: 'ada@example.com', subject: 'News', text: 'Hello', headers: unsubscribe });
    const raw = sink.messages.at(-1)!;
    expect(raw).toMatch(/^List-Unsubscribe: <https:\/\/crm\.example\.com\/u\/abc>$/m);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    expect(raw).toMatch(/^From: Plinth <noreply@example\.com>$/m);
    expect(raw).toMatch(/^To: ada@example\.com$/m);
  });

  it('keeps extra headers in the development outbox', async () => {
    await t.kernel.services.mailer.send({ to: 'grace@example.com', subject: 'News', text: 'Hello', headers: unsubscribe });
    expect((await t.mailbox('grace@example.com')).map((mail) => mail.headers)).toEqual([unsubscribe]);
  });

  it('refuses headers a sender must not set, and header injection, on either transport', async () => {
    const smtp = createMailer({ smtpUrl: sink.url, from: 'noreply@example.com', database: t.kernel.services.database });
    const sent = sink.messages.length;
    for (const mailer of [smtp, t.kernel.services.mailer]) {
      await expect(mailer.send({ to: 'x@example.com', subject: 's', text: 't', headers: { Bcc: 'all@example.com' } })).rejects.toThrow(/Bcc may not be set/);
      await expect(mailer.send({ to: 'x@example.com', subject: 's', text: 't', headers: { 'X-Tag': 'a\r\nBcc: all@example.com' } })).rejects.toThrow(
        /line break/,
      );
    }
    expect(sink.messages).toHaveLength(sent);
    expect(await t.mailbox('x@example.com')).toEqual([]);
  });
});
