import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { definePlugin, Type } from '@plinth/sdk';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createKernel, loadConfig } from '../../src/index.js';
import { checkRoutes } from '../../src/http/route-pipeline.js';
import type { CoreRoute } from '../../src/http/route.js';
import { validate } from '../../src/http/validation.js';

const route = (path: string, query: object): CoreRoute =>
  ({ method: 'GET', path, summary: 'x', tag: 'x', plugin: 'sloppy', access: { public: true }, schema: { query }, handler: async () => ({}) }) as CoreRoute;

/** A production configuration (no test kit) whose database nobody listens on: the boot must fail before it is needed. */
async function productionConfig() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-schemas-'));
  return loadConfig({
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing',
      PORT: '0',
      HOST: '127.0.0.1',
      PLINTH_DATA_DIR: dataDir,
      PLINTH_JWT_SECRET: 'production-secret-production-secret-01',
      PLINTH_ENCRYPTION_KEY: 'production-key-production-key-production-key',
    },
    cwd: dataDir,
  });
}

describe('route schemas compiled at boot', () => {
  it('stop the boot on a schema ajv refuses, naming plugin and route, after compiling the ones before it', () => {
    const good = Type.Object({ q: Type.Optional(Type.String()) });
    expect(() => checkRoutes([route('/sloppy/good', good), route('/sloppy/bad', Type.Unsafe({ type: 'no-such-type' }))], () => 'api')).toThrow(
      /^plugin `sloppy`: route GET \/sloppy\/bad has a schema that cannot be compiled/,
    );
    expect(validate(good, { q: 'x' }, { coerce: true })).toEqual({ q: 'x' });
  });

  it('stop a production kernel (not only the test kit) before it opens its database', async () => {
    const sloppy = definePlugin({
      name: 'sloppy',
      version: '1.0.0',
      title: 'S',
      description: 'S',
      category: 'test',
      requires: { core: '^0.1.0' },
      routes: ({ route }) => [
        route({
          method: 'GET',
          path: '/things',
          summary: 'x',
          public: true,
          schema: { query: Type.Object({ kind: Type.Unsafe<string>({ type: 'no-such-type' }) }) },
          handler: async () => ({}),
        }),
      ],
    });
    await expect(createKernel(await productionConfig(), { plugins: [sloppy], logger: pino({ level: 'silent' }) })).rejects.toThrow(
      /plugin `sloppy`: route GET \/sloppy\/things has a schema that cannot be compiled/,
    );
  });
});
