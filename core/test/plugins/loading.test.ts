import { coreServices, createServiceRef, definePlugin, waterfallHook, type Plugin } from '@plinth/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { coreRoutes } from '../../src/http/core-routes.js';
import { orderPlugins, PluginError, validatePlugin } from '../../src/plugins/plugin-registry.js';
import { createTestKernel } from '../../src/testing/index.js';
import { version as coreVersion } from '../../src/version.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';

const view = { name: 'demo.things.view', description: 'View things', grantTo: [] as const };

/** A valid plugin `demo`, with `changes` spread over it. */
function demo(changes: Record<string, unknown> = {}): Plugin {
  const base = definePlugin({
    name: 'demo',
    version: '1.0.0',
    title: 'Demo',
    description: 'A demo',
    category: 'testing',
    requires: { core: '>=0.1.0' },
    permissions: { 'things.view': view },
    routes: ({ route }) => [route({ method: 'GET', path: '/things', summary: 'Things', permission: view, handler: async () => [] })],
  });
  return { ...base, ...changes } as Plugin;
}

/** A plugin `name` at `version` requiring `plugins`. */
function requiring(name: string, plugins: Record<string, string> = {}, version = '1.0.0', optionalPlugins?: Record<string, string>): Plugin {
  return definePlugin({
    name,
    version,
    title: name,
    description: name,
    category: 'testing',
    requires: { core: '>=0.1.0', plugins, ...(optionalPlugins ? { optionalPlugins } : {}) },
  });
}

const refusal = (plugins: readonly Plugin[]): string => {
  try {
    orderPlugins(plugins, coreVersion);
  } catch (error) {
    expect(error).toBeInstanceOf(PluginError);
    return (error as Error).message;
  }
  throw new Error('orderPlugins accepted the plugins');
};

