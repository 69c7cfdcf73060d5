import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify, stripVTControlCharacters } from 'node:util';
import type { Plugin } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatePluginError, runCreatePlugin, templatesDir, toolRanges } from '../../src/cli/create-plugin.js';
import { buildCli } from '../../src/cli/main.js';
import { orderPlugins } from '../../src/plugins/plugin-registry.js';
import { createTestKernel, signUp } from '../../src/testing/index.js';
import { version } from '../../src/version.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-create-plugin-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The house layout (docs/plugins/authoring.md, Conventions), exactly.
const expectedFiles = [
  '.gitignore',
  'README.md',
  'eslint.config.js',
  'package.json',
  'src/contract.ts',
  'src/deps.ts',
  'src/errors.ts',
  'src/handlers/item-created.handler.ts',
  'src/index.ts',
  'src/jobs/job-types.ts',
  'src/jobs/process-item.job.ts',
  'src/migrations/001-create-task-lists-items.ts',
  'src/permissions.ts',
  'src/plugin.ts',
  'src/routes/items.routes.ts',
  'src/services/items.ts',
  'src/settings.ts',
  'test/contract.test.ts',
  'test/isolation.test.ts',
  'test/items.test.ts',
  'test/migrations.test.ts',
  'test/permissions.test.ts',
  'tsconfig.json',
  'tsconfig.test.json',
  'vitest.config.ts',
];

