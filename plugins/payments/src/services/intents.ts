import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { NotFoundError, ValidationError } from '@plinth/sdk';
import { paymentsErrors } from '../errors.js';
import type { NewIntent, PayerConfirmation, PayerIntent, PaymentIntent } from '../contract.js';
import type { Scope } from '../deps.js';
import { WebhookSignatureError, type ProviderIntentResult, type ProviderReturn, type ProviderWebhookEvent } from '../providers/provider.js';
import { auditedIntent, checkMoney, intentView, isUuid, payerIntentView, STATUS_RANK, STATUS_VERB, type IntentRow } from './intent-rows.js';
import { callGateway, type Providers } from './providers.js';
import { countIntentStatus } from './metrics.js';

/** Where a transition came from, kept in the intent's history (`payer`: the holder of the client secret; `return`: a gateway's browser return). */
export type TransitionSource = 'api' | 'webhook' | 'manual' | 'renewal' | 'payer' | 'return';

/** A new payer secret: `<intentId>_secret_<random>` and the hash stored in its place. */
function newClientSecret(intentId: string): { secret: string; hash: string } {
  const secret = `${intentId}_secret_${randomBytes(24).toString('base64url')}`;
  return { secret, hash: hashSecret(secret) };
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `secret` is the intent's client secret (constant time; intents without one match nothing). */
function secretMatches(row: IntentRow, secret: string): boolean {
  if (!row.client_secret_hash || typeof secret !== 'string' || secret.length > 200) return false;
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(row.client_secret_hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** Intents: creation through the provider, confirmation, cancellation, and every status transition (with history and events). */
export class Intents {
  constructor(
    private readonly scope: Scope,
    private readonly providers: Providers,
  ) {}

  /** Creates an intent at the provider and stores it (`subscriptionId` links a renewal); the answer carries the payer's `client_secret`, shown only here. */
  async create(input: Omit<NewIntent, 'idempotencyKey'>, subscriptionId: string | null = null): Promise<PaymentIntent> {
    const { amount, currency } = checkMoney(input);
    const providerName = input.provider ?? this.scope.settings.default_provider;
    const { provider, config } = await this.providers.resolve(providerName);
    const id = randomUUID();
    const metadata = input.metadata ?? {};
    const result = await callGateway(this.scope, provider, 'createIntent', () =>
      provider.createIntent({ intentId: id, amount, currency, description: input.description ?? null, metadata }, config),
    );
    const { secret, hash } = newClientSecret(id);
    const row = await this.insert(
      { id, provider: providerName, amount, currency, description: input.description ?? null, metadata, subscriptionId, clientSecretHash: hash },
      result,
      'api',
    );
    return { ...intentView(row), client_secret: secret };
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
      clientSecretHash?: string;
    },
    result: ProviderIntentResult,
    source: TransitionSource,
  ): Promise<IntentRow> {
    const [row] = await this.scope.deps.db.query<IntentRow>(
      `insert into payments_intents (id, provider, provider_ref, status, amount, currency, description, metadata, next_action, failure_reason, subscription_id,
         client_secret_hash, gateway_secret_sealed)
       values ($1, $2, $3, 'requires_payment_method', $4, $5, $6, $7, null, null, $8, $9, $10) returning *`,
      [
        intent.id,
        intent.provider,
        result.providerRef,
        intent.amount,
        intent.currency,
        intent.description,
        JSON.stringify(intent.metadata),
        intent.subscriptionId,
        intent.clientSecretHash ?? null,
        result.clientSecret ? this.scope.deps.secrets.seal(result.clientSecret) : null,
      ],
    );
    await this.history(row!.id, null, 'requires_payment_method', source, null);
    await this.scope.deps.audit.record({ entity: 'intent', verb: 'created', target: row!.id, after: auditedIntent(row!), data: { source } });
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
    return intentView(await this.confirmLocked(await this.lock(id), input, 'api'));
  }

  /** The intent as the holder of its client secret sees it; undefined for a wrong id or secret. */
  async payerView(id: string, clientSecret: string): Promise<PayerIntent | undefined> {
    const row = !isUuid(id) ? undefined : await this.scope.deps.db.one<IntentRow>('select * from payments_intents where id = $1', [id]);
    if (!row || !secretMatches(row, clientSecret)) return undefined;
    return this.forPayer(row);
  }

  /**
   * Confirms as the payer: `404` for a wrong id or secret (no oracle), `409` once past confirmation (a second
   * submit waits for the first on the row lock, then finds it processing). A redirect already issued is shown again.
   */
  /**
   * A payer is only ever sent back to the tenant's own pages on this host or to an origin the tenant listed in
   * `return_origins` (its headless front end): never to an address whoever holds a client secret chose.
   */
  private checkReturnUrl(url: string): void {
    if (!isHttpUrl(url)) throw new ValidationError({ return_url: ['must be an absolute http(s) URL'] });
    const allowed = this.scope.deps.customers.isPageUrl(url) || this.scope.settings.return_origins.includes(new URL(url).origin);
    if (!allowed)
      throw new ValidationError({ return_url: ["must be one of the tenant's pages, or on an origin listed in the payments setting return_origins"] });
  }

  async confirmAsPayer(id: string, clientSecret: string, input: PayerConfirmation): Promise<PayerIntent> {
    const row = !isUuid(id) ? undefined : await this.scope.deps.db.one<IntentRow>('select * from payments_intents where id = $1 for update', [id]);
    if (!row || !secretMatches(row, clientSecret)) throw new NotFoundError('Payment intent not found');
    if (input.returnUrl !== undefined) this.checkReturnUrl(input.returnUrl);
    const pendingRedirect = row.status === 'requires_action' && row.next_action?.type === 'redirect';
    if (pendingRedirect && input.payment_method === undefined && input.action === undefined) return this.forPayer(row);
    if (input.returnUrl !== undefined && input.returnUrl !== row.return_url) {
      await this.scope.deps.db.query('update payments_intents set return_url = $2 where id = $1', [row.id, input.returnUrl]);
      row.return_url = input.returnUrl;
    }
    return this.forPayer(await this.confirmLocked(row, input, 'payer'));
  }

  /**
   * Applies a gateway's browser return, verified by the gateway's adapter, to the intent it names (moving it
   * forward; a replay changes nothing more). `invalid`: not genuine; `unknown`: names no intent here, or reports
   * another amount or currency than the intent's.
   */
  async completeReturn(providerName: string, query: Record<string, string>): Promise<IntentRow | 'invalid' | 'unknown'> {
    const { provider, config } = await this.providers.resolveForWebhook(providerName);
    if (!provider.parseReturn) return 'unknown';
    const statement = await callGateway(this.scope, provider, 'parseReturn', async (): Promise<ProviderReturn | 'invalid' | undefined> => {
      try {
        return await provider.parseReturn!(query, config);
      } catch (error) {
        if (error instanceof WebhookSignatureError) return 'invalid';
        throw error;
      }
    });
    if (statement === 'invalid') return 'invalid';
    if (!statement) return 'unknown';
    const row = await this.scope.deps.db.one<IntentRow>('select * from payments_intents where provider = $1 and provider_ref = $2 for update', [
      providerName,
      statement.intentRef,
    ]);
    if (!row) return 'unknown';
    if (statement.result.status === 'succeeded' && !this.paidInFull(row, statement, providerName)) return 'unknown';
    return this.transition(row, statement.result, 'return', null);
  }

  /** Whether a gateway's reported success is for this intent's amount and currency (when it reports them). */
  private paidInFull(row: IntentRow, paid: { amount?: number | undefined; currency?: string | undefined }, providerName: string): boolean {
    const ok = (paid.amount === undefined || paid.amount === row.amount) && (paid.currency === undefined || paid.currency.toUpperCase() === row.currency);
    if (!ok) {
      this.scope.deps.logger.warn(
        { provider: providerName, intentId: row.id, amount: paid.amount, currency: paid.currency },
        'payment reported for another amount or currency than the intent: ignored',
      );
    }
    return ok;
  }

  /** The payer's view, with the gateway's own next step (Stripe's Payment Element) when it has one. */
  private async forPayer(row: IntentRow): Promise<PayerIntent> {
    if (row.status !== 'requires_payment_method' && row.status !== 'requires_action') return payerIntentView(row);
    const provider = await this.providers.gateway(row.provider);
    if (!provider?.payerNextAction) return payerIntentView(row);
    const { config } = await this.providers.resolveForWebhook(row.provider);
    const gatewaySecret = row.gateway_secret_sealed ? this.scope.deps.secrets.open(row.gateway_secret_sealed) : null;
    return payerIntentView(row, provider.payerNextAction({ status: row.status, nextAction: row.next_action, gatewaySecret }, config));
  }

  /** Confirms a locked intent at its gateway. */
  private async confirmLocked(row: IntentRow, input: PayerConfirmation, source: TransitionSource): Promise<IntentRow> {
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
          description: row.description,
          metadata: row.metadata,
          ...(input.payment_method !== undefined ? { paymentMethod: input.payment_method } : {}),
          ...(input.action !== undefined ? { action: input.action } : {}),
          ...(row.return_url ? { returnUrl: row.return_url } : {}),
          ...(input.billing ? { billing: input.billing } : {}),
        },
        config,
      ),
    );
    return this.transition(row, result, source, null);
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
    if (event.status === 'succeeded' && !this.paidInFull(row, event, provider)) return;
    const result: ProviderIntentResult = {
      providerRef: event.intentRef,
      status: event.status,
      ...(event.paymentRef !== undefined ? { paymentRef: event.paymentRef } : {}),
      ...(event.amountCaptured !== undefined ? { amountCaptured: event.amountCaptured } : {}),
      ...(event.fee !== undefined ? { fee: event.fee } : {}),
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
    // A gateway may name the intent anew (a Stripe Checkout Session) or name the payment itself (Paymob's transaction).
    const [updated] = await this.scope.deps.db.query<IntentRow>(
      `update payments_intents set status = $2, amount_captured = $3, next_action = $4, failure_reason = $5,
         provider_ref = $6, provider_payment_ref = coalesce($7, provider_payment_ref), updated_at = now()
       where id = $1 returning *`,
      [
        row.id,
        to,
        captured,
        nextAction === null ? null : JSON.stringify(nextAction),
        failureReason,
        result.providerRef || row.provider_ref,
        result.paymentRef ?? null,
      ],
    );
    await this.history(row.id, row.status, to, source, eventId);
    // Webhooks, renewals and payers act without a member: the entry then has no actor, and `source` says who moved it.
    await this.scope.deps.audit.record({
      entity: 'intent',
      verb: STATUS_VERB[to],
      target: row.id,
      before: auditedIntent(row),
      after: auditedIntent(updated!),
      data: { source, ...(eventId ? { provider_event_id: eventId } : {}) },
    });
    const payload = { intentId: row.id, provider: row.provider, amount: row.amount, currency: row.currency, metadata: row.metadata };
    if (to === 'succeeded') {
      await this.scope.deps.db.query(
        "insert into payments_transactions (intent_id, type, provider, amount, currency, fee) values ($1, 'capture', $2, $3, $4, $5)",
        [row.id, row.provider, captured, row.currency, result.fee ?? null],
      );
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
    countIntentStatus(this.scope.deps, to);
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && value.length <= 2000;
  } catch {
    return false;
  }
}
