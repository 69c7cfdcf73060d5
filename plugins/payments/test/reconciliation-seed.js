// Seeds payments for the `payments.reconciliation` report in bulk, in one statement (insert … select
// generate_series): for bench/report-rows.js (plain Node, so JavaScript) and the report's tests.

/**
 * Inserts `payments` succeeded intents of tenant `tenantId`, each with its capture transaction (a fee of 30 + 2.9 %),
 * and for every fifth a refund of half its amount with its refund transaction: `payments + floor(payments / 5)`
 * transaction rows, `spacingSeconds` apart from `start` (refunds an hour after their capture). Amounts are
 * `1000 + g % 9000` minor units of `currency`, for g = 1…payments. Runs as a role that bypasses Row Level Security
 * (the database owner), naming the tenant explicitly.
 *
 * @param {{ query(text: string, values?: unknown[]): Promise<unknown> }} client a pg client or pool
 * @param {{ tenantId: string, payments: number, start: Date, spacingSeconds?: number, provider?: string, currency?: string }} options
 * @returns {Promise<{ transactions: number }>} how many transaction rows the report will list
 */
export async function seedReconciliation(client, { tenantId, payments, start, spacingSeconds = 1, provider = 'test', currency = 'USD' }) {
  await client.query(
    `with intents as (
       insert into payments_intents (tenant_id, provider, provider_ref, status, amount, currency, amount_captured, amount_refunded, description, created_at, updated_at)
       select $1, $2, 'pi_' || replace(gen_random_uuid()::text, '-', ''), case when g % 5 = 0 then 'partially_refunded' else 'succeeded' end,
              1000 + g % 9000, $3, 1000 + g % 9000, case when g % 5 = 0 then (1000 + g % 9000) / 2 else 0 end, 'Seeded payment ' || g,
              $4::timestamptz + g * make_interval(secs => $5), $4::timestamptz + g * make_interval(secs => $5)
         from generate_series(1, $6::int) g
       returning id, provider_ref, amount, amount_refunded, created_at
     ), captures as (
       insert into payments_transactions (tenant_id, intent_id, type, provider, amount, currency, fee, created_at, updated_at)
       select $1, id, 'capture', $2, amount, $3, 30 + amount * 29 / 1000, created_at, created_at from intents
     ), refunds as (
       insert into payments_refunds (tenant_id, intent_id, amount, currency, status, provider_ref, created_at, updated_at)
       select $1, id, amount_refunded, $3, 'succeeded', 're_' || provider_ref, created_at + interval '1 hour', created_at + interval '1 hour'
         from intents where amount_refunded > 0
       returning id, intent_id, amount, created_at
     )
     insert into payments_transactions (tenant_id, intent_id, refund_id, type, provider, amount, currency, created_at, updated_at)
     select $1, intent_id, id, 'refund', $2, amount, $3, created_at, created_at from refunds`,
    [tenantId, provider, currency, start.toISOString(), spacingSeconds, payments],
  );
  return { transactions: payments + Math.floor(payments / 5) };
}
