import type { TenantDb } from '@plinth/sdk';
import type { ChannelRow } from '../channels/channel-store.js';
import { sendMessage } from '../channels/send-message.js';
import type { Builders, Settings } from '../deps.js';
import type { Runtime } from '../options.js';

/**
 * The tenant's enabled channel of `kind` for notifications: the one the settings name, if it is enabled, else the
 * first enabled one by name; undefined when there is none.
 */
export async function notificationChannel(db: TenantDb, kind: 'sms' | 'whatsapp', settings: Settings): Promise<ChannelRow | undefined> {
  const named = kind === 'sms' ? settings.notificationSmsChannel : settings.notificationWhatsappChannel;
  return db.one<ChannelRow>('select * from integrations_channels where kind = $1 and enabled order by name = $2 desc, name limit 1', [kind, named ?? null]);
}

/**
 * Tap of the kernel's `core.notification.send`: sends a notification's SMS or WhatsApp message through the
 * tenant's channel of that kind. No such channel: no answer (the kernel records the delivery as skipped); a
 * provider error is thrown, and the kernel retries. The kernel's delivery row is the record of the send.
 */
export function notificationSendTap({ tap }: Builders, runtime: Runtime) {
  return tap('core.notification.send', async (message, { deps, ctx }) => {
    const channel = await notificationChannel(deps.db, message.channel, ctx.settings);
    if (!channel) return undefined;
    const providerMessageId = await sendMessage(deps, runtime, channel, {
      to: message.to,
      subject: null,
      text: message.text,
      html: null,
      idempotencyKey: message.idempotencyKey,
    });
    return { providerMessageId };
  });
}
