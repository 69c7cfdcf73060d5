import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from '@plinth/sdk';
import { PluginError } from './plugin-registry.js';

/**
 * Imports the plugin packages a host lists (npm names resolved from `cwd`, or
 * paths starting with `./`, `../` or `/`); each must default-export a plugin.
 */
export async function loadPlugins(specifiers: readonly string[], cwd: string): Promise<Plugin[]> {
  const requireFromHost = createRequire(path.join(cwd, 'plinth-host.js'));
  const plugins: Plugin[] = [];
  for (const specifier of specifiers) {
    let entry: string;
    try {
      entry = /^(\.{1,2})?\//.test(specifier) ? requireFromHost.resolve(path.resolve(cwd, specifier)) : requireFromHost.resolve(specifier);
    } catch {
      throw new PluginError(`plugin package ${specifier} is not installed (run "npm install ${specifier}" in ${cwd})`);
    }
    let loaded: { default?: Plugin };
    try {
      loaded = (await import(pathToFileURL(entry).href)) as { default?: Plugin };
    } catch (error) {
      throw new PluginError(`plugin package ${specifier} failed to load: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
    if (loaded.default?.kind !== 'plinth-plugin') throw new PluginError(`plugin package ${specifier} must default-export definePlugin({...}) from @plinth/sdk`);
    plugins.push(loaded.default);
  }
  return plugins;
}
