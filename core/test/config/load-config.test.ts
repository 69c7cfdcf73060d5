import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/index.js';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'plinth-config-'));
const secret = 'a'.repeat(40);

describe('loadConfig', () => {
  it('applies defaults and resolves the data dir against the working directory', async () => {
    const cwd = scratch();
    const config = await loadConfig({ env: { PLINTH_JWT_SECRET: secret }, cwd });
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      logLevel: 'info',
      bodyLimitBytes: 1048576,
      corsOrigins: [],
      role: 'all',
    });
    expect(config.dataDir).toBe(path.join(cwd, '.plinth'));
    expect(config.databaseUrl).toBeUndefined();
  });

  it('reads typed values from the environment', async () => {
    const config = await loadConfig({
      env: {
        PORT: '8080',
        PLINTH_TRUST_PROXY: 'true',
        PLINTH_BODY_LIMIT: '2mb',
        PLINTH_CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
        PLINTH_JWT_SECRET: secret,
      },
      cwd: scratch(),
    });
    expect(config.port).toBe(8080);
    expect(config.trustProxy).toBe(true);
    expect(config.bodyLimitBytes).toBe(2 * 1024 * 1024);
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
  });

  it('reads plinth.config.json, and the environment wins over it', async () => {
    const cwd = scratch();
    writeFileSync(path.join(cwd, 'plinth.config.json'), JSON.stringify({ port: 4000, logLevel: 'warn', baseDomain: 'plinth.test' }));
    const config = await loadConfig({ env: { LOG_LEVEL: 'debug', PLINTH_JWT_SECRET: secret }, cwd });
    expect(config.port).toBe(4000);
    expect(config.logLevel).toBe('debug');
    expect(config.baseDomain).toBe('plinth.test');
  });

  it('reads plinth.config.js', async () => {
    const cwd = scratch();
    writeFileSync(path.join(cwd, 'plinth.config.js'), 'export default { host: "0.0.0.0", dbPoolMax: 20 };');
    const config = await loadConfig({ env: { PLINTH_JWT_SECRET: secret }, cwd });
    expect(config.host).toBe('0.0.0.0');
    expect(config.dbPoolMax).toBe(20);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer from 0 to 65535 (0 picks a free port) (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be a postgres:// or postgresql:// connection URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ PLINTH_JWT_SECRET: 'short' }, 'PLINTH_JWT_SECRET must be a random string of at least 32 characters'],
    [{ PLINTH_BODY_LIMIT: '10' }, 'PLINTH_BODY_LIMIT must be a size in bytes from 1024'],
    [{ PLINTH_TRUST_PROXY: 'maybe' }, 'PLINTH_TRUST_PROXY must be true or false (got "maybe")'],
    [{ PLINTH_CORS_ORIGINS: 'app.example.com' }, 'PLINTH_CORS_ORIGINS must be a comma-separated list of origins'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be one of development, production, test'],
    [{ PLINTH_BASE_DOMAIN: 'Bad_Domain' }, 'PLINTH_BASE_DOMAIN must be a lower-case domain name'],
  ])('refuses %o with one line naming the variable', async (env, message) => {
    const attempt = loadConfig({ env: { PLINTH_JWT_SECRET: secret, ...env }, cwd: scratch() });
    await expect(attempt).rejects.toThrow(ConfigError);
    const error = (await attempt.catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('\n');
  });

  it('names the file and key of a bad value in plinth.config.json', async () => {
    const cwd = scratch();
    writeFileSync(path.join(cwd, 'plinth.config.json'), JSON.stringify({ port: 'eighty' }));
    await expect(loadConfig({ env: { PLINTH_JWT_SECRET: secret }, cwd })).rejects.toThrow('plinth.config.json: port must be an integer');
  });

  it('refuses unknown keys and malformed JSON in the config file', async () => {
    const cwd = scratch();
    writeFileSync(path.join(cwd, 'plinth.config.json'), JSON.stringify({ prot: 1 }));
    await expect(loadConfig({ env: {}, cwd })).rejects.toThrow('plinth.config.json: unknown setting "prot"');
    writeFileSync(path.join(cwd, 'plinth.config.json'), '{ port: ');
    await expect(loadConfig({ env: {}, cwd })).rejects.toThrow(/plinth.config.json could not be read/);
  });

  it('requires secrets in production', async () => {
    await expect(loadConfig({ env: { NODE_ENV: 'production' }, cwd: scratch() })).rejects.toThrow('PLINTH_JWT_SECRET is required when NODE_ENV=production');
  });

  it('generates a development secret once and keeps it under the data dir', async () => {
    const cwd = scratch();
    const first = await loadConfig({ env: {}, cwd });
    const second = await loadConfig({ env: {}, cwd });
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    const file = path.join(cwd, '.plinth', 'secrets.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).jwtSecret).toBe(first.jwtSecret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
