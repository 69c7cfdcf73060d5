import { defineMigration } from '@plinth/sdk';

/**
 * Members' in-app notifications moved to the kernel's inbox (`/api/v1/notifications`): in-app rules notify through
 * the `notify` service. The plugin's own inbox goes; its items are not copied (the kernel's tables are core's).
 */
export const dropInbox = defineMigration({
  name: '004-drop-inbox',
  async up({ db }) {
    await db.schema.dropTable('integrations_inbox');
  },
  async down({ createTenantTable }) {
    await createTenantTable('integrations_inbox', (table) => {
      table.uuid('user_id').notNullable();
      table.text('title').notNullable();
      table.text('body').notNullable();
      table.text('event_name');
      table.timestamp('read_at', { useTz: true });
      table.index(['tenant_id', 'user_id', 'created_at']);
    });
  },
});
