import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError, type FieldErrors } from '@plinth/sdk';
import { paymentsErrors } from '../errors.js';
import type { NewRefund, Refund } from '../contract.js';
import type { Scope } from '../deps.js';
import type { ProviderWebhookEvent } from '../providers/provider.js';
import { auditedIntent, metadataErrors, type IntentRow } from './intent-rows.js';
import type { Intents } from './intents.js';
import { callGateway, type Providers } from './providers.js';
import { countRefund } from './metrics.js';

/** A stored refund. */
export interface RefundRow {
  id: string;
  intent_id: string;
  amount: number;
  currency: string;
  status: Refund['status'];
  reason: string | null;
  metadata: Record<string, string>;
  provider_ref: string | null;
  created_at: Date;
}

export function refundView(row: RefundRow): Refund {
  return {
    id: row.id,
    intent_id: row.intent_id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    reason: row.reason,
    metadata: row.metadata,
    created_at: row.created_at.toISOString(),
  };
}

/**
 * Refunds, full or partial. The intent row is locked while the amount is reserved, so concurrent refunds queue
 * and together never exceed what was captured; pending refunds count against it until they fail.
 */
export class Refunds {
  constructor(
    private readonly scope: Scope,
    private readonly providers: Providers,
    private readonly intents: Intents,
  ) {}

  async create(input: Omit<NewRefund, 'idempotencyKey'>): Promise<Refund> {
    const errors: FieldErrors = { ...metadataErrors(input.metadata) };
    if (input.amount !== undefined && (!Number.isInteger(input.amount) || input.amount < 1))
      errors.amount = ['must be a whole number of minor units, at least 1'];
    if (input.reason !== undefined && (typeof input.reason !== 'string' || input.reason.length > 500)) errors.reason = ['must be at most 500 characters'];
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    const intent = await this.intents.lock(input.intentId);
    if (intent.status !== 'succeeded' && intent.status !== 'partially_refunded') {
      throw paymentsErrors.not_refundable(`A ${intent.status} payment intent has nothing to refund`);
    }
    const refundable = intent.amount_captured - intent.amount_refunded;
    const amount = input.amount ?? refundable;
    if (amount > refundable || amount < 1) {
      throw paymentsErrors.refund_exceeds_captured(`At most ${refundable} can still be refunded`, { errors: { amount: [`must be at most ${refundable}`] } });
    }
    const { provider, config } = await this.providers.resolve(intent.provider);
    const id = randomUUID();
    const result = await callGateway(this.scope, provider, 'refund', () =>
      provider.refund(
        {
          refundId: id,
          intentId: intent.id,
          providerRef: intent.provider_ref!,
          paymentRef: intent.provider_payment_ref,
          amount,
          currency: intent.currency,
          reason: input.reason ?? null,
        },
        config,
      ),
    );
    const [row] = await this.scope.deps.db.query<RefundRow>(
      `insert into payments_refunds (id, intent_id, amount, currency, status, reason, metadata, provider_ref) values ($1, $2, $3, $4, 'pending', $5, $6, $7) returning *`,
      [id, intent.id, amount, intent.currency, input.reason ?? null, JSON.stringify(input.metadata ?? {}), result.providerRef],
    );
    await this.scope.deps.audit.record({ entity: 'refund', verb: 'created', target: row!.id, after: { ...refundView(row!) }, data: { intent_id: intent.id } });
    await this.reserve(intent, amount, row!.id);
    return refundView(await this.settle(row!, result.status, intent));
  }

  async get(id: string): Promise<Refund> {
    const row = await this.scope.deps.db.one<RefundRow>('select * from payments_refunds where id = $1', [id]);
    if (!row) throw new NotFoundError('Refund not found');
    return refundView(row);
  }

  /** Applies a verified refund webhook (pending → succeeded | failed; settled refunds do not change). */
  async applyWebhook(provider: string, event: Extract<ProviderWebhookEvent, { type: 'refund' }>): Promise<void> {
    const found = await this.scope.deps.db.one<{ intent_id: string }>(
      'select r.intent_id from payments_refunds r join payments_intents i on i.id = r.intent_id where r.provider_ref = $1 and i.provider = $2',
      [event.refundRef, provider],
    );
    if (!found) return;
    const intent = await this.intents.lock(found.intent_id);
    const row = await this.scope.deps.db.one<RefundRow>('select * from payments_refunds where provider_ref = $1 for update', [event.refundRef]);
    if (row) await this.settle(row, event.status, intent);
  }

  /** Moves a pending refund to its outcome: success emits the event, failure releases its amount. */
  private async settle(row: RefundRow, status: RefundRow['status'], intent: IntentRow): Promise<RefundRow> {
    if (row.status !== 'pending' || status === 'pending') return row;
    const [updated] = await this.scope.deps.db.query<RefundRow>('update payments_refunds set status = $2, updated_at = now() where id = $1 returning *', [
      row.id,
      status,
    ]);
    await this.scope.deps.audit.record({ entity: 'refund', verb: status, target: row.id, before: { ...refundView(row) }, after: { ...refundView(updated!) } });
    countRefund(this.scope.deps, status);
    if (status === 'failed') {
      await this.reserve(intent, -row.amount, row.id);
      return updated!;
    }
    await this.scope.deps.db.query(
      "insert into payments_transactions (intent_id, refund_id, type, provider, amount, currency) values ($1, $2, 'refund', $3, $4, $5)",
      [intent.id, row.id, intent.provider, row.amount, row.currency],
    );
    await this.scope.deps.events.emit('payments.refund.succeeded', {
      intentId: intent.id,
      provider: intent.provider,
      amount: intent.amount,
      currency: intent.currency,
      metadata: intent.metadata,
      refundId: row.id,
      refundAmount: row.amount,
      refundMetadata: row.metadata,
    });
    return updated!;
  }

  /** Adds (or releases, for a failed refund) a refunded amount on the locked intent and moves its status accordingly. */
  private async reserve(intent: IntentRow, delta: number, refundId: string): Promise<void> {
    const [after] = await this.scope.deps.db.query<IntentRow>(
      `update payments_intents set amount_refunded = amount_refunded + $2,
         status = case when amount_refunded + $2 = 0 then 'succeeded' when amount_refunded + $2 >= amount_captured then 'refunded' else 'partially_refunded' end,
         updated_at = now()
       where id = $1 returning *`,
      [intent.id, delta],
    );
    if (!after) return;
    if (after.status !== intent.status) await this.intents.history(intent.id, intent.status, after.status, 'refund', null);
    await this.scope.deps.audit.record({
      entity: 'intent',
      verb: delta > 0 ? 'refunded' : 'refund_released',
      target: intent.id,
      before: auditedIntent(intent),
      after: auditedIntent(after),
      data: { refund_id: refundId, amount: Math.abs(delta) },
    });
    Object.assign(intent, after);
  }
}
