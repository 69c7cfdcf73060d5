import type { MailMessage } from '@plinth/sdk';
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

/** Sends mail: over SMTP when `PLINTH_SMTP_URL` is set, otherwise into the `mail_outbox` table (development, tests). */
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
        await (await transport).sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text, html: message.html, headers });
      },
    };
  }
  return {
    kind: 'outbox',
    async send(message) {
      const headers = checkHeaders(message.headers);
      await runAsSystem(options.database, (db) =>
        db.query('insert into mail_outbox ("to", subject, text, html, headers) values ($1, $2, $3, $4, $5)', [
          message.to,
          message.subject,
          message.text,
          message.html ?? null,
          JSON.stringify(headers),
        ]),
      );
    },
  };
}
