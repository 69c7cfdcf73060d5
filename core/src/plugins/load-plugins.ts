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
    plugins.push(await importPlugin(specifier, entry));
  }
  return plugins;
}

/** The web console: a dependency of core, served unless the host turns it off (`PLINTH_CONSOLE=false`). */
const consolePackage = '@plinth/plugin-console';

/** The plugins a host runs: those it lists, plus the web console unless it is turned off or listed already. */
export async function hostPlugins(config: { plugins: readonly string[]; console: boolean }, cwd: string): Promise<Plugin[]> {
  const plugins = await loadPlugins(config.plugins, cwd);
  if (!config.console || plugins.some((plugin) => plugin.name === 'console')) return plugins;
  return [...plugins, await importPlugin(consolePackage, createRequire(import.meta.url).resolve(consolePackage))];
}

async function importPlugin(specifier: string, entry: string): Promise<Plugin> {
  let loaded: { default?: Plugin };
  try {
    loaded = (await import(pathToFileURL(entry).href)) as { default?: Plugin };
  } catch (error) {
    throw new PluginError(`plugin package ${specifier} failed to load: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  if (loaded.default?.kind !== 'plinth-plugin') throw new PluginError(`plugin package ${specifier} must default-export definePlugin({...}) from @plinth/sdk`);
  return loaded.default;
}
