import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptBillingRows } from '../../src/billing/transfer-billing.js';
import { createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

/** Stages `rows` as an import would and runs `fn` in a transaction that is rolled back. */
async function staged<T>(rows: object[], fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await t.kernel.services.database.acquireAnyScope();
  try {
    await client.query('begin');
    // As the import runs: the system role, no tenant.
    await client.query("select set_config('role', 'plinth_system', true), set_config('app.tenant_id', '', true)");
    await client.query('create temp table plinth_transfer_rows (line jsonb not null) on commit drop');
    await client.query('insert into plinth_transfer_rows (line) select value from jsonb_array_elements($1::jsonb)', [JSON.stringify(rows)]);
    return await fn(client);
  } finally {
    await client.query('rollback');
    await t.kernel.services.database.release(client);
  }
}
const lines = (client: pg.Client) =>
  client.query<{ line: Record<string, unknown> }>('select line from plinth_transfer_rows').then((result) => result.rows.map((row) => row.line));

describe('a moved tenant’s billing rows', () => {
  it('puts a subscription to another host’s paid plan on the default plan, without the old provider, and says so', async () => {
    const owner = await signUp(t, { tenant: true });
    const [free] = await t.sql<{ id: string }>('select id from billing_plans where is_default');
    const row = {
      tenant_id: owner.tenant!.id,
      plan_id: randomUUID(),
      status: 'past_due',
      provider: 'stripe',
      provider_customer_id: 'cus_1',
      past_due_since: '2026-01-01T00:00:00Z',
    };
    await staged([row], async (client) => {
      await client.query("update tenants set billing_status = 'read_only' where id = $1", [owner.tenant!.id]);
      expect(await adaptBillingRows(client, 'tenant_subscriptions', owner.tenant!.id)).toMatch(/default plan, unbilled/);
      expect(await lines(client)).toEqual([
        expect.objectContaining({ plan_id: free!.id, status: 'active', provider: null, provider_customer_id: null, past_due_since: null }),
      ]);
      expect((await client.query('select billing_status from tenants where id = $1', [owner.tenant!.id])).rows).toEqual([{ billing_status: 'ok' }]);
    });
  });

  it('keeps a subscription to a plan this host has, and is silent about another host’s free plan', async () => {
    const owner = await signUp(t, { tenant: true });
    const [free] = await t.sql<{ id: string }>('select id from billing_plans where is_default');
    await staged([{ plan_id: free!.id, provider: 'test' }], async (client) => {
      expect(await adaptBillingRows(client, 'tenant_subscriptions', owner.tenant!.id)).toBeUndefined();
      expect(await lines(client)).toEqual([{ plan_id: free!.id, provider: 'test' }]);
    });
    await staged([{ plan_id: randomUUID(), provider: null }], async (client) => {
      expect(await adaptBillingRows(client, 'tenant_subscriptions', owner.tenant!.id)).toBeUndefined();
      expect(await lines(client)).toEqual([expect.objectContaining({ plan_id: free!.id })]);
    });
  });

  it('ends add-ons no subscription bills, and moves the invoice numbers past the imported ones', async () => {
    const owner = await signUp(t, { tenant: true });
    await staged(
      [
        { plugin: 'shop', status: 'active' },
        { plugin: 'crm', status: 'ended' },
      ],
      async (client) => {
        expect(await adaptBillingRows(client, 'tenant_subscription_addons', owner.tenant!.id)).toMatch(/1 paid add-on/);
        expect((await lines(client)).map((line) => line.status)).toEqual(['ended', 'ended']);
      },
    );
    await staged([{ number: 'INV-004711' }, { number: 'INV-000002' }], async (client) => {
      expect(await adaptBillingRows(client, 'billing_invoices', owner.tenant!.id)).toBeUndefined();
      expect((await client.query("select nextval('billing_invoice_numbers')::int as n")).rows).toEqual([{ n: 4712 }]);
    });
  });
});
