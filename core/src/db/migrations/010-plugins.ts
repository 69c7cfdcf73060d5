import type { Migration } from '../migrator.js';
import { createTenantTable } from '../tenant-tables.js';

/** Installed plugins, global tables they declared, per-tenant enablement, and the event outbox. */
export const plugins: Migration = {
  name: '010-plugins',
  async up(db) {
    await db.schema.createTable('plinth_plugins', (table) => {
      table.text('name').primary();
      table.text('version').notNullable();
      table.timestamp('installed_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    await db.schema.createTable('plinth_global_tables', (table) => {
      table.text('table_name').primary();
      table.text('plugin').notNullable();
      table.text('reason').notNullable();
    });
    await db.raw('grant select on plinth_plugins, plinth_global_tables to plinth_system');

    await createTenantTable(db, 'tenant_plugins', (table) => {
      table.text('plugin').notNullable();
      table.boolean('enabled').notNullable().defaultTo(true);
      table.jsonb('settings').notNullable().defaultTo('{}');
      table.timestamp('enabled_at', { useTz: true });
      table.timestamp('disabled_at', { useTz: true });
      table.unique(['tenant_id', 'plugin']);
    });

    await createTenantTable(db, 'plinth_events', (table) => {
      table.text('name').notNullable();
      table.jsonb('payload').notNullable();
      table.text('emitted_by').notNullable();
      table.timestamp('enqueued_at', { useTz: true });
      table.timestamp('dispatched_at', { useTz: true });
    });
    await db.raw('create index plinth_events_undispatched on plinth_events (created_at) where dispatched_at is null');
    await createTenantTable(db, 'plinth_event_deliveries', (table) => {
      table.uuid('event_id').notNullable().references('id').inTable('plinth_events').onDelete('CASCADE');
      table.text('handler').notNullable();
      table.unique(['tenant_id', 'event_id', 'handler']);
    });
  },
  async down(db) {
    for (const table of ['plinth_event_deliveries', 'plinth_events', 'tenant_plugins', 'plinth_global_tables', 'plinth_plugins'])
      await db.schema.dropTable(table);
  },
};
