import { defineMigration } from '@plinth/sdk';

/**
 * A capture's fee, when its gateway reports one (minor units of the capture's currency), and the indexes the
 * reconciliation report streams by: every transaction of a tenant in time order, or one provider's.
 */
export const addTransactionFees = defineMigration({
  name: '004-add-transaction-fees',
  async up({ db }) {
    await db.raw('alter table payments_transactions add column fee integer');
    await db.raw('alter table payments_transactions add constraint payments_transactions_fee check (fee is null or fee >= 0)');
    await db.raw('create index payments_transactions_reconciliation on payments_transactions (tenant_id, created_at, id)');
    await db.raw('create index payments_transactions_provider_reconciliation on payments_transactions (tenant_id, provider, created_at, id)');
  },
  async down({ db }) {
    await db.raw('drop index payments_transactions_provider_reconciliation');
    await db.raw('drop index payments_transactions_reconciliation');
    await db.raw('alter table payments_transactions drop column fee');
  },
});
