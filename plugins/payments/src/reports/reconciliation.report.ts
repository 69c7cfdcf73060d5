import { type Static, Type, ValidationError, type ReportDefinition, type TObject } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { paymentsPermissions } from '../permissions.js';

const ReconciliationParams = Type.Object(
  {
    from: Type.String({ format: 'date', title: 'From', description: "First day, in the tenant's time zone" }),
    to: Type.String({ format: 'date', title: 'To', description: 'Last day, included' }),
    provider: Type.Optional(
      Type.String({ pattern: '^[a-z0-9_-]{1,40}$', title: 'Provider', description: 'Only this provider’s captures and refunds; every provider when unset' }),
    ),
  },
  { additionalProperties: false },
);

/** `to` must not be before `from` (a schema cannot say it): 422 before a run is queued. */
function checkRange(params: { from: string; to: string }): void {
  if (params.to < params.from) throw new ValidationError({ to: ['must not be before from'] });
}

type Params = Static<typeof ReconciliationParams>;

/**
 * The transactions of the range: `$1`/`$2` the days, `$3` the tenant's zone, `$4` the provider when asked. Served by
 * the indexes of migration 004 — (tenant_id, created_at, id), or (tenant_id, provider, created_at, id) with a
 * provider — in the report's order, so rows leave as soon as they are read, whatever the range.
 */
function inRange(params: Params, timeZone: string): { where: string; values: unknown[] } {
  return {
    where: `t.created_at >= ($1::date::timestamp at time zone $3) and t.created_at < (($2::date + 1)::timestamp at time zone $3)${params.provider ? ' and t.provider = $4' : ''}`,
    values: [params.from, params.to, timeZone, ...(params.provider ? [params.provider] : [])],
  };
}

/**
 * `payments.reconciliation`: one row per capture and per refund in the range, to match against the providers'
 * statements: when, which provider and its reference of the money movement, the amount (refunds negative), the fee
 * when the provider reported one, the net, the currency, the payment (intent) and what it was for.
 */
export function reconciliationReport({ report }: Builders): ReportDefinition<TObject, unknown, unknown> {
  return report({
    name: 'payments.reconciliation',
    title: 'Payments reconciliation',
    description: 'Every capture and refund by provider, with fees and net amounts (refunds negative), to match against the providers’ statements',
    permission: paymentsPermissions['transactions.view'],
    params: ReconciliationParams,
    check: checkRange,
    columns: [
      { key: 'date', label: 'Date', type: 'datetime' },
      { key: 'provider', label: 'Provider' },
      { key: 'provider_reference', label: 'Provider reference' },
      { key: 'kind', label: 'Kind' },
      { key: 'amount', label: 'Amount', type: 'money', currencyKey: 'currency' },
      { key: 'fee', label: 'Fee', type: 'money', currencyKey: 'currency' },
      { key: 'net', label: 'Net', type: 'money', currencyKey: 'currency' },
      { key: 'currency', label: 'Currency' },
      { key: 'payment_id', label: 'Payment' },
      { key: 'reference', label: 'Reference' },
    ],
    async count({ params, deps, ctx }) {
      const { where, values } = inRange(params, ctx.tenant.timeZone);
      const row = await deps.db.one<{ count: number }>(`select count(*)::int as count from payments_transactions t where ${where}`, values);
      return row!.count;
    },
    rows({ params, deps, ctx }) {
      const { where, values } = inRange(params, ctx.tenant.timeZone);
      return deps.db.stream(
        `select t.created_at as date, t.provider,
                case when t.type = 'refund' then r.provider_ref else coalesce(i.provider_payment_ref, i.provider_ref) end as provider_reference,
                t.type as kind, case when t.type = 'refund' then -t.amount else t.amount end as amount, t.fee,
                case when t.type = 'refund' then -t.amount else t.amount end - coalesce(t.fee, 0) as net,
                t.currency, t.intent_id as payment_id, i.description as reference
           from payments_transactions t
           join payments_intents i on i.id = t.intent_id
           left join payments_refunds r on r.id = t.refund_id
          where ${where}
          order by t.created_at, t.id`,
        values,
        { batchSize: 5000 },
      );
    },
  });
}
