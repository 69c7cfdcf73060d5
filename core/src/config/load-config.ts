import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { configVariables, type ConfigVariable, type PlinthConfig } from './variables.js';

/** A configuration problem, described in one line that names the variable and what is allowed. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** Environment to read; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directory holding `plinth.config.{js,json}` and the default data dir; defaults to `process.cwd()`. */
  cwd?: string;
  /** Values that win over the environment and the config file (e.g. CLI flags). */
  overrides?: Partial<PlinthConfig>;
}

const ajv = new Ajv({ allErrors: false });
const validators = new Map(configVariables.map((variable) => [variable.key, ajv.compile(variable.schema)]));
const sizeUnits: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024, gb: 1024 * 1024 * 1024 };

/**
 * Reads the configuration from the environment and an optional
 * `plinth.config.json` / `plinth.config.js` (environment wins), applies
 * defaults, validates every value, and fills in development secrets.
 * Throws {@link ConfigError} with one clear line on the first bad value.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<PlinthConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = await readConfigFile(cwd, env.PLINTH_CONFIG);
  const config: Record<string, unknown> = {};

  for (const variable of configVariables) {
    const fromEnv = env[variable.env];
    const override = options.overrides?.[variable.key];
    let source: string;
    let value: unknown;
    if (override !== undefined) {
      [source, value] = [variable.env, override];
    } else if (fromEnv !== undefined && fromEnv !== '') {
      [source, value] = [variable.env, parseEnvValue(variable, fromEnv)];
    } else if (file && variable.key in file.values) {
      [source, value] = [`${file.name}: ${variable.key}`, file.values[variable.key]];
    } else {
      continue;
    }
    if (!validators.get(variable.key)!(value)) {
      const shown = typeof value === 'string' ? (fromEnv ?? value) : JSON.stringify(value);
      throw new ConfigError(`${source} must be ${variable.allowed} (got ${JSON.stringify(shown)})`);
    }
    config[variable.key] = value;
  }
  for (const variable of configVariables) {
    if (config[variable.key] === undefined && variable.default !== undefined) config[variable.key] = variable.default;
  }
  config.dataDir = path.resolve(cwd, config.dataDir as string);
  fillSecrets(config);
  return config as unknown as PlinthConfig;
}

function parseEnvValue(variable: ConfigVariable, raw: string): unknown {
  const text = raw.trim();
  if (variable.list)
    return text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  if (variable.key === 'bodyLimitBytes' || variable.key === 'uploadLimitBytes' || variable.key === 'resumableUploadLimitBytes') {
    const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(text);
    return match ? Number(match[1]) * sizeUnits[(match[2] ?? 'b').toLowerCase()]! : text;
  }
  if (variable.schema.type === 'integer') return /^-?\d+$/.test(text) ? Number(text) : text;
  if (variable.schema.type === 'boolean') {
    if (/^(true|1|yes)$/i.test(text)) return true;
    if (/^(false|0|no)$/i.test(text)) return false;
  }
  return text;
}

interface ConfigFile {
  name: string;
  values: Record<string, unknown>;
}

async function readConfigFile(cwd: string, explicit: string | undefined): Promise<ConfigFile | undefined> {
  const candidates = explicit ? [path.resolve(cwd, explicit)] : ['plinth.config.json', 'plinth.config.js'].map((name) => path.join(cwd, name));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    if (explicit) throw new ConfigError(`PLINTH_CONFIG points at ${explicit}, which does not exist`);
    return undefined;
  }
  const name = path.basename(found);
  let values: unknown;
  try {
    values = found.endsWith('.json') ? JSON.parse(readFileSync(found, 'utf8')) : ((await import(pathToFileURL(found).href)) as { default?: unknown }).default;
  } catch (error) {
    throw new ConfigError(`${name} could not be read: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ConfigError(`${name} must export an object of settings`);
  }
  const known = new Set<string>(configVariables.map((variable) => variable.key));
  const unknown = Object.keys(values).find((key) => !known.has(key));
  if (unknown) throw new ConfigError(`${name}: unknown setting "${unknown}" (known: ${[...known].join(', ')})`);
  return { name, values: values as Record<string, unknown> };
}

/** Development secrets are generated once and kept in `<dataDir>/secrets.json`; production must set them. */
function fillSecrets(config: Record<string, unknown>): void {
  const missing = configVariables.filter((variable) => variable.secret && config[variable.key] === undefined);
  if (missing.length === 0) return;
  if (config.env === 'production') {
    const [first] = missing;
    throw new ConfigError(`${first!.env} is required when NODE_ENV=production: set it to ${first!.allowed}`);
  }
  const file = path.join(config.dataDir as string, 'secrets.json');
  const stored: Record<string, string> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  let changed = false;
  for (const variable of missing) {
    if (!stored[variable.key]) {
      stored[variable.key] = randomBytes(48).toString('base64url');
      changed = true;
    }
    config[variable.key] = stored[variable.key];
  }
  if (changed) {
    mkdirSync(config.dataDir as string, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
}
