import type { MailMessage } from '@plinth/sdk';
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Database } from '../db/database.js';
import { runAsSystem } from '../db/scoped-db.js';

export type { MailMessage };

/** Headers a sender may add: list headers (RFC 2369, 8058), threading, `Reply-To` and `X-` headers; never addressing or routing. */
const allowedHeader = /^(?:list-[a-z-]+|x-[a-z0-9-]+|reply-to|in-reply-to|references)$/i;

/** Refuses a header the mailer must own (`From`, `Bcc`…) or a value that could inject more headers. */
function checkHeaders(headers: Record<string, string> = {}): Record<string, string> {
  for (const [name, value] of Object.entries(headers)) {
    if (!allowedHeader.test(name)) throw new Error(`mail header ${name} may not be set by a sender`);
    if (/[\r\n]/.test(value)) throw new Error(`mail header ${name} has a line break in its value`);
  }
  return headers;
}

/**
 * The `Message-ID` of a mail with an idempotency key: the same key always gives the same id, so a receiver (or
 * the outbox) can drop the copy a retry after a crash may send. Hashed, so any key is a valid id.
 */
export function messageIdFor(key: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'plinth.invalid';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${domain}>`;
}

/**
 * Sends mail: over SMTP when `PLINTH_SMTP_URL` is set, otherwise into the `mail_outbox` table (development,
 * tests). A message with an `idempotencyKey` carries a Message-ID derived from it; the outbox keeps one mail
 * per Message-ID, as a deduplicating receiver would.
 */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
}

export function createMailer(options: { smtpUrl?: string | undefined; from: string; database: Database }): Mailer {
  const { smtpUrl } = options;
  if (smtpUrl) {
    // nodemailer loads on the first mail, not at boot.
    let transport: Promise<Transporter> | undefined;
    return {
      kind: 'smtp',
      async send(message) {
        const headers = checkHeaders(message.headers);
        transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(smtpUrl));
        const messageId = message.idempotencyKey ? messageIdFor(message.idempotencyKey, options.from) : undefined;
        await (
          await transport
        ).sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers,
          ...(messageId ? { messageId } : {}),
        });
      },
    };
  }
  return {
    kind: 'outbox',
    async send(message) {
      const headers = checkHeaders(message.headers);
      await runAsSystem(options.database, (db) =>
        db.query(
          'insert into mail_outbox ("to", subject, text, html, headers, message_id) values ($1, $2, $3, $4, $5, $6) on conflict (message_id) do nothing',
          [
            message.to,
            message.subject,
            message.text,
            message.html ?? null,
            JSON.stringify(headers),
            message.idempotencyKey ? messageIdFor(message.idempotencyKey, options.from) : null,
          ],
        ),
      );
    },
  };
}
