import { sendMessage } from '../channels/send-message.js';
import type { ChannelRow } from '../channels/channel-store.js';
import type { Builders } from '../deps.js';
import type { Runtime } from '../options.js';
import { messageOf, truncate } from '../util.js';

/** Waits after the 1st, 2nd, … failed send; then the send is marked failed. */
export const SEND_RETRY_DELAYS_MS = [30_000, 2 * 60_000, 10 * 60_000, 60 * 60_000] as const;

interface SendRow {
  id: string;
  channel_id: string | null;
  recipient: string;
  subject: string | null;
  body: string;
  html: string | null;
  status: string;
  attempt_count: number;
}

/**
 * `integrations.notification.send`: sends one logged notification; failures are recorded and retried on its own
 * schedule. The send row stays locked while the provider is called, so two runs never send it at once; a crash
 * before the commit sends it again (at least once), a mail with the same Message-ID.
 */
export function sendNotificationJob({ job }: Builders, runtime: Runtime) {
  return job({
    name: 'integrations.notification.send',
    concurrency: 5,
    maxRetries: 3,
    async run({ payload, deps }) {
      const send = await deps.db.one<SendRow>('select * from integrations_sends where id = $1 for update', [payload.sendId]);
      if (!send || send.status !== 'pending') return;
      const channel = send.channel_id ? await deps.db.one<ChannelRow>('select * from integrations_channels where id = $1', [send.channel_id]) : undefined;
      const attempt = send.attempt_count + 1;
      if (!channel || !channel.enabled) {
        await deps.db.query("update integrations_sends set status = 'skipped', last_error = $2, attempt_count = $3, updated_at = now() where id = $1", [
          send.id,
          channel ? 'the channel is disabled' : 'the channel was removed',
          attempt,
        ]);
        return;
      }
      try {
        const providerId = await sendMessage(deps, runtime, channel, {
          to: send.recipient,
          subject: send.subject,
          text: send.body,
          html: send.html,
          // A crash after the provider accepted it and before the commit sends it again: with the same key.
          idempotencyKey: `send:${send.id}`,
        });
        await deps.db.query(
          "update integrations_sends set status = 'sent', sent_at = $2, provider_message_id = $3, attempt_count = $4, last_error = null, updated_at = now() where id = $1",
          [send.id, deps.clock.now(), providerId, attempt],
        );
      } catch (error) {
        const delay = SEND_RETRY_DELAYS_MS[attempt - 1];
        await deps.db.query('update integrations_sends set status = $2, last_error = $3, attempt_count = $4, updated_at = now() where id = $1', [
          send.id,
          delay === undefined ? 'failed' : 'pending',
          truncate(messageOf(error), 1000),
          attempt,
        ]);
        if (delay !== undefined) await deps.jobs.enqueue('integrations.notification.send', { sendId: send.id }, { delayMs: delay });
        deps.logger.warn({ sendId: send.id, attempt, err: messageOf(error) }, 'notification not sent');
      }
    },
  });
}
