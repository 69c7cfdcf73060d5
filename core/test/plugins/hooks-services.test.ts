import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';
import { lenientPlugin, sneakyPlugin, tallyPlugin } from './fixtures/tally-plugin.js';
import { throwerPlugin } from './fixtures/thrower-plugin.js';

const lines: Record<string, unknown>[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });

let t: TestKernel;
let tagged: TestUser;
let plain: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin, throwerPlugin, tallyPlugin, sneakyPlugin, lenientPlugin], logger });
  tagged = await signUp(t, { tenant: true });
  plain = await signUp(t, { tenant: true });
  await t.enable(tagged, 'tags');
  await t.enable(tagged, 'thrower');
  await t.enable(tagged, 'tally');
  await t.enable(tagged, 'sneaky');
  await t.enable(plain, 'notes');
});
afterAll(() => t.close());

const call = (user: TestUser, method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: user.headers, body });
const noteCount = (user: TestUser) =>
  runAsSystem(t.kernel.services.database, (db) =>
    db.query<{ n: number }>('select count(*)::int as n from notes_notes where tenant_id = $1', [user.tenant!.id]),
  ).then((rows) => rows[0]!.n);
const failures = async (plugin: string, kind: string) => {
  const metrics = (await t.request('GET', '/metrics')).body as string;
  return Number(new RegExp(`plinth_plugin_failures_total\\{plugin="${plugin}",kind="${kind}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
};

describe('hooks', () => {
  it("run a plugin's tap only for tenants that enabled that plugin", async () => {
    expect((await call(tagged, 'POST', '/notes/notes', { title: 'hello' })).body.data.title).toBe('#hello');
    expect((await call(plain, 'POST', '/notes/notes', { title: 'hello' })).body.data.title).toBe('hello');
  });

  it('follow enablement on the next request', async () => {
    await t.enable(plain, 'tags', { prefix: '+' });
    expect((await call(plain, 'POST', '/notes/notes', { title: 'now' })).body.data.title).toBe('+now');
    expect((await call(plain, 'POST', '/marketplace/tags/disable')).status).toBe(200);
    expect((await call(plain, 'POST', '/notes/notes', { title: 'then' })).body.data.title).toBe('then');
  });

  it('answer 500 when a tap throws, roll the request back, and log and count the failure with the plugin name', async () => {
    const before = await noteCount(tagged);
    const counted = await failures('thrower', 'hook');
    lines.length = 0;
    const response = await call(tagged, 'POST', '/notes/notes', { title: 'explode' });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ success: false, code: 'internal_error', message: 'Internal server error', meta: { request_id: expect.any(String) } });
    expect(await noteCount(tagged)).toBe(before);
    expect(await failures('thrower', 'hook')).toBe(counted + 1);
    expect(lines).toContainEqual(
      expect.objectContaining({ plugin: 'thrower', kind: 'hook', msg: expect.stringContaining('plugin `thrower` failed in a hook: tap exploded') }),
    );
  });

  it('leave tenants without the throwing plugin alone', async () => {
    const response = await call(plain, 'POST', '/notes/notes', { title: 'explode' });
    expect(response.status).toBe(201);
    expect(response.body.data.title).toBe('explode');
  });
});

describe('services', () => {
  it("resolve within the caller's transaction: notes' counter sees tally's uncommitted write", async () => {
    const before = await noteCount(tagged);
    const response = await call(tagged, 'POST', '/tally/probe', { rollback: false });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ before, after: before + 1 });
    expect(await noteCount(tagged)).toBe(before + 1);
  });

  it('roll back with the request that used them', async () => {
    const before = await noteCount(tagged);
    const response = await call(tagged, 'POST', '/tally/probe', { rollback: true });
    expect(response.status).toBe(409);
    expect(response.body.message).toBe(`counted ${before} then ${before + 1}; rolling back`);
    expect(await noteCount(tagged)).toBe(before);
  });

  it("count the caller's tenant only", async () => {
    const response = await call(tagged, 'POST', '/tally/probe', { rollback: true });
    expect(response.body.message).toMatch(new RegExp(`^counted ${await noteCount(tagged)} then`));
    expect(await noteCount(plain)).not.toBe(await noteCount(tagged));
  });

  it('are refused to a plugin that does not list the provider in requires (500, logged with both names)', async () => {
    lines.length = 0;
    const response = await call(tagged, 'GET', '/sneaky/count');
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain('notes.counter');
    expect(lines).toContainEqual(
      expect.objectContaining({
        plugin: 'sneaky',
        kind: 'route',
        msg: expect.stringContaining('uses notes.counter of `notes` without listing `notes` in requires'),
      }),
    );
  });

  it('resolve to undefined when optional and the provider is not enabled for the tenant, or not installed', async () => {
    const bare = await signUp(t, { tenant: true });
    await t.enable(plain, 'lenient');
    await t.enable(bare, 'lenient');
    expect((await call(plain, 'GET', '/lenient/count')).body.data).toEqual({ notes: await noteCount(plain) });
    const withoutNotes = await call(bare, 'GET', '/lenient/count');
    expect([withoutNotes.status, withoutNotes.body.data]).toEqual([200, { notes: null }]);
    await call(plain, 'POST', '/marketplace/notes/disable');
    const disabled = await call(plain, 'GET', '/lenient/count');
    await t.enable(plain, 'notes');
    expect(disabled.body.data).toEqual({ notes: null });

    const alone = await createTestKernel({ plugins: [lenientPlugin] });
    try {
      const owner = await signUp(alone, { tenant: true });
      await alone.enable(owner, 'lenient');
      expect((await alone.request('GET', '/api/v1/lenient/count', { headers: owner.headers })).body.data).toEqual({ notes: null });
    } finally {
      await alone.close();
    }
  });
});
