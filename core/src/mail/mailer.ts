import nodemailer from 'nodemailer';
import type { Database } from '../db/database.js';
import { runAsSystem } from '../db/scoped-db.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends mail: over SMTP when `PLINTH_SMTP_URL` is set, otherwise into the `mail_outbox` table (development, tests). */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
}

export function createMailer(options: { smtpUrl?: string | undefined; from: string; database: Database }): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      kind: 'smtp',
      async send(message) {
        await transport.sendMail({ from: options.from, ...message });
      },
    };
  }
  return {
    kind: 'outbox',
    async send(message) {
      await runAsSystem(options.database, (db) =>
        db.query('insert into mail_outbox ("to", subject, text, html) values ($1, $2, $3, $4)', [
          message.to,
          message.subject,
          message.text,
          message.html ?? null,
        ]),
      );
    },
  };
}
