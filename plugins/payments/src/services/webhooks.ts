import { paymentsErrors } from '../errors.js';
import type { Scope } from '../deps.js';
import { WebhookSignatureError, type ProviderWebhookEvent } from '../providers/provider.js';
import type { Intents } from './intents.js';
import type { Providers } from './providers.js';
import type { Refunds } from './refunds.js';

/** The answer to a received webhook. */
export interface WebhookReceipt {
  received: true;
  event_id: string;
  duplicate: boolean;
}

/** Receives provider webhooks: verify the signature over the raw body, deduplicate by event id, apply. */
export class Webhooks {
  constructor(
    private readonly scope: Scope,
    private readonly providers: Providers,
    private readonly intents: Intents,
    private readonly refunds: Refunds,
  ) {}

  /** Verifies and applies one webhook for this tenant; a bad, stale or altered signature is `400` and changes nothing. */
  async receive(
    providerName: string,
    rawBody: Buffer | undefined,
    headers: Record<string, string | string[] | undefined>,
    query: Record<string, string> = {},
  ): Promise<WebhookReceipt> {
    const { provider, config } = await this.providers.resolveForWebhook(providerName);
    let event: ProviderWebhookEvent;
    try {
      event = provider.parseWebhook({ rawBody: rawBody ?? Buffer.alloc(0), headers, now: new Date(), query }, config);
    } catch (error) {
      if (error instanceof WebhookSignatureError) throw paymentsErrors.invalid_signature(`Invalid webhook: ${error.message}`);
      throw error;
    }
    const [fresh] = await this.scope.deps.db.query(
      'insert into payments_webhook_events (provider, event_id, type) values ($1, $2, $3) on conflict (tenant_id, provider, event_id) do nothing returning id',
      [providerName, event.id, event.type],
    );
    if (!fresh) return { received: true, event_id: event.id, duplicate: true };
    if (event.type === 'intent') await this.intents.applyWebhook(providerName, event);
    if (event.type === 'refund') await this.refunds.applyWebhook(providerName, event);
    return { received: true, event_id: event.id, duplicate: false };
  }
}
