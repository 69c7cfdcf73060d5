import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { hostPlugins, loadPlugins } from '../../src/plugins/load-plugins.js';
import { createTestDatabase, type TestDatabase, type TestResponse } from '../../src/testing/index.js';

// examples/host as its README starts it: `PORT=0 npx plinth start` in that folder. The CLI runs from
// the build (`npm test` builds core and the hello plugin first), exactly as a host runs it.
const hostDir = fileURLToPath(new URL('../../../examples/host/', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/plinth.js', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-example-host-'));
let db: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  db = await createTestDatabase();
  env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: db.url,
    PLINTH_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PLINTH_JWT_SECRET: 'host-test-secret-host-test-secret-0123',
  };
});
afterAll(async () => {
  await db.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('examples/host', () => {
  it('configures the hello plugin, which loads from its own folder', async () => {
    const config = await loadConfig({ cwd: hostDir, env: { PLINTH_DATA_DIR: dataDir } });
    expect(config.plugins).toEqual(['@plinth-examples/hello-plugin']);
    const [hello, ...others] = await loadPlugins(config.plugins, hostDir);
    expect(others).toEqual([]);
    expect(hello).toMatchObject({ kind: 'plinth-plugin', name: 'hello', version: '0.1.0' });
    expect(hello!.routes.map((route) => `${route.method} ${route.path}`)).toContain('GET /greeting');
  });

  it('runs the web console too unless PLINTH_CONSOLE=false, without listing it', async () => {
    const config = await loadConfig({ cwd: hostDir, env: { PLINTH_DATA_DIR: dataDir } });
    expect((await hostPlugins(config, hostDir)).map((plugin) => plugin.name)).toEqual(['hello', 'console']);
    const apiOnly = await loadConfig({ cwd: hostDir, env: { PLINTH_DATA_DIR: dataDir, PLINTH_CONSOLE: 'false' } });
    expect((await hostPlugins(apiOnly, hostDir)).map((plugin) => plugin.name)).toEqual(['hello']);
    const listed = { ...config, plugins: [...config.plugins, '@plinth/plugin-console'] };
    expect((await hostPlugins(listed, fileURLToPath(new URL('../../../', import.meta.url)))).map((plugin) => plugin.name)).toEqual(['hello', 'console']);
  });

  it('starts with PORT=0, installs hello, serves it to a tenant that enables it, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'start'], { cwd: hostDir, env: { ...env, PORT: '0' } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /Plinth is running at (\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        void exited.then((code) => reject(new Error(`plinth start exited with ${code}: ${out}`)));
      });
      const api = (route: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
        fetch(`${url}/api/v1${route}`, {
          method: init.method ?? 'GET',
          headers: { 'content-type': 'application/json', 'x-tenant': 'acme', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
          ...(init.body ? { body: JSON.stringify(init.body) } : {}),
        }).then(async (response): Promise<TestResponse> => ({ status: response.status, headers: response.headers, body: await response.json() }));
      const registered = await api('/auth/register', {
        method: 'POST',
        body: { email: 'owner@example.test', password: 'Pl1nth-example-host', name: 'Owner', tenant: { name: 'Acme', slug: 'acme' } },
      });
      expect(registered.status).toBe(201);
      const token = registered.body.data.tokens.access_token as string;
      const listed = await api('/marketplace', { token });
      expect(listed.body.data).toEqual([expect.objectContaining({ name: 'hello', enabled: false })]);
      expect((await api('/hello/greeting', { token })).body.code).toBe('plugin_not_enabled');
      expect((await api('/marketplace/hello/enable', { method: 'POST', token, body: {} })).status).toBe(200);
      expect((await api('/hello/greeting', { token })).body.data).toEqual({ text: 'Hello, Acme!' });
      // The console comes with core: a browser opening the site gets it.
      const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('plinth plugin list reports hello and the console as installed', () => {
    const result = spawnSync(process.execPath, [bin, 'plugin', 'list'], { cwd: hostDir, env, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual([
      'hello  0.1.0  installed  migrations: 1 applied, 0 pending',
      'console  0.1.0  installed  migrations: 0 applied, 0 pending',
    ]);
  });
});
