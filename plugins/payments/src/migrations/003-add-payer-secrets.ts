import { defineMigration } from '@plinth/sdk';

/**
 * The payer's side of an intent: the hash of its client secret (intents created before have none and cannot be
 * paid by a payer), the gateway's own client secret (Stripe's, sealed) and where a redirect gateway sends the
 * buyer back, and the gateway's id of the
 * payment when it is not the intent's (Paymob's transaction, to refund).
 */
export const addPayerSecrets = defineMigration({
  name: '003-add-payer-secrets',
  async up({ db }) {
    await db.schema.alterTable('payments_intents', (table) => {
      table.text('client_secret_hash');
      table.text('gateway_secret_sealed');
      table.text('return_url');
      table.text('provider_payment_ref');
    });
  },
  async down({ db }) {
    await db.schema.alterTable('payments_intents', (table) => {
      table.dropColumn('client_secret_hash');
      table.dropColumn('gateway_secret_sealed');
      table.dropColumn('return_url');
      table.dropColumn('provider_payment_ref');
    });
  },
});
