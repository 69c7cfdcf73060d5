import type { MailAttachment, MailMessage } from '@plinth/sdk';
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Database } from '../db/database.js';
import { runAsSystem } from '../db/scoped-db.js';

export type { MailAttachment, MailMessage };

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

/** The most a mail's attachments may weigh together: 10 MiB (before encoding; common receivers take 25 MiB encoded). */
export const maxAttachmentBytes = 10 * 1024 * 1024;
/** The most attachments one mail may carry. */
export const maxAttachments = 20;

/** A MIME type with optional parameters (`text/calendar; method=REQUEST`); control characters are refused apart. */
const contentType = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(?:\s*;\s*[\w!#$&^.+-]+=(?:[\w!#$&^.+-]+|"[^"\\]*"))*$/;

/** Whether a value has a control character (a line break could start another header). */
const hasControlCharacter = (value: string) => [...value].some((character) => character < ' ' || character === '\x7f');

/**
 * Refuses attachments that are not files the mailer can send as they are: a name with a path or a control character,
 * a malformed type, content that is not a Buffer, too many, or more than {@link maxAttachmentBytes} together.
 */
function checkAttachments(attachments: readonly MailAttachment[] = []): readonly MailAttachment[] {
  if (attachments.length > maxAttachments) throw new Error(`a mail may carry at most ${maxAttachments} attachments, not ${attachments.length}`);
  let total = 0;
  for (const attachment of attachments) {
    const { filename } = attachment;
    if (typeof filename !== 'string' || filename.trim() === '' || filename.length > 255 || /[\\/]/.test(filename) || hasControlCharacter(filename))
      throw new Error(`mail attachment name ${JSON.stringify(filename)} must be a file name (1 to 255 characters, no path, no control character)`);
    if (typeof attachment.contentType !== 'string' || !contentType.test(attachment.contentType) || hasControlCharacter(attachment.contentType))
      throw new Error(`mail attachment ${filename} has no valid content type: ${JSON.stringify(attachment.contentType)}`);
    if (!Buffer.isBuffer(attachment.content)) throw new Error(`mail attachment ${filename} must have a Buffer as content`);
    total += attachment.content.length;
  }
  if (total > maxAttachmentBytes) throw new Error(`mail attachments weigh ${total} bytes together; at most ${maxAttachmentBytes} may be sent`);
  return attachments;
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
 * per Message-ID, as a deduplicating receiver would. Attachments go with the mail (the outbox keeps them in its
 * `attachments` column, base64); a mail with invalid headers or attachments is refused before anything is sent.
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
        const attachments = checkAttachments(message.attachments);
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
          ...(attachments.length > 0 ? { attachments: attachments.map(({ filename, contentType, content }) => ({ filename, contentType, content })) } : {}),
          ...(messageId ? { messageId } : {}),
        });
      },
    };
  }
  return {
    kind: 'outbox',
    async send(message) {
      const headers = checkHeaders(message.headers);
      const attachments = checkAttachments(message.attachments).map((attachment) => ({
        filename: attachment.filename,
        content_type: attachment.contentType,
        content: attachment.content.toString('base64'),
      }));
      await runAsSystem(options.database, (db) =>
        db.query(
          `insert into mail_outbox ("to", subject, text, html, headers, message_id, attachments) values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (message_id) do nothing`,
          [
            message.to,
            message.subject,
            message.text,
            message.html ?? null,
            JSON.stringify(headers),
            message.idempotencyKey ? messageIdFor(message.idempotencyKey, options.from) : null,
            JSON.stringify(attachments),
          ],
        ),
      );
    },
  };
}
