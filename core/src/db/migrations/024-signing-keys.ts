import type { Migration } from '../migrator.js';

/**
 * Asymmetric keys that sign access tokens (issue 23). A host table, read and written on the system path only. `kid` is
 * the RFC 7638 thumbprint of the public JWK. Exactly one key is active (`retired_at` null); a retired key has lost its
 * private part (it never signs again) and still verifies until `verify_until` (its retirement + the access-token
 * lifetime + clock skew); rows past that are kept a while so a token signed by such a key is refused as such (and
 * audited), then deleted (docs/identity.md, "Access tokens, keys and the JWKS").
 */
export const signingKeys: Migration = {
  name: '024-signing-keys',
  async up(db) {
    await db.schema.createTable('signing_keys', (table) => {
      table.text('kid').primary();
      table.text('alg').notNullable();
      table.jsonb('public_jwk').notNullable();
      table.text('private_key_enc');
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('activated_at', { useTz: true }).notNullable();
      table.timestamp('retired_at', { useTz: true });
      table.timestamp('verify_until', { useTz: true });
    });
    await db.raw("alter table signing_keys add constraint signing_keys_alg_check check (alg in ('EdDSA', 'ES256', 'RS256'))");
    await db.raw(
      'alter table signing_keys add constraint signing_keys_state_check check ((retired_at is null) = (verify_until is null) and (retired_at is null) = (private_key_enc is not null))',
    );
    await db.raw('create unique index signing_keys_one_active on signing_keys ((true)) where retired_at is null');
    await db.raw('grant select, insert, update, delete on signing_keys to plinth_system');
  },
  async down(db) {
    await db.schema.dropTable('signing_keys');
  },
};
