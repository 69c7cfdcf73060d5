import { defineMigration, definePlugin, type Plugin, type PluginMigration } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel, type TestUser } from '../../src/testing/index.js';

function unitsPlugin(name: string, migrations: PluginMigration[]): Plugin {
  return definePlugin({
    name,
    version: '1.0.0',
    title: name,
    description: `The ${name} fixture`,
    category: 'testing',
    requires: { core: '>=0.1.0' },
    migrations,
  });
}

/** Rooms have units from the start, bookings gain them in a later migration, notes never have any. */
const desks = unitsPlugin('desks', [
  defineMigration({
    name: '001-create-tables',
    async up({ createTenantTable }) {
      await createTenantTable('desks_rooms', (table) => table.text('name'), { units: true });
      await createTenantTable('desks_bookings', (table) => table.text('who'));
      await createTenantTable('desks_notes', (table) => table.text('body'));
    },
    async down({ db }) {
      for (const table of ['desks_notes', 'desks_bookings', 'desks_rooms']) await db.schema.dropTable(table);
    },
  }),
  defineMigration({
    name: '002-bookings-by-unit',
    async up({ addUnitScope }) {
      await addUnitScope('desks_bookings');
    },
    async down({ db }) {
      await db.raw('drop policy unit_scope on desks_bookings');
      await db.schema.alterTable('desks_bookings', (table) => table.dropColumn('unit_id'));
    },
  }),
]);

/** Its tables start with `desks_` too: they are its own, not desks'. */
const desksExtra = unitsPlugin('desks-extra', [
  defineMigration({
    name: '001-create-items',
    async up({ createTenantTable }) {
      await createTenantTable('desks_extra_items', (table) => table.text('name'), { units: true });
    },
    async down({ db }) {
      await db.schema.dropTable('desks_extra_items');
    },
  }),
]);

/** No table with units at all. */
const plain = unitsPlugin('plain', [
  defineMigration({
    name: '001-create-items',
    async up({ createTenantTable }) {
      await createTenantTable('plain_items', (table) => table.text('name'));
    },
    async down({ db }) {
      await db.schema.dropTable('plain_items');
    },
  }),
]);

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [desks, desksExtra, plain], tenants: ['campus'] });
  owner = t.tenants.campus!;
});
afterAll(() => t?.close());

const marketplace = async (path = '') => {
  const response = await t.request('GET', `/api/v1/marketplace${path}`, { headers: owner.headers });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.data;
};

describe('the marketplace says which tables of a plugin have organisation units', () => {
  it('lists the tables the database ties to org_units, whichever helper gave them units', async () => {
    const plugins = (await marketplace()) as { name: string; unit_tables: string[] }[];
    const byName = Object.fromEntries(plugins.map((plugin) => [plugin.name, plugin.unit_tables]));
    expect(byName.desks).toEqual(['desks_bookings', 'desks_rooms']);
    expect(byName['desks-extra']).toEqual(['desks_extra_items']);
    expect(byName.plain).toEqual([]);
  });

  it('shows the same on one plugin’s page, enabled or not', async () => {
    expect((await marketplace('/desks')).unit_tables).toEqual(['desks_bookings', 'desks_rooms']);
    await t.enable(owner, 'desks');
    expect((await marketplace('/desks')).unit_tables).toEqual(['desks_bookings', 'desks_rooms']);
  });
});
