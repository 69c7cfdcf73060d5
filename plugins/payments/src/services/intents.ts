import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '@plinth/sdk';
import { paymentsErrors } from '../errors.js';
import type { NewIntent, PaymentIntent } from '../contract.js';
import type { Scope } from '../deps.js';
import type { ProviderIntentResult, ProviderWebhookEvent } from '../providers/provider.js';
import { checkMoney, intentView, isUuid, STATUS_RANK, type IntentRow } from './intent-rows.js';
import { callGateway, type Providers } from './providers.js';

/** Where a transition came from, kept in the intent's history. */
export type TransitionSource = 'api' | 'webhook' | 'manual' | 'renewal';

/** Intents: creation through the provider, confirmation, cancellation, and every status transition (with history and events). */
export class Intents {
  constructor(
    private readonly scope: Scope,
    private readonly providers: Providers,
  ) {}

  /** Creates an intent at the provider and stores it (`subscriptionId` links a renewal). */
  async create(input: Omit<NewIntent, 'idempotencyKey'>, subscriptionId: string | null = null): Promise<PaymentIntent> {
    const { amount, currency } = checkMoney(input);
    const providerName = input.provider ?? this.scope.settings.default_provider;
    const { provider, config } = await this.providers.resolve(providerName);
    const id = randomUUID();
    const metadata = input.metadata ?? {};
    const result = await callGateway(this.scope, provider, 'createIntent', () =>
      provider.createIntent({ intentId: id, amount, currency, description: input.description ?? null, metadata }, config),
    );
    return intentView(
      await this.insert({ id, provider: providerName, amount, currency, description: input.description ?? null, metadata, subscriptionId }, result, 'api'),
    );
  }

  /** Stores a new intent in the state its provider reported. */
  async insert(
    intent: {
      id: string;
      provider: string;
      amount: number;
      currency: string;
      description: string | null;
      metadata: Record<string, string>;
      subscriptionId: string | null;
    },
    result: ProviderIntentResult,
    source: TransitionSource,
  ): Promise<IntentRow> {
    const [row] = await this.scope.deps.db.query<IntentRow>(
      `insert into payments_intents (id, provider, provider_ref, status, amount, currency, description, metadata, next_action, failure_reason, subscription_id)
       values ($1, $2, $3, 'requires_payment_method', $4, $5, $6, $7, null, null, $8) returning *`,
      [
        intent.id,
        intent.provider,
        result.providerRef,
        intent.amount,
        intent.currency,
        intent.description,
        JSON.stringify(intent.metadata),
        intent.subscriptionId,
      ],
    );
    await this.history(row!.id, null, 'requires_payment_method', source, null);
    return this.transition(row!, result, source, null);
  }