describe('plinth create-plugin', () => {
  let dir: string;
  beforeAll(() => {
    dir = runCreatePlugin('task-lists', { cwd: scratch }, () => undefined).dir;
  });
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');

  it('writes the package into ./<name>, every placeholder filled in', () => {
    expect(dir).toBe(path.join(scratch, 'task-lists'));
    const listed = runCreatePlugin('task-lists', { cwd: scratch, dir: 'again' }, () => undefined).files;
    expect([...listed].sort()).toEqual(expectedFiles);
    for (const file of expectedFiles) expect(read(file), file).not.toMatch(/\{\{|\}\}/);
    expect(read('src/plugin.ts')).toContain("name: 'task-lists'");
    expect(read('src/permissions.ts')).toContain("export const taskListsPermissions = definePermissions('task-lists'");
    expect(read('src/migrations/001-create-task-lists-items.ts')).toContain("createTenantTable('task_lists_items'");
    expect(read('src/contract.ts')).toContain("'task-lists.item.created': { itemId: string; title: string }");
    expect(read('src/contract.ts')).toContain("export const taskListsItemsRef = createServiceRef<TaskListsItemsApi>('task-lists.items');");
    expect(read('src/errors.ts')).toContain("export const taskListsErrors = defineErrors('task-lists', {");
    expect(read('src/jobs/job-types.ts')).toContain("'task-lists.item.process': { itemId: string }");
    expect(read('src/index.ts')).toContain("export * from './contract.js';");
    expect(read('README.md')).toMatch(/^# Task Lists$/m);
    expect(read('vitest.config.ts')).toContain("globalSetup: ['@plinth/core/testing/global-setup']");
  });

  it('writes a publishable ESM package.json', () => {
    const manifest = JSON.parse(read('package.json'));
    expect(manifest).toMatchObject({
      name: 'plinth-plugin-task-lists',
      type: 'module',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      files: ['dist'],
      peerDependencies: { '@plinth/sdk': `^${version}` },
      devDependencies: { '@plinth/core': `^${version}`, ...toolRanges },
      scripts: { build: 'tsc -p tsconfig.json', typecheck: 'tsc -p tsconfig.test.json', lint: 'eslint .', test: 'vitest run' },
    });
  });

  it('ships the templates: they are plain files in a folder of package.json `files`, outside what tsc compiles', () => {
    const core = JSON.parse(readFileSync(path.join(repoRoot, 'core/package.json'), 'utf8')) as { files: string[] };
    expect(core.files).toContain('src/cli/templates');
    expect(path.relative(path.join(repoRoot, 'core'), templatesDir)).toBe(path.join('src', 'cli', 'templates', 'plugin'));
    expect(readdirSync(templatesDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && !entry.name.endsWith('.tmpl'))).toEqual([]);
  });

  it("asks for the monorepo's versions of the tools", () => {
    const root = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    for (const [tool, range] of Object.entries(toolRanges)) expect(range, tool).toBe(root.devDependencies[tool]);
  });

  it('names the package @scope/plugin-<name> with --scope, and writes to --dir', () => {
    const { dir: scoped } = runCreatePlugin('crm-extras', { cwd: scratch, dir: 'nested/crm', scope: 'acme' }, () => undefined);
    expect(scoped).toBe(path.join(scratch, 'nested/crm'));
    expect(JSON.parse(readFileSync(path.join(scoped, 'package.json'), 'utf8')).name).toBe('@acme/plugin-crm-extras');
  });

  it('refuses names the kernel would refuse, a bad scope and a folder that is not empty', () => {
    const create =
      (name: string, options = {}) =>
      () =>
        runCreatePlugin(name, { cwd: scratch, dir: `refused-${Math.random()}`, ...options }, () => undefined);
    expect(create('Task_Lists')).toThrow(
      new CreatePluginError('"Task_Lists" cannot be a plugin name: must be kebab-case (lower-case letters, digits, hyphens)'),
    );
    expect(create('marketplace')).toThrow(new CreatePluginError('"marketplace" cannot be a plugin name: is reserved by core'));
    expect(create('-x')).toThrow(CreatePluginError);
    expect(create('a'.repeat(41))).toThrow(/at most 40 characters/);
    expect(create('fine', { scope: '@Bad Scope' })).toThrow(/--scope must be an npm scope/);
    mkdirSync(path.join(scratch, 'occupied'));
    writeFileSync(path.join(scratch, 'occupied', 'keep.txt'), 'mine');
    expect(() => runCreatePlugin('fine', { cwd: scratch, dir: 'occupied' }, () => undefined)).toThrow(/already exists and is not empty/);
    expect(readFileSync(path.join(scratch, 'occupied', 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('is wired into the CLI', async () => {
    const target = path.join(scratch, 'from-cli');
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      await buildCli().exitOverride().parseAsync(['node', 'plinth', 'create-plugin', 'from-cli', '--dir', target, '--scope', '@acme']);
    } finally {
      console.log = log;
    }
    expect(lines[0]).toBe(`Created @acme/plugin-from-cli in ${target}:`);
    expect(JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')).name).toBe('@acme/plugin-from-cli');
  });

  it('generates a plugin that validates, installs, and serves its routes', async () => {
    // The scaffold resolves @plinth/sdk from its own node_modules, as it would after `npm install`.
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const plugin = ((await import(pathToFileURL(path.join(dir, 'src/plugin.ts')).href)) as { default: Plugin }).default;
    expect(orderPlugins([plugin], version).map((loaded) => loaded.name)).toEqual(['task-lists']);
    expect(plugin.jobs.map((job) => job.name)).toEqual(['task-lists.item.process']);
    expect(plugin.eventHandlers.map((handler) => handler.event)).toEqual(['task-lists.item.created']);
    expect(plugin.services.map((service) => service.ref.id)).toEqual(['task-lists.items']);

    const t = await createTestKernel({ plugins: [plugin] });
    try {
      const owner = await signUp(t, { tenant: true });
      await t.enable(owner, 'task-lists');
      const created = await t.request('POST', '/api/v1/task-lists/items', { headers: owner.headers, body: { title: 'Scaffolded' } });
      expect(created.status).toBe(201);
      await t.drainEvents();
      await t.drainJobs();
      const listed = await t.request('GET', '/api/v1/task-lists/items', { headers: owner.headers });
      expect(listed.body.data).toEqual([{ id: created.body.data.id, title: 'Scaffolded', notes: '', processed: true, archived: false }]);
      expect(listed.body.meta.pagination.total).toBe(1);
      await t.checkMigrations('task-lists');
    } finally {
      await t.close();
    }
  });
});

describe('the generated package, untouched', () => {
  // Inside the workspace (in a folder ESLint, Prettier and the monorepo's tsconfig skip), so its tools and
  // @plinth/* resolve from the monorepo's node_modules as they would from its own after `npm install`;
  // @plinth/* through their package exports, i.e. their built dist, as from the registry.
  const artifacts = path.join(repoRoot, 'core', 'test-artifacts');
  let dir: string;
  // The scaffold's own vitest must not think it runs inside this one.
  const outsideVitest = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const npm = async (script: string) => {
    try {
      return await promisify(execFile)('npm', ['run', '--silent', script], { cwd: dir, env: outsideVitest, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`npm run ${script} failed in the generated plugin:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
    }
  };
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    dir = runCreatePlugin('proof-kit', { cwd: mkdtempSync(path.join(artifacts, 'create-plugin-')) }, () => undefined).dir;
    // The dist the scaffold imports must be the current sources' (`npm test` builds first; this keeps the test honest alone).
    await promisify(execFile)(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'core'], { cwd: repoRoot });
  }, 240_000);
  afterAll(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('passes its typecheck (sources and tests)', async () => {
    await npm('typecheck');
  }, 120_000);

  it('passes its lint', async () => {
    await npm('lint');
  }, 120_000);

  it('passes its tests', async () => {
    const { stdout } = await npm('test');
    expect(stripVTControlCharacters(stdout)).toMatch(/Test Files +5 passed \(5\)/);
  }, 300_000);
});
