import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { journalPlugin } from './fixtures/journal-plugin.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';
import { secretMessage, throwerControls, throwerPlugin } from './fixtures/thrower-plugin.js';

const lines: Record<string, unknown>[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  throwerControls.failEvents = true;
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin, throwerPlugin, journalPlugin], logger });
  owner = await signUp(t, { tenant: true });
  for (const plugin of ['tags', 'thrower', 'journal']) await t.enable(owner, plugin);
  await t.drainJobs();
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: owner.headers, body });
const asSystem = <T>(fn: Parameters<typeof runAsSystem<T>>[1]) => runAsSystem(t.kernel.services.database, fn);
const failures = async (kind: string) => {
  const metrics = (await t.request('GET', '/metrics')).body as string;
  return Number(new RegExp(`plinth_plugin_failures_total\\{plugin="thrower",kind="${kind}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
};
const bare500 = { success: false, code: 'internal_error', message: 'Internal server error', meta: { request_id: expect.any(String) } };

describe('a plugin that throws everywhere', () => {
  it('answers its route with a bare 500 envelope: no message, no stack, no details', async () => {
    const before = await failures('route');
    lines.length = 0;
    const response = await call('GET', '/thrower/crash');
    expect(response.status).toBe(500);
    expect(response.body).toEqual(bare500);
    expect(JSON.stringify(response.body)).not.toMatch(/hunter2|secret\.ts|exploded|at /);
    expect(response.headers.get('x-request-id')).toBe(response.body.meta.request_id);
    expect(await failures('route')).toBe(before + 1);
    expect(lines).toContainEqual(expect.objectContaining({ plugin: 'thrower', kind: 'route', msg: `plugin \`thrower\` failed in a route: ${secretMessage}` }));
  });

  it('rolls back what the failing route wrote', async () => {
    expect((await call('GET', '/thrower/crash-after-write')).status).toBe(500);
    expect(await asSystem((db) => db.query("select 1 from thrower_seen where event_id = 'route-write'"))).toEqual([]);
  });

  it('counts and logs a throw of something that is not an Error', async () => {
    const before = await failures('route');
    const response = await call('GET', '/thrower/throw-null');
    expect(response.status).toBe(500);
    expect(response.body).toEqual(bare500);
    expect(await failures('route')).toBe(before + 1);
  });

  it('fails its hook tap without breaking the next request', async () => {
    expect((await call('POST', '/notes/notes', { title: 'explode' })).status).toBe(500);
    expect((await call('POST', '/notes/notes', { title: 'calm' })).status).toBe(201);
  });

  it("fails its event handler without keeping the other plugins' handlers from running", async () => {
    const before = await failures('event');
    const created = await call('POST', '/notes/notes', { title: 'watched' });
    expect(created.status).toBe(201);
    expect((await t.drainEvents()).failed).toBeGreaterThan(0);
    const [event] = await asSystem((db) =>
      db.query<{ id: string }>("select id from plinth_events where name = 'notes.note.created' and payload->>'noteId' = $1", [created.body.data.id]),
    );
    expect(await asSystem((db) => db.query('select 1 from tags_log where event_id = $1', [event!.id]))).toHaveLength(1);
    expect(await asSystem((db) => db.query("select 1 from journal_entries where kind = 'note-event' and event_id = $1", [event!.id]))).toHaveLength(1);
    expect(await failures('event')).toBeGreaterThan(before);
    expect(lines).toContainEqual(expect.objectContaining({ plugin: 'thrower', kind: 'event' }));
  });

  it("fails its job without keeping another plugin's job from running", async () => {
    const before = await failures('job');
    expect((await call('POST', '/thrower/explode')).status).toBe(200);
    expect((await call('POST', '/journal/jobs', { label: 'unbothered' })).status).toBe(200);
    await t.drainJobs();
    expect(await failures('job')).toBe(before + 1);
    // It has no retries: used up at once, the job is dead.
    const failed = await call('GET', '/jobs?state=dead&name=thrower.explode');
    expect(failed.body.data[0]).toMatchObject({ name: 'thrower.explode', state: 'dead' });
    expect(await asSystem((db) => db.query("select 1 from journal_entries where kind = 'job' and label = 'unbothered'"))).toHaveLength(1);
  });

  it('survives a burst of failures next to healthy requests, with /health ok and no connection lost', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? call('GET', '/thrower/crash') : call('GET', '/notes/notes'))),
    );
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? 500 : 200)));
    const health = await t.request('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.data).toEqual({ status: 'ok', checks: { db: 'up', cache: 'up', jobs: 'up', listener: 'up' } });
    expect(t.kernel.services.database.poolStats().used).toBe(0);
  });
});