  async get(id: string): Promise<PaymentIntent | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.scope.deps.db.one<IntentRow>('select * from payments_intents where id = $1', [id]);
    return row && intentView(row);
  }

  /** The intent, locked for this transaction (concurrent confirmations, refunds and webhooks queue behind it). */
  async lock(id: string): Promise<IntentRow> {
    const row = !isUuid(id) ? undefined : await this.scope.deps.db.one<IntentRow>('select * from payments_intents where id = $1 for update', [id]);
    if (!row) throw new NotFoundError('Payment intent not found');
    return row;
  }

  /** Confirms with a payment method, or completes a second step (`action`). */
  async confirm(id: string, input: { payment_method?: string; action?: string }): Promise<PaymentIntent> {
    const row = await this.lock(id);
    if (row.status !== 'requires_payment_method' && row.status !== 'requires_action') {
      throw paymentsErrors.intent_not_confirmable(`A ${row.status} payment intent cannot be confirmed`);
    }
    const { provider, config } = await this.providers.resolve(row.provider);
    const result = await callGateway(this.scope, provider, 'confirmIntent', () =>
      provider.confirmIntent(
        {
          intentId: row.id,
          providerRef: row.provider_ref!,
          amount: row.amount,
          currency: row.currency,
          currentStatus: row.status as 'requires_payment_method' | 'requires_action',
          ...(input.payment_method !== undefined ? { paymentMethod: input.payment_method } : {}),
          ...(input.action !== undefined ? { action: input.action } : {}),
        },
        config,
      ),
    );
    return intentView(await this.transition(row, result, 'api', null));
  }

  /** Cancels an intent not yet paid; `409` once it is processing or settled. */
  async cancel(id: string): Promise<PaymentIntent> {
    const row = await this.lock(id);
    if (row.status === 'cancelled') return intentView(row);
    if (row.status !== 'requires_payment_method' && row.status !== 'requires_action') {
      throw paymentsErrors.intent_not_cancellable(`A ${row.status} payment intent cannot be cancelled`);
    }
    const { provider, config } = await this.providers.resolve(row.provider);
    await callGateway(this.scope, provider, 'cancelIntent', () => provider.cancelIntent({ intentId: row.id, providerRef: row.provider_ref! }, config));
    return intentView(await this.transition(row, { providerRef: row.provider_ref!, status: 'cancelled', nextAction: null }, 'api', null));
  }

  /** Marks a manual payment received (the whole amount). */
  async markPaid(id: string): Promise<PaymentIntent> {
    const row = await this.lock(id);
    if (row.provider !== 'manual') throw new ValidationError({ provider: ['only manual payments are marked paid by hand'] });
    if (row.status !== 'requires_action') throw paymentsErrors.intent_not_payable(`A ${row.status} payment intent cannot be marked paid`);
    const { provider, config } = await this.providers.resolve(row.provider);
    const result = await callGateway(this.scope, provider, 'captureIntent', () =>
      provider.captureIntent({ intentId: row.id, providerRef: row.provider_ref!, amount: row.amount }, config),
    );
    return intentView(await this.transition(row, result, 'manual', null));
  }

  /** Applies a verified intent webhook to the intent it names (in this tenant only); unknown intents are ignored. */
  async applyWebhook(provider: string, event: Extract<ProviderWebhookEvent, { type: 'intent' }>): Promise<void> {
    const row = await this.scope.deps.db.one<IntentRow>('select * from payments_intents where provider = $1 and provider_ref = $2 for update', [
      provider,
      event.intentRef,
    ]);
    if (!row) return;
    const result: ProviderIntentResult = {
      providerRef: event.intentRef,
      status: event.status,
      ...(event.amountCaptured !== undefined ? { amountCaptured: event.amountCaptured } : {}),
      failureReason: event.failureReason ?? null,
      nextAction: event.status === 'requires_action' ? row.next_action : null,
    };
    await this.transition(row, result, 'webhook', event.id);
  }

  /**
   * Moves a locked intent forward to what the provider reported: never backwards (see `STATUS_RANK`), with a
   * history row, a capture transaction and the payment events.
   */
  async transition(row: IntentRow, result: ProviderIntentResult, source: TransitionSource, eventId: string | null): Promise<IntentRow> {
    const to = result.status;
    if (STATUS_RANK[to] <= STATUS_RANK[row.status]) return row;
    const captured = to === 'succeeded' ? Math.min(result.amountCaptured ?? row.amount, row.amount) : row.amount_captured;
    const nextAction = to === 'requires_action' ? (result.nextAction ?? null) : null;
    const failureReason = to === 'failed' ? (result.failureReason ?? 'The payment failed.') : null;
    const [updated] = await this.scope.deps.db.query<IntentRow>(
      `update payments_intents set status = $2, amount_captured = $3, next_action = $4, failure_reason = $5, updated_at = now()
       where id = $1 returning *`,
      [row.id, to, captured, nextAction === null ? null : JSON.stringify(nextAction), failureReason],
    );
    await this.history(row.id, row.status, to, source, eventId);
    const payload = { intentId: row.id, provider: row.provider, amount: row.amount, currency: row.currency, metadata: row.metadata };
    if (to === 'succeeded') {
      await this.scope.deps.db.query("insert into payments_transactions (intent_id, type, provider, amount, currency) values ($1, 'capture', $2, $3, $4)", [
        row.id,
        row.provider,
        captured,
        row.currency,
      ]);
      await this.scope.deps.events.emit('payments.payment.succeeded', payload);
    }
    if (to === 'failed') await this.scope.deps.events.emit('payments.payment.failed', { ...payload, reason: failureReason });
    return updated!;
  }

  /** Records a transition in the intent's history. */
  async history(intentId: string, from: string | null, to: string, source: TransitionSource | 'refund', eventId: string | null): Promise<void> {
    await this.scope.deps.db.query(
      'insert into payments_intent_history (intent_id, from_status, to_status, source, provider_event_id) values ($1, $2, $3, $4, $5)',
      [intentId, from, to, source, eventId],
    );
  }
}
