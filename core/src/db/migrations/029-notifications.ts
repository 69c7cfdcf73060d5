import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

const channelCheck = "('inapp', 'email', 'sms', 'whatsapp')";
const digestCheck = "('instant', 'hourly', 'daily')";

/**
 * Notifications (issue 24): one `notifications` row per send (its template, data, link, the caller's `key`, unique
 * per tenant and plugin, and what went wrong); the inbox (`notification_items`, one per recipient, rendered in their
 * language); `notification_deliveries`, one per recipient and external channel (email, SMS, WhatsApp), which the
 * delivery jobs send once; people's preferences and the tenant's defaults per category (`channels`: channel →
 * enabled, only those changed from the category's defaults); the user's verified phone number (a host column, like
 * the email) and the codes that verify it (hashed). All tenant tables have forced Row Level Security.
 */
export const notifications: Migration = {
  name: '029-notifications',
  async up(db) {
    await createTenantTable(db, 'notifications', (table) => {
      table.text('plugin').notNullable();
      table.text('template').notNullable();
      table.text('category');
      table.jsonb('data').notNullable().defaultTo('{}');
      table.text('link');
      table.text('key');
      table.integer('recipients').notNullable().defaultTo(0);
      table.text('status').notNullable();
      table.text('failure');
      table.unique(['tenant_id', 'plugin', 'key']);
    });
    await db.raw("alter table notifications add constraint notifications_status_check check (status in ('sent', 'partial', 'failed'))");

    await createTenantTable(db, 'notification_items', (table) => {
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.uuid('notification_id').notNullable().references('id').inTable('notifications').onDelete('CASCADE');
      table.text('category').notNullable();
      table.text('title').notNullable();
      table.text('body').notNullable();
      table.text('url');
      table.timestamp('read_at', { useTz: true });
    });
    await db.raw('create index notification_items_inbox_idx on notification_items (tenant_id, user_id, created_at desc, id desc)');
    await db.raw('create index notification_items_unread_idx on notification_items (tenant_id, user_id) where read_at is null');

    await createTenantTable(db, 'notification_deliveries', (table) => {
      table.uuid('notification_id').notNullable().references('id').inTable('notifications').onDelete('CASCADE');
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.text('category').notNullable();
      table.text('channel').notNullable();
      table.text('address');
      table.text('subject').notNullable();
      table.text('body').notNullable();
      table.text('url');
      table.text('digest').notNullable().defaultTo('instant');
      table.text('status').notNullable().defaultTo('pending');
      table.integer('attempts').notNullable().defaultTo(0);
      table.text('last_error');
      table.text('provider_message_id');
      table.timestamp('sent_at', { useTz: true });
    });
    await db.raw(
      `alter table notification_deliveries add constraint notification_deliveries_channel_check check (channel in ${channelCheck} and channel <> 'inapp')`,
    );
    await db.raw(`alter table notification_deliveries add constraint notification_deliveries_digest_check check (digest in ${digestCheck})`);
    await db.raw(
      "alter table notification_deliveries add constraint notification_deliveries_status_check check (status in ('pending', 'sent', 'failed', 'skipped', 'digested'))",
    );
    await db.raw('create index notification_deliveries_notification_idx on notification_deliveries (tenant_id, notification_id)');
    await db.raw(
      "create index notification_deliveries_digest_idx on notification_deliveries (digest, created_at) where status = 'pending' and digest <> 'instant'",
    );

    for (const name of ['notification_preferences', 'notification_defaults'] as const) {
      await createTenantTable(db, name, (table) => {
        if (name === 'notification_preferences') table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        table.text('category').notNullable();
        table.jsonb('channels').notNullable().defaultTo('{}');
        table.text('digest');
        table.unique(name === 'notification_preferences' ? ['tenant_id', 'user_id', 'category'] : ['tenant_id', 'category']);
      });
      await db.raw(`alter table ${name} add constraint ${name}_digest_check check (digest in ${digestCheck})`);
    }

    await db.raw('alter table users add column phone text, add column phone_verified_at timestamptz');
    await db.raw("alter table users add constraint users_phone_e164 check (phone ~ '^\\+[1-9][0-9]{6,14}$')");
    await createTenantTable(db, 'phone_verifications', (table) => {
      table.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
      table.text('phone').notNullable();
      table.text('code_hash').notNullable();
      table.integer('attempts').notNullable().defaultTo(0);
      table.timestamp('expires_at', { useTz: true }).notNullable();
      table.timestamp('used_at', { useTz: true });
      table.index(['tenant_id', 'user_id']);
    });
  },
  async down(db) {
    await db.schema.dropTable('phone_verifications');
    await db.raw('alter table users drop constraint users_phone_e164, drop column phone, drop column phone_verified_at');
    for (const table of ['notification_defaults', 'notification_preferences', 'notification_deliveries', 'notification_items', 'notifications'])
      await db.schema.dropTable(table);
  },
};
