import { Type } from '@sinclair/typebox';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { warmSchemas } from '../../src/http/route-pipeline.js';
import type { CoreRoute } from '../../src/http/route.js';
import { validate } from '../../src/http/validation.js';

const route = (path: string, query: object): CoreRoute =>
  ({ method: 'GET', path, summary: 'x', tag: 'x', plugin: 'sloppy', access: { public: true }, schema: { query }, handler: async () => ({}) }) as CoreRoute;

describe('schemas compiled after start', () => {
  it('compile every route, logging the ones ajv refuses with plugin and route, and keep going', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const good = Type.Object({ q: Type.Optional(Type.String()) });
    await warmSchemas([route('/sloppy/bad', Type.Unsafe({ type: 'no-such-type' })), route('/sloppy/good', good)], logger, () => false);
    expect(lines).toEqual([
      expect.objectContaining({
        plugin: 'sloppy',
        msg: expect.stringMatching(/^plugin `sloppy`: route GET \/sloppy\/bad has a schema that cannot be compiled/),
      }),
    ]);
    expect(validate(good, { q: 'x' }, { coerce: true })).toEqual({ q: 'x' });
  });

  it('stop when the kernel stops', async () => {
    const lines: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    await warmSchemas([route('/sloppy/bad', Type.Unsafe({ type: 'no-such-type' }))], logger, () => true);
    expect(lines).toEqual([]);
  });
});
