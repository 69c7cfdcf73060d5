import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { definePlugin } from '@plinth/sdk';
import { PluginError, tablePrefix, validatePlugin } from '../plugins/plugin-registry.js';
import { version } from '../version.js';

/** A problem with `plinth create-plugin`'s input (bad name, occupied folder): its message is all the user needs. */
export class CreatePluginError extends Error {
  override name = 'CreatePluginError';
}

/**
 * The templates are plain files under `src/cli/templates/plugin/` (`.tmpl`, so
 * `tsc` leaves them alone), shipped in the package through `files` in
 * package.json. From `src/cli/` (tests) and `dist/cli/` (the built CLI) alike,
 * the package root is two levels up.
 */
export const templatesDir = fileURLToPath(new URL('../../src/cli/templates/plugin/', import.meta.url));

/** Versions of the tools the scaffold's package.json asks for; a test keeps them in step with the monorepo's. */
export const toolRanges = {
  typescript: '^5.9.3',
  vitest: '^4.1.12',
  '@types/node': '^20.19.43',
  eslint: '^9.39.5',
  '@eslint/js': '^9.39.5',
  'typescript-eslint': '^8.73.0',
} as const;

export interface CreatePluginOptions {
  /** Folder to create; defaults to `./<name>`. */
  dir?: string | undefined;
  /** npm scope (`@acme`): the package is then `@acme/plugin-<name>`, else `plinth-plugin-<name>`. */
  scope?: string | undefined;
  /** Resolves `dir` (default: the current directory). */
  cwd?: string;
}

/** `plinth create-plugin <name> [--dir <path>] [--scope <@scope>]`: writes a working plugin package; returns its folder and files. */
export function runCreatePlugin(
  name: string,
  options: CreatePluginOptions = {},
  print: (line: string) => void = console.log,
): { dir: string; files: string[] } {
  checkName(name);
  const scope = options.scope?.replace(/^@?/, '@');
  if (scope && !/^@[a-z0-9][a-z0-9._-]*$/.test(scope)) throw new CreatePluginError(`--scope must be an npm scope such as @acme (got "${options.scope}")`);
  const dir = path.resolve(options.cwd ?? process.cwd(), options.dir ?? name);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new CreatePluginError(`${dir} already exists and is not empty; choose another --dir`);

  const values = substitutions(name, scope ? `${scope}/plugin-${name}` : `plinth-plugin-${name}`);
  const files = templateFiles(templatesDir)
    .map((template) => {
      const target = fill(template.replace(/\.tmpl$/, '').replace(/(^|[\\/])_gitignore$/, '$1.gitignore'), values);
      mkdirSync(path.dirname(path.join(dir, target)), { recursive: true });
      writeFileSync(path.join(dir, target), fill(readFileSync(path.join(templatesDir, template), 'utf8'), values));
      return target;
    })
    .sort();
  print(`Created ${values.package} in ${dir}:`);
  for (const file of files) print(`  ${file}`);
  print('');
  print(`Next: cd ${path.relative(options.cwd ?? process.cwd(), dir) || '.'} && npm install && npm test`);
  print('(`npm run typecheck` checks the sources and tests, `npm run lint` runs ESLint.)');
  print('Then read docs/plugins/authoring.md of Plinth: it walks from here to a published plugin.');
  return { dir, files };
}

/** The same name rules the kernel applies when it loads a plugin, plus room for table names. */
function checkName(name: string): void {
  try {
    validatePlugin(definePlugin({ name, version: '0.1.0', title: name, description: name, category: 'check', requires: { core: '*' } }));
  } catch (error) {
    if (!(error instanceof PluginError)) throw error;
    throw new CreatePluginError(`"${name}" cannot be a plugin name: ${error.message.replace(/^plugin `[^`]*`: name /, '')}`);
  }
  if (name.length > 40) throw new CreatePluginError(`"${name}" cannot be a plugin name: at most 40 characters (it prefixes table names)`);
}

/** The @plinth/sdk version this core is built against (its own dependency). */
function sdkVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
  return manifest.dependencies['@plinth/sdk']!.replace(/^[\^~]/, '');
}

function substitutions(name: string, packageName: string): Record<string, string> {
  const words = name.split('-');
  const pascal = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  return {
    name,
    prefix: tablePrefix(name).slice(0, -1),
    title: words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join(' '),
    Pascal: pascal,
    camel: pascal[0]!.toLowerCase() + pascal.slice(1),
    package: packageName,
    coreRange: `^${version}`,
    sdkRange: `^${sdkVersion()}`,
    typescriptRange: toolRanges.typescript,
    vitestRange: toolRanges.vitest,
    typesNodeRange: toolRanges['@types/node'],
    eslintRange: toolRanges.eslint,
    eslintJsRange: toolRanges['@eslint/js'],
    typescriptEslintRange: toolRanges['typescript-eslint'],
  };
}

/** Replaces every `{{key}}`; an unknown key is a bug in a template, so it throws. */
function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
    return value;
  });
}

function templateFiles(root: string, relative = ''): string[] {
  return readdirSync(path.join(root, relative), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? templateFiles(root, path.join(relative, entry.name)) : [path.join(relative, entry.name)],
  );
}
