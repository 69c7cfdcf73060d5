import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrate } from '../../src/cli/migrate.js';
import { runPluginList, runPluginUninstall } from '../../src/cli/plugin.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { PlinthConfig } from '../../src/config/variables.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { PluginError } from '../../src/plugins/plugin-registry.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

// `plinth migrate [--plan|--status]` and `plinth plugin list|uninstall`, in-process, on a database of their own.
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
let db: TestDatabase;
let database: Database;
let base: PlinthConfig;
beforeAll(async () => {
  db = await createTestDatabase();
  database = createDatabase({ url: db.url, poolMax: 1 });
  base = await loadConfig({
    env: { DATABASE_URL: db.url, LOG_LEVEL: 'silent', PLINTH_CONSOLE: 'false', PLINTH_JWT_SECRET: 'cli-test-secret-cli-test-secret-012345' },
  });
});
afterAll(async () => {
  await database.destroy();
  await db.drop();
});

/** Runs a command with `plugins` configured, collecting its lines and exit code. */
async function run<T>(plugins: string[], command: (config: PlinthConfig, print: (line: string) => void) => Promise<T>) {
  const lines: string[] = [];
  const result = await command({ ...base, plugins }, (line) => lines.push(line));
  return { result, out: lines.join('\n') };
}
const migrateWith = (plugins: string[], options: { plan?: boolean; statusOnly?: boolean } = {}) =>
  run(plugins, (config, print) => runMigrate(config, { ...options, cwd: fixtures }, print));
const listWith = (plugins: string[]) => run(plugins, (config, print) => runPluginList(config, { cwd: fixtures }, print));
const uninstallWith = (plugins: string[], name: string, yes: boolean) =>
  run(plugins, (config, print) => runPluginUninstall(config, name, { yes, cwd: fixtures }, print));

const tables = async () =>
  (
    (await database.knex.raw("select relname from pg_class where relname like 'greeter\\_%' and relkind = 'r' order by relname")).rows as { relname: string }[]
  ).map((row) => row.relname);
const v1 = ['./greeter-v1.ts'];
const v2 = ['./greeter-v2.ts'];

describe('plinth migrate and plinth plugin', () => {
  it('--plan prints what would run and changes nothing', async () => {
    const { result, out } = await migrateWith(v1, { plan: true });
    expect(result).toBe(0);
    expect(out).toBe(
      ['would install  greeter 1.0.0', 'would apply  greeter/001-create-greeter-notes', '1 migration(s) would run: run "plinth migrate" to apply them.'].join(
        '\n',
      ),
    );
    expect(await tables()).toEqual([]);
    expect((await listWith(v1)).out).toBe('greeter  1.0.0  not installed  migrations: 0 applied, 1 pending');
  });

  it('migrate installs the configured plugins after core', async () => {
    const { result, out } = await migrateWith(v1);
    expect(result).toBe(0);
    expect(out).toBe('applied  greeter/001-create-greeter-notes\nApplied 1 migration(s).');
    expect(await tables()).toEqual(['greeter_notes']);
    expect((await listWith(v1)).out).toBe('greeter  1.0.0  installed  migrations: 1 applied, 0 pending');
    expect((await migrateWith(v1)).out).toBe('Nothing to apply.');
    expect((await migrateWith(v1, { plan: true })).out).toBe('Nothing would run.');
  });

  it('plans and runs an upgrade, and --status lists core and plugins', async () => {
    expect((await listWith(v2)).out).toBe('greeter  1.1.0  installed 1.0.0  migrations: 1 applied, 1 pending');
    const plan = await migrateWith(v2, { plan: true });
    expect(plan.out).toContain('would upgrade  greeter 1.0.0 → 1.1.0\nwould apply  greeter/002-create-greeter-tags\n1 migration(s) would run');
    expect(plan.out).not.toContain('001-create-greeter-notes');
    expect((await migrateWith(v2)).out).toBe('applied  greeter/002-create-greeter-tags\nApplied 1 migration(s).');
    const status = await migrateWith(v2, { statusOnly: true });
    expect(status.out).toMatch(/^applied {2}core\/001-runtime-role {2}/m);
    expect(status.out).toMatch(/^applied {2}greeter\/002-create-greeter-tags {2}/m);
    expect(status.out).toContain('Everything is applied.');
  });

  it('--plan shows a downgrade as refused, with exit code 1, and migrate refuses it', async () => {
    const plan = await migrateWith(v1, { plan: true });
    expect(plan.result).toBe(1);
    expect(plan.out).toContain('refused      greeter 1.0.0 is older than the installed 1.1.0 (downgrades are refused)');
    await expect(migrateWith(v1)).rejects.toThrow(PluginError);
  });

  it('uninstall without --yes only says what it would revert', async () => {
    const { result, out } = await uninstallWith(v2, 'greeter', false);
    expect(result).toBe(1);
    expect(out).toBe(
      [
        "Uninstalling greeter deletes its tables and every tenant's data in them, reverting:",
        '  greeter/002-create-greeter-tags',
        '  greeter/001-create-greeter-notes',
        'Nothing was changed. Run again with --yes to proceed.',
      ].join('\n'),
    );
    expect(await tables()).toEqual(['greeter_notes', 'greeter_tags']);
  });

  it('uninstall refuses a plugin that is not configured, or that another configured plugin requires', async () => {
    await expect(uninstallWith(v2, 'stranger', true)).rejects.toThrow("plugin `stranger` is not in this host's plugins");
    await expect(uninstallWith([...v2, './greeter-fan.ts'], 'greeter', true)).rejects.toThrow(
      new PluginError('plugin `greeter` is required by `greeter-fan`; uninstall and unconfigure those first'),
    );
    expect(await tables()).toEqual(['greeter_notes', 'greeter_tags']);
  });

  it('uninstall --yes runs the downs newest first and forgets the plugin', async () => {
    const { result, out } = await uninstallWith(v2, 'greeter', true);
    expect(result).toBe(0);
    expect(out.split('\n').slice(0, 2)).toEqual(['reverted  greeter/002-create-greeter-tags', 'reverted  greeter/001-create-greeter-notes']);
    expect(out).toContain('Remove it from "plugins" in plinth.config.json');
    expect(await tables()).toEqual([]);
    expect(await database.knex('plinth_plugins').where({ name: 'greeter' }).first()).toBeUndefined();
    expect((await listWith(v2)).out).toBe('greeter  1.1.0  not installed  migrations: 0 applied, 2 pending');
    expect((await uninstallWith(v2, 'greeter', true)).out).toBe('Plugin greeter is not installed; nothing to do.');
  });

  it('lists an installed plugin that is no longer configured, and says when none are', async () => {
    await migrateWith(v1);
    const { out } = await listWith([]);
    expect(out).toBe(
      'No plugins are configured (list them in "plugins" of plinth.config.json, or in PLINTH_PLUGINS).\n' +
        'greeter  -  installed 1.0.0, no longer configured (its tables stay until it is uninstalled)',
    );
  });

  it('names a configured plugin that cannot be loaded', async () => {
    await expect(listWith(['./missing-plugin.js'])).rejects.toThrow(/plugin package \.\/missing-plugin\.js is not installed/);
    await expect(migrateWith(['@acme/not-installed'], { plan: true })).rejects.toThrow(PluginError);
  });
});