describe('a bad definition is refused, naming the plugin and the field', () => {
  const route = (access: Record<string, unknown>, path = '/things') => ({ method: 'GET', path, summary: 'x', handler: async () => [], ...access });
  it.each([
    ['a name that is not kebab-case', { name: 'Bad_Name' }, /plugin `Bad_Name`: name must be kebab-case/],
    ['a name core uses', { name: 'marketplace' }, /plugin `marketplace`: name is reserved/],
    ['a missing title', { title: '' }, /plugin `demo`: title is required/],
    ['a missing description', { description: undefined }, /plugin `demo`: description is required/],
    ['a version that is not semver', { version: '1.x' }, /plugin `demo`: version must be a semver version \(got "1\.x"\)/],
    ['a core range that is not semver', { requires: { core: 'latest' } }, /plugin `demo`: requires\.core must be a semver range/],
    [
      'a dependency range that is not semver',
      { requires: { core: '*', plugins: { notes: 'newest' } } },
      /plugin `demo`: requires: notes must be a semver range/,
    ],
    [
      'a permission without the plugin prefix',
      { permissions: { x: { ...view, name: 'things.view' } } },
      /plugin `demo`: permission things\.view must be demo\.<resource>\.<action>/,
    ],
    [
      'a permission of another plugin',
      { permissions: { x: { ...view, name: 'notes.notes.view' } } },
      /plugin `demo`: permission notes\.notes\.view must be demo\./,
    ],
    ['a route with neither permission nor public', { routes: [route({})] }, /plugin `demo`: route GET \/things declares neither a permission nor public: true/],
    [
      "a route guarded by another plugin's permission",
      { routes: [route({ permission: { name: 'notes.notes.view' } })] },
      /plugin `demo`: route GET \/things permission notes\.notes\.view belongs to another plugin/,
    ],
    ['a route path without a leading slash', { routes: [route({ public: true }, 'things')] }, /plugin `demo`: route GET things path must start with \//],
    ['the same route twice', { routes: [route({ public: true }), route({ public: true })] }, /plugin `demo`: route GET \/things is declared twice/],
    ['a job without the plugin prefix', { jobs: [{ name: 'cleanup', run: async () => undefined }] }, /plugin `demo`: job cleanup must be named demo\.<job>/],
    [
      'a job of another plugin',
      { jobs: [{ name: 'notes.cleanup', run: async () => undefined }] },
      /plugin `demo`: job notes\.cleanup must be named demo\.<job>/,
    ],
    ['a hook without the plugin prefix', { hooks: { title: waterfallHook<string>() } }, /plugin `demo`: hook title must be named demo\.<hook>/],
    [
      'a service under another plugin',
      { services: [{ ref: createServiceRef('notes.counter'), create: () => ({}) }] },
      /plugin `demo`: service notes\.counter must be named demo\.<service>/,
    ],
    [
      'two handlers of one event under the same id',
      {
        eventHandlers: [
          { event: 'core.plugin.enabled', handle: async () => undefined },
          { event: 'core.plugin.enabled', handle: async () => undefined },
        ],
      },
      /plugin `demo`: event handler core\.plugin\.enabled is declared twice/,
    ],
    [
      'migrations out of name order',
      {
        migrations: [
          { name: '002-b', up: async () => undefined, down: async () => undefined },
          { name: '001-a', up: async () => undefined, down: async () => undefined },
        ],
      },
      /plugin `demo`: migration 001-a must come after 002-b/,
    ],
  ])('%s', (_case, changes, message) => {
    expect(() => validatePlugin(demo(changes))).toThrow(message);
    expect(refusal([notesPlugin, demo(changes)])).toMatch(message);
  });

  it('accepts the valid base definition and public routes', () => {
    expect(() => validatePlugin(demo())).not.toThrow();
    expect(() => validatePlugin(demo({ routes: [route({ public: true })] }))).not.toThrow();
    const handle = async () => undefined;
    expect(() =>
      validatePlugin(
        demo({
          eventHandlers: [
            { event: 'core.plugin.enabled', handle },
            { event: 'core.plugin.enabled', id: 'second', handle },
          ],
        }),
      ),
    ).not.toThrow();
  });

  it("reserves the first path segment of every core route, so no plugin's routes can shadow core's", () => {
    const segments = new Set(coreRoutes.map((route) => route.path.split('/')[1]!));
    for (const segment of segments) expect(() => validatePlugin(demo({ name: segment })), segment).toThrow(PluginError);
  });

  it('refuses something that is not a definePlugin result, and a plugin listed twice', () => {
    expect(refusal([{ name: 'raw' } as unknown as Plugin])).toMatch(/must default-export definePlugin/);
    expect(refusal([notesPlugin, notesPlugin])).toBe('plugin `notes` is listed twice');
  });
});

describe('requirements are refused at boot with one line naming the plugins', () => {
  it('a missing dependency', () => {
    const message = refusal([tagsPlugin]);
    expect(message).toBe('plugin `tags` requires `notes` ^1.0.0, which is not installed');
  });

  it('a dependency at a version outside the range', () => {
    expect(refusal([requiring('tags-v', { notes: '^2.0.0' }), notesPlugin])).toBe('plugin `tags-v` requires `notes` ^2.0.0, but 1.2.0 is installed');
  });

  it('an optional dependency that is present at the wrong version (but not one that is absent)', () => {
    expect(refusal([requiring('opt', {}, '1.0.0', { notes: '^3.0.0' }), notesPlugin])).toBe('plugin `opt` works with `notes` ^3.0.0, but 1.2.0 is installed');
    expect(orderPlugins([requiring('opt', {}, '1.0.0', { absent: '^1.0.0' })], coreVersion).map((plugin) => plugin.name)).toEqual(['opt']);
  });

  it('a cycle, naming every plugin in it', () => {
    const message = refusal([requiring('alpha', { beta: '*' }), requiring('beta', { gamma: '*' }), requiring('gamma', { alpha: '*' })]);
    expect(message).toBe('plugins depend on each other in a cycle: alpha → beta → gamma → alpha');
    expect(refusal([requiring('self', { self: '*' })])).toBe('plugins depend on each other in a cycle: self → self');
  });

  it('a core version outside the plugin’s range', () => {
    const message = refusal([demo({ requires: { core: '>=99.0.0' } })]);
    expect(message).toBe(`plugin \`demo\` requires @plinth/core >=99.0.0, but ${coreVersion} is installed`);
  });

  it('every refusal is a single line', () => {
    for (const plugins of [[tagsPlugin], [requiring('a', { b: '*' }), requiring('b', { a: '*' })], [demo({ version: 'x' })]]) {
      expect(refusal(plugins)).not.toContain('\n');
    }
  });
});

describe('orderPlugins', () => {
  const names = (plugins: readonly Plugin[]) => orderPlugins(plugins, coreVersion).map((plugin) => plugin.name);

  it('puts dependencies before their dependents, whatever the listed order', () => {
    expect(names([tagsPlugin, notesPlugin])).toEqual(['notes', 'tags']);
    expect(names([requiring('c', { b: '^1.0.0' }), requiring('b', { a: '^1.0.0' }), requiring('a')])).toEqual(['a', 'b', 'c']);
  });

  it('orders a diamond with the shared dependency first and each plugin once', () => {
    const order = names([requiring('top', { left: '*', right: '*' }), requiring('left', { base: '*' }), requiring('right', { base: '*' }), requiring('base')]);
    expect(order).toHaveLength(4);
    expect(order[0]).toBe('base');
    expect(order[3]).toBe('top');
  });

  it('puts an installed optional dependency first too', () => {
    expect(names([requiring('user', {}, '1.0.0', { notes: '^1.0.0' }), notesPlugin])).toEqual(['notes', 'user']);
  });

  it('keeps the listed order of independent plugins', () => {
    expect(names([requiring('zeta'), requiring('alpha')])).toEqual(['zeta', 'alpha']);
  });
});

describe('createKernel', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('refuses to build with a bad plugin, naming it', async () => {
    await expect(createTestKernel({ plugins: [notesPlugin, demo({ jobs: [{ name: 'cleanup', run: async () => undefined }] })] })).rejects.toThrow(
      /plugin `demo`: job cleanup must be named demo\.<job>/,
    );
    await expect(createTestKernel({ plugins: [tagsPlugin] })).rejects.toThrow('plugin `tags` requires `notes` ^1.0.0, which is not installed');
  });

  it('boots with dependencies listed after their dependents', async () => {
    const t = await createTestKernel({ plugins: [tagsPlugin, notesPlugin, demo({ deps: { db: coreServices.db } })] });
    closers.push(() => t.close());
    expect(t.kernel.services.plugins.plugins.map((plugin) => plugin.name)).toEqual(['notes', 'tags', 'demo']);
  });
});
