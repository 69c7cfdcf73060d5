import type pg from 'pg';

/**
 * Makes a moved tenant's staged billing rows (`plinth_transfer_rows`, tenant-transfer-import.ts) fit this host before
 * they are inserted, and answers a warning for the operator when something could not move as it was:
 * - `tenant_subscriptions`: a plan this host does not have (another host's) becomes the default plan, and the
 *   provider's subscription (another payment account's) is left behind: the tenant starts here unbilled, `ok`.
 * - `tenant_subscription_addons`: add-ons running with no provider subscription to bill them end.
 * - `billing_invoices`: the invoice numbers' sequence moves past the imported ones, so new numbers never repeat one.
 */
export async function adaptBillingRows(client: pg.ClientBase, table: string, tenantId: string): Promise<string | undefined> {
  if (table === 'tenant_subscriptions') {
    const reset = await client.query(
      `with foreign_plan as (
         select s.ctid as row_id, (s.line->>'provider') is not null as paid from plinth_transfer_rows s
          where not exists (select 1 from billing_plans p where p.id::text = s.line->>'plan_id'))
       update plinth_transfer_rows s set line = s.line || jsonb_build_object(
          'plan_id', (select id from billing_plans where is_default), 'status', 'active', 'currency', null, 'interval', null,
          'provider', null, 'provider_customer_id', null, 'provider_subscription_id', null, 'current_period_start', null,
          'current_period_end', null, 'trial_ends_at', null, 'cancel_at_period_end', false, 'canceled_at', null,
          'past_due_since', null, 'dunning_notices', 0, 'payment_method', null, 'provider_synced_at', null)
         from foreign_plan f where s.ctid = f.row_id
       returning f.paid`,
    );
    if (!reset.rowCount) return undefined;
    await client.query("update tenants set billing_status = 'ok' where id = $1", [tenantId]);
    // A tenant on another host's free plan lands on this one's: nothing to say.
    if (!(reset.rows as { paid: boolean }[]).some((row) => row.paid)) return undefined;
    return "the tenant's plan does not exist on this host: it is on the default plan, unbilled (its provider subscription stayed with the old host)";
  }
  if (table === 'tenant_subscription_addons') {
    const ended = await client.query(
      `update plinth_transfer_rows s set line = s.line || jsonb_build_object('status', 'ended', 'ended_at', now())
        where s.line->>'status' = 'active'
          and not exists (select 1 from tenant_subscriptions x where x.tenant_id = $1 and x.provider is not null)`,
      [tenantId],
    );
    return ended.rowCount ? `${ended.rowCount} paid add-on(s) ended: no subscription on this host bills them` : undefined;
  }
  if (table === 'billing_invoices') {
    await client.query(
      `select setval('billing_invoice_numbers', greatest((select last_value from billing_invoice_numbers), max(substring(s.line->>'number' from '(\\d+)$')::bigint)))
         from plinth_transfer_rows s having max(substring(s.line->>'number' from '(\\d+)$')::bigint) is not null`,
    );
  }
  return undefined;
}
