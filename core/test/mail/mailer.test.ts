import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, maxAttachmentBytes } from '../../src/mail/mailer.js';
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

/** A small PDF-like file and a calendar entry, as a receipt would carry them. */
const invoice = { filename: 'invoice-2026-0042.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4\n%âãÏÓ\nfake invoice\n%%EOF\n', 'latin1') };
const event = { filename: 'lesson.ics', contentType: 'text/calendar; method=REQUEST', content: Buffer.from('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n') };

/** The base64 body of the MIME part whose headers name `filename`, decoded. */
function attachedPart(raw: string, filename: string): { headers: string; content: Buffer } {
  const parts = raw.split(/\r\n--[^\r\n]+\r\n/);
  const part = parts.find((candidate) => candidate.includes(`filename=${filename}`) || candidate.includes(`filename="${filename}"`));
  if (!part) throw new Error(`no part named ${filename} in ${raw}`);
  const [headers, body] = part.split('\r\n\r\n') as [string, string];
  return { headers, content: Buffer.from(body.split(/\r\n--/)[0]!.replace(/\s+/g, ''), 'base64') };
}

describe('mail attachments', () => {
  it('sends them over SMTP as attachment parts, byte for byte', async () => {
    const mailer = createMailer({ smtpUrl: sink.url, from: 'noreply@example.com', database: t.kernel.services.database });
    await mailer.send({ to: 'buyer@example.com', subject: 'Your receipt', text: 'Thanks', attachments: [invoice, event] });
    const raw = sink.messages.at(-1)!;
    expect(raw).toMatch(/^Content-Type: multipart\/mixed;/m);
    const pdf = attachedPart(raw, invoice.filename);
    expect(pdf.headers).toMatch(/Content-Type: application\/pdf/);
    expect(pdf.headers).toMatch(/Content-Disposition: attachment/);
    expect(pdf.content.equals(invoice.content)).toBe(true);
    const ics = attachedPart(raw, event.filename);
    expect(ics.headers).toMatch(/Content-Type: text\/calendar; method=REQUEST/);
  });

  it('keeps them in the development outbox, and the test kit reads them back as sent', async () => {
    await t.kernel.services.mailer.send({ to: 'keeper@example.com', subject: 'Your receipt', text: 'Thanks', attachments: [invoice, event] });
    await t.kernel.services.mailer.send({ to: 'keeper@example.com', subject: 'No files', text: 'Hello' });
    const [withFiles, without] = await t.mailbox('keeper@example.com');
    expect(withFiles!.attachments).toEqual([invoice, event]);
    expect(withFiles!.attachments[0]!.content.equals(invoice.content)).toBe(true);
    expect(without!.attachments).toEqual([]);
  });

  it('refuses more than 10 MiB together, bad names, bad types and non-Buffer content on either transport, sending nothing', async () => {
    const smtp = createMailer({ smtpUrl: sink.url, from: 'noreply@example.com', database: t.kernel.services.database });
    const sent = sink.messages.length;
    const half = Buffer.alloc(maxAttachmentBytes / 2, 1);
    const cases: [unknown[], RegExp][] = [
      [
        [
          { ...invoice, content: half },
          { ...invoice, filename: 'b.pdf', content: Buffer.concat([half, Buffer.from('x')]) },
        ],
        /at most 10485760/,
      ],
      [[{ ...invoice, filename: '../etc/passwd' }], /must be a file name/],
      [[{ ...invoice, filename: 'a\r\nBcc: all@example.com.pdf' }], /must be a file name/],
      [[{ ...invoice, filename: '' }], /must be a file name/],
      [[{ ...invoice, contentType: 'application/pdf\r\nBcc: all@example.com' }], /no valid content type/],
      [[{ ...invoice, contentType: 'pdf' }], /no valid content type/],
      [[{ ...invoice, content: 'not a buffer' }], /must have a Buffer/],
      [Array.from({ length: 21 }, (_, index) => ({ ...invoice, filename: `f${index}.pdf` })), /at most 20 attachments/],
    ];
    for (const mailer of [smtp, t.kernel.services.mailer]) {
      for (const [attachments, error] of cases) {
        const message = { to: 'refused@example.com', subject: 's', text: 't', attachments: attachments as (typeof invoice)[] };
        await expect(mailer.send(message), `${mailer.kind} ${String(error)}`).rejects.toThrow(error);
      }
    }
    // Exactly 10 MiB together is allowed.
    await t.kernel.services.mailer.send({
      to: 'limit@example.com',
      subject: 's',
      text: 't',
      attachments: [{ ...invoice, content: Buffer.alloc(maxAttachmentBytes, 2) }],
    });
    expect((await t.mailbox('limit@example.com'))[0]!.attachments[0]!.content.length).toBe(maxAttachmentBytes);
    expect(sink.messages).toHaveLength(sent);
    expect(await t.mailbox('refused@example.com')).toEqual([]);
  });
});
