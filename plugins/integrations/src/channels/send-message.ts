import type { Deps } from '../deps.js';
import type { Runtime } from '../options.js';
import type { ChannelRow } from './channel-store.js';

/** A rendered message for one recipient. */
export interface OutgoingMessage {
  to: string;
  subject: string | null;
  text: string;
  html: string | null;
  /** Identifies the message across retries: a mail carries it as its Message-ID (see `MailMessage.idempotencyKey`). */
  idempotencyKey?: string;
}

/** Sends through the channel's provider; returns the provider's message id when it has one. Throws when the provider refuses. */
export async function sendMessage(
  deps: Pick<Deps, 'mailer' | 'logger' | 'secrets'>,
  runtime: Runtime,
  channel: ChannelRow,
  message: OutgoingMessage,
): Promise<string | null> {
  switch (channel.provider) {
    case 'log':
      deps.logger.info({ channel: channel.name, kind: channel.kind, to: message.to, subject: message.subject, text: message.text }, 'message (log provider)');
      return null;
    case 'mailer':
      await deps.mailer.send({
        to: message.to,
        subject: message.subject ?? '',
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        ...(message.idempotencyKey ? { idempotencyKey: message.idempotencyKey } : {}),
      });
      return null;
    case 'twilio': {
      if (!channel.credentials_sealed || !channel.config.account_sid || !channel.config.from) throw new Error('the Twilio channel is not fully configured');
      const { auth_token: authToken } = JSON.parse(deps.secrets.open(channel.credentials_sealed)) as { auth_token: string };
      // Twilio's client is large: it loads with the first message through it, not at boot.
      const { sendWithTwilio } = await import('./twilio-sender.js');
      return sendWithTwilio(
        { accountSid: channel.config.account_sid, authToken, from: channel.config.from },
        { to: message.to, text: message.text, whatsapp: channel.kind === 'whatsapp' },
        runtime.twilioBaseUrl(),
      );
    }
  }
}
