import { defineMigration, definePlugin, type Plugin } from '@plinth/sdk';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/database.js';
import { createTestDatabase, createTestKernel, type TestKernel } from '../../src/testing/index.js';
import { createNotes, notesPlugin } from './fixtures/notes-plugin.js';

// Kernels booting on a database an earlier kernel left behind: what a host's next start meets.
describe('upgrades and refusals on the next start', () => {
  let first: TestKernel;
  beforeAll(async () => {
    first = await createTestKernel({ plugins: [notesPlugin] });
    await first.kernel.stop();
  });
  afterAll(() => first.close());

  it('refuses a changed, already-applied migration', async () => {
    const changed = defineMigration({
      ...createNotes,
      async up({ createTenantTable }) {
        await createTenantTable('notes_notes', (table) => table.text('title').notNullable().defaultTo('untitled'));
      },
    });
    await expect(createTestKernel({ database: first.database, plugins: [{ ...notesPlugin, migrations: [changed] }] })).rejects.toThrow(
      'plugin `notes`: notes: migration 001-create-notes was changed after it was applied; add a new migration instead',
    );
  });

  it('refuses an applied migration that vanished from the code', async () => {
    await expect(createTestKernel({ database: first.database, plugins: [{ ...notesPlugin, version: '1.2.1', migrations: [] }] })).rejects.toThrow(
      /notes: migration 001-create-notes is applied in the database but missing from the code/,
    );
  });

  it('refuses a version downgrade', async () => {
    await expect(createTestKernel({ database: first.database, plugins: [{ ...notesPlugin, version: '1.1.9' }] })).rejects.toThrow(
      'plugin `notes` 1.1.9 is older than the installed 1.2.0; downgrades are refused',
    );
  });

  it('upgrades: runs only the new migration in a new batch and records the new version', async () => {
    const added = defineMigration({
      name: '002-add-pinned',
      async up({ db }) {
        await db.schema.alterTable('notes_notes', (table) => table.boolean('pinned').notNullable().defaultTo(false));
      },
      async down({ db }) {
        await db.schema.alterTable('notes_notes', (table) => table.dropColumn('pinned'));
      },
    });
    const upgraded: Plugin = { ...notesPlugin, version: '1.3.0', migrations: [createNotes, added] };
    const second = await createTestKernel({ database: first.database, plugins: [upgraded] });
    try {
      const rows = (await second.kernel.services.database.knex('plinth_migrations').where({ scope: 'notes' }).orderBy('name').select('name', 'batch')) as {
        name: string;
        batch: number;
      }[];
      expect(rows.map((row) => row.name)).toEqual(['001-create-notes', '002-add-pinned']);
      expect(rows[1]!.batch).toBeGreaterThan(rows[0]!.batch);
      expect((await second.kernel.services.database.knex('plinth_plugins').where({ name: 'notes' }).first('version')).version).toBe('1.3.0');
    } finally {
      await second.close();
    }
  });
  it('refuses a plugin whose setup outlives the boot timeout, naming it, and keeps nothing it did after', async () => {
    const database = await createTestDatabase();
    const slow = definePlugin({
      name: 'slow',
      version: '1.0.0',
      title: 'Slow',
      description: 'Takes its time',
      category: 'testing',
      requires: { core: '>=0.1.0' },
      migrations: [
        defineMigration({
          name: '001-create-items',
          async up({ createTenantTable }) {
            await delay(1000);
            await createTenantTable('slow_items', (table) => table.text('name'));
          },
          async down({ db }) {
            await db.schema.dropTable('slow_items');
          },
        }),
      ],
    });
    try {
      await expect(createTestKernel({ database, plugins: [slow], env: { PLINTH_PLUGIN_BOOT_TIMEOUT_MS: '200' } })).rejects.toThrow(
        'plugin `slow` setup timed out after 200 ms',
      );
      const check = createDatabase({ url: database.url, poolMax: 1 });
      const left = await check.knex.raw(
        "select to_regclass('slow_items') as found, (select count(*)::int from plinth_migrations where scope = 'slow') as applied",
      );
      await check.destroy();
      expect(left.rows).toEqual([{ found: null, applied: 0 }]);
    } finally {
      await database.drop();
    }
  });
});
