import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { definePlugin, type Plugin } from '@plinth/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlugins } from '../../src/plugins/load-plugins.js';
import { orderPlugins, PluginError, pluginFormatVersion } from '../../src/plugins/plugin-registry.js';
import { version as coreVersion } from '../../src/version.js';

const defined = definePlugin({ name: 'dated', version: '1.0.0', title: 'Dated', description: 'A plugin', category: 'testing', requires: { core: '>=0.1.0' } });

/** `defined` as another SDK would have written it: `formatVersion` set to `format`, or absent. */
function writtenWith(format: unknown): Plugin {
  const { formatVersion: _stamped, ...rest } = defined;
  return (format === undefined ? rest : { ...rest, formatVersion: format }) as Plugin;
}

describe('the plugin definition format', () => {
  it('is stamped by definePlugin; authors do not write it', () => {
    expect(defined.formatVersion).toBe(1);
    expect(pluginFormatVersion).toBe(1);
  });

  it('loads a definition of a version this core knows', () => {
    expect(orderPlugins([writtenWith(1)], coreVersion).map((plugin) => plugin.name)).toEqual(['dated']);
  });

  it('reads a definition without one (built before it existed) as version 1', () => {
    expect('formatVersion' in writtenWith(undefined)).toBe(false);
    expect(orderPlugins([writtenWith(undefined)], coreVersion).map((plugin) => plugin.name)).toEqual(['dated']);
  });

  it('refuses a newer one, naming the plugin and what to upgrade', () => {
    expect(() => orderPlugins([writtenWith(2)], coreVersion)).toThrow(PluginError);
    expect(() => orderPlugins([writtenWith(2)], coreVersion)).toThrow(
      'plugin `dated` was built with definition format 2; this Plinth understands 1 — upgrade @plinth/core',
    );
  });

  it.each([0, 1.5, '1'])('refuses a format that is not a version (%j)', (format) => {
    expect(() => orderPlugins([writtenWith(format)], coreVersion)).toThrow(/plugin `dated`: formatVersion must be a positive whole number/);
  });
});

describe('a plugin package built with a newer SDK', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('is refused when the host loads it, by name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'plinth-format-'));
    dirs.push(dir);
    const definition = { ...writtenWith(3), name: 'future', routes: [], jobs: [], eventHandlers: [], taps: [], services: [] };
    await writeFile(path.join(dir, 'future.mjs'), `export default ${JSON.stringify(definition)};\n`);
    const plugins = await loadPlugins(['./future.mjs'], dir);
    expect(() => orderPlugins(plugins, coreVersion)).toThrow(
      'plugin `future` was built with definition format 3; this Plinth understands 1 — upgrade @plinth/core',
    );
  });
});
