import type { Migration } from '../migrator.js';

/**
 * WebAuthn credentials and their challenges (issue 23, passkeys). Host tables, like `users`: read and written on the
 * system path only. `credential_id` is the credential's id as the browser sends it (base64url); `counter` is the
 * authenticator's signature counter, which must grow with each use once it is not zero (a clone repeats it).
 * A challenge is spent once (`used_at`), whatever the outcome, and lives five minutes; `user_id` binds a
 * registration's challenge to the user who asked for it (sign-in and second-factor challenges name nobody).
 */
export const passkeys: Migration = {
  name: '028-passkeys',
  async up(db) {
    await db.schema.createTable('passkeys', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.text('credential_id').notNullable().unique();
      table.binary('public_key').notNullable();
      table.bigInteger('counter').notNullable().defaultTo(0);
      table.specificType('transports', 'text[]').notNullable().defaultTo('{}');
      table.text('device_type').notNullable();
      table.boolean('backed_up').notNullable().defaultTo(false);
      table.text('name').notNullable();
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('last_used_at', { useTz: true });
      table.index(['user_id']);
    });
    await db.raw("alter table passkeys add constraint passkeys_device_type_check check (device_type in ('singleDevice', 'multiDevice'))");
    await db.schema.createTable('webauthn_challenges', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.text('challenge').notNullable().unique();
      table.uuid('user_id').references('id').inTable('users').onDelete('CASCADE');
      table.text('purpose').notNullable();
      table.timestamp('expires_at', { useTz: true }).notNullable();
      table.timestamp('used_at', { useTz: true });
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.index(['expires_at']);
    });
    await db.raw(
      "alter table webauthn_challenges add constraint webauthn_challenges_purpose_check check (purpose in ('register', 'sign_in', 'second_factor'))",
    );
    await db.raw("alter table webauthn_challenges add constraint webauthn_challenges_register_user_check check (purpose <> 'register' or user_id is not null)");
    await db.raw('grant select, insert, update, delete on passkeys, webauthn_challenges to plinth_system');
  },
  async down(db) {
    await db.schema.dropTable('webauthn_challenges');
    await db.schema.dropTable('passkeys');
  },
};
