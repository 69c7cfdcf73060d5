import { defineMigration, definePlugin } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem, runInTenant } from '../../src/db/scoped-db.js';
import { installPlugins, pluginMigrationStatus, uninstallPlugin } from '../../src/plugins/plugin-installer.js';
import { PluginError } from '../../src/plugins/plugin-registry.js';
import { createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';
import { createNotes, notesPlugin } from './fixtures/notes-plugin.js';
import { barePlugin, halfwayPlugin, registryPlugin, squatterPlugin, strayPlugin } from './fixtures/table-plugins.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';

/** Its `down` forgets to drop the table: the kit's up → down → up check must catch it. */
const leakyPlugin = definePlugin({
  name: 'leaky',
  version: '1.0.0',
  title: 'Leaky',
  description: 'An irreversible migration',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  migrations: [
    defineMigration({
      name: '001-create-items',
      async up({ createTenantTable }) {
        await createTenantTable('leaky_items', (table) => table.text('name'));
      },
      async down() {},
    }),
  ],
});

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [tagsPlugin, notesPlugin, registryPlugin, leakyPlugin] });
});
afterAll(() => t.close());

const knex = () => t.kernel.services.database.knex;
const tableExists = async (name: string) => (await knex().raw('select to_regclass(?) as found', [name])).rows[0].found !== null;
const ledger = async (scope: string) =>
  (await knex()('plinth_migrations').where({ scope }).orderBy('name').select('name', 'checksum', 'batch', 'applied_at')) as {
    name: string;
    checksum: string;
    batch: number;
    applied_at: Date;
  }[];
const installedVersion = async (name: string) =>
  ((await knex()('plinth_plugins').where({ name }).first('version')) as { version: string } | undefined)?.version;

describe('the migration ledger', () => {
  it('records each plugin’s migrations under its own scope, with checksum, batch and time, dependencies first', async () => {
    const notes = await ledger('notes');
    const tags = await ledger('tags');
    expect(notes.map((row) => row.name)).toEqual(['001-create-notes']);
    expect(tags.map((row) => row.name)).toEqual(['001-create-tag-log']);
    expect(notes[0]!.checksum).toMatch(/^[0-9a-f]{16}$/);
    expect(notes[0]!.applied_at).toBeInstanceOf(Date);
    const core = (await knex()('plinth_migrations').where({ scope: 'core' }).max('batch as batch').first()) as { batch: number };
    expect(notes[0]!.batch).toBeGreaterThan(core.batch);
    expect(tags[0]!.batch).toBeGreaterThan(notes[0]!.batch);
    expect(await installedVersion('notes')).toBe('1.2.0');
    expect(await installedVersion('tags')).toBe('0.3.0');
  });

  it('creates tenant tables with forced Row Level Security and the tenant policy', async () => {
    const [row] = (
      await knex().raw(
        "select relrowsecurity, relforcerowsecurity, exists (select 1 from pg_policy where polrelid = c.oid and polname = 'tenant_isolation') as policy from pg_class c where relname = 'notes_notes'",
      )
    ).rows;
    expect(row).toEqual({ relrowsecurity: true, relforcerowsecurity: true, policy: true });
  });

  it('lists applied and pending migrations for `plinth migrate --plan`', async () => {
    const later = defineMigration({ name: '002-later', up: async () => undefined, down: async () => undefined });
    const status = await pluginMigrationStatus(knex(), [{ ...notesPlugin, migrations: [createNotes, later] }]);
    expect(status.map((entry) => [entry.scope, entry.name, entry.appliedAt instanceof Date])).toEqual([
      ['notes', '001-create-notes', true],
      ['notes', '002-later', false],
    ]);
    expect(await tableExists('notes_notes')).toBe(true);
  });
});

describe('tables a plugin may not leave behind', () => {
  it.each([
    [
      'a table without Row Level Security',
      barePlugin,
      'bare_items',
      /plugin `bare`: table bare_items has no forced Row Level Security with a tenant policy and is not declared global/,
    ],
    [
      'RLS enabled but not forced, without the tenant policy',
      halfwayPlugin,
      'halfway_items',
      /plugin `halfway`: table halfway_items has no forced Row Level Security/,
    ],
    [
      'a table outside the plugin’s prefix (after a good one)',
      strayPlugin,
      'loose_items',
      /plugin `stray`: created (or altered )?table loose_items, outside its prefix stray_/,
    ],
    ['createTenantTable with a name outside the prefix', squatterPlugin, 'user_notes', /plugin `squatter`: table user_notes must be named squatter_…/],
  ])('refuses %s and leaves nothing behind', async (_case, plugin, table, message) => {
    const refused = installPlugins(knex(), [plugin]);
    await expect(refused).rejects.toThrow(PluginError);
    await expect(refused).rejects.toThrow(message);
    expect(await tableExists(table)).toBe(false);
    expect(await tableExists('stray_items')).toBe(false);
    expect(await ledger(plugin.name)).toEqual([]);
    expect(await installedVersion(plugin.name)).toBeUndefined();
  });

  it('refuses the boot of a kernel with such a plugin, naming it', async () => {
    await expect(createTestKernel({ plugins: [notesPlugin, barePlugin] })).rejects.toThrow(/plugin `bare`: table bare_items has no forced Row Level Security/);
  });

  it('accepts a plain table declared global, shared by every tenant', async () => {
    expect(await tableExists('registry_slugs')).toBe(true);
    expect(await knex()('plinth_global_tables').where({ table_name: 'registry_slugs' }).first('plugin', 'reason')).toEqual({
      plugin: 'registry',
      reason: 'slugs are unique across tenants',
    });
    const a = await signUp(t, { tenant: true });
    const b = await signUp(t, { tenant: true });
    const { database } = t.kernel.services;
    await runInTenant(database, a.tenant!.id, (db) => db.query("insert into registry_slugs (slug) values ('shared')"));
    const seen = await runInTenant(database, b.tenant!.id, (db) => db.query('select slug from registry_slugs'));
    expect(seen).toEqual([{ slug: 'shared' }]);
  });
});

describe('the kit’s migration check and uninstall', () => {
  it('runs notes’ migrations up → down → up', async () => {
    const before = await ledger('notes');
    await t.checkMigrations('notes');
    expect(await tableExists('notes_notes')).toBe(true);
    const after = await ledger('notes');
    expect(after.map((row) => [row.name, row.checksum])).toEqual(before.map((row) => [row.name, row.checksum]));
    expect(after[0]!.batch).toBeGreaterThan(before[0]!.batch);
  });

  it('catches a `down` that does not undo its `up`', async () => {
    await expect(t.checkMigrations('leaky')).rejects.toThrow(/leaky_items/);
  });

  it('uninstall reverts a plugin’s migrations and forgets it, global tables included', async () => {
    expect(await uninstallPlugin(knex(), registryPlugin)).toEqual(['001-create-slugs']);
    expect(await tableExists('registry_slugs')).toBe(false);
    expect(await knex()('plinth_global_tables').where({ plugin: 'registry' }).first()).toBeUndefined();
    expect(await installedVersion('registry')).toBeUndefined();
    expect(await ledger('registry')).toEqual([]);
    const rows = await runAsSystem(t.kernel.services.database, (db) => db.query("select 1 from tenant_plugins where plugin = 'registry'"));
    expect(rows).toEqual([]);
  });
});
