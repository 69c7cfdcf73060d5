import type { Migration } from '../migrator.js';

/**
 * Verified emails and the links that verify them; what a session shows (issue 23, H2).
 * - `users.email_verified_at`: when the address was proved (a verification link, an invitation or a sign-in link mailed
 *   to it). Users that exist when this runs predate the rule and count as verified; customers made later by
 *   `customers.ensure` stay unverified until they use a sign-in link.
 * - `email_verifications` (host table): one single-use link each, only its token's hash kept; `email` is the address it
 *   proves: the account's own (`purpose` `verify`), or a new one it asked to change to (`change`: swapped in when used).
 * - `refresh_tokens.method`: how the session (a token family) was started, shown in `GET /me/sessions`.
 */
export const emailVerification: Migration = {
  name: '025-email-verification',
  async up(db) {
    await db.schema.alterTable('users', (table) => {
      table.timestamp('email_verified_at', { useTz: true });
    });
    await db.raw('update users set email_verified_at = created_at');

    await db.schema.createTable('email_verifications', (table) => {
      table.uuid('id').primary().defaultTo(db.raw('gen_random_uuid()'));
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.text('email').notNullable();
      table.text('purpose').notNullable().defaultTo('verify');
      table.text('token_hash').notNullable().unique();
      table.timestamp('expires_at', { useTz: true }).notNullable();
      table.timestamp('used_at', { useTz: true });
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.index(['user_id']);
    });
    await db.raw("alter table email_verifications add constraint email_verifications_purpose_check check (purpose in ('verify', 'change'))");
    await db.raw('grant select, insert, update, delete on email_verifications to plinth_system');

    await db.schema.alterTable('refresh_tokens', (table) => {
      table.text('method').notNullable().defaultTo('password');
    });
    await db.raw(
      "alter table refresh_tokens add constraint refresh_tokens_method_check check (method in ('password', 'passkey', 'oidc', 'sso', 'magic-link', 'invitation', 'registration'))",
    );
  },
  async down(db) {
    await db.schema.alterTable('refresh_tokens', (table) => {
      table.dropColumn('method');
    });
    await db.schema.dropTable('email_verifications');
    await db.schema.alterTable('users', (table) => {
      table.dropColumn('email_verified_at');
    });
  },
};
