import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { journalPlugin, type JournalEntry } from './fixtures/journal-plugin.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';
import { throwerControls, throwerPlugin } from './fixtures/thrower-plugin.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin, journalPlugin, throwerPlugin] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  await t.enable(a, 'journal');
  await t.enable(a, 'tags');
  await t.enable(b, 'journal');
  await t.enable(b, 'notes');
  await t.drainJobs();
});
afterAll(() => t.close());

const call = (user: TestUser, method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: user.headers, body });
const asSystem = <T>(fn: Parameters<typeof runAsSystem<T>>[1]) => runAsSystem(t.kernel.services.database, fn);
const knex = () => t.kernel.services.database.knex;
const dispatchJobs = async () =>
  Number((await knex()('plinth_jobs').where({ name: 'core.events.dispatch' }).count<{ count: number }[]>('* as count'))[0]!.count);
const entries = async (user: TestUser) => (await call(user, 'GET', '/journal/entries')).body.data as JournalEntry[];
const eventsNamed = (tenantId: string, name: string) =>
  asSystem((db) =>
    db.query<{ id: string; payload: unknown; emitted_by: string; dispatched_at: Date | null }>(
      'select id, payload, emitted_by, dispatched_at from plinth_events where tenant_id = $1 and name = $2 order by created_at',
      [tenantId, name],
    ),
  );
const deliveries = (eventId: string) =>
  asSystem((db) => db.query<{ handler: string }>('select handler from plinth_event_deliveries where event_id = $1 order by handler', [eventId])).then((rows) =>
    rows.map((row) => row.handler),
  );
const tagLogOf = (eventId: string) => asSystem((db) => db.query('select tenant_id from tags_log where event_id = $1', [eventId]));
const failureCount = async (plugin: string, kind: string) => {
  const metrics = (await t.request('GET', '/metrics')).body as string;
  const match = new RegExp(`plinth_plugin_failures_total\\{plugin="${plugin}",kind="${kind}"\\} (\\d+)`).exec(metrics);
  return match ? Number(match[1]) : 0;
};

describe('the outbox', () => {
  it('writes the event in the same transaction: a request that emits then fails leaves no event and queues nothing', async () => {
    const jobsBefore = await dispatchJobs();
    const response = await call(a, 'POST', '/journal/emit-then-fail', { label: 'never' });
    expect(response.status).toBe(409);
    expect(await eventsNamed(a.tenant!.id, 'journal.entry.made')).toEqual([]);
    expect(await dispatchJobs()).toBe(jobsBefore);
  });

  it('delivers a committed event after commit through a job, in its tenant’s context', async () => {
    const jobsBefore = await dispatchJobs();
    expect((await call(a, 'POST', '/journal/emit', { label: 'after commit' })).status).toBe(200);
    expect(await dispatchJobs()).toBe(jobsBefore + 1);
    const [event] = await eventsNamed(a.tenant!.id, 'journal.entry.made');
    expect(event).toMatchObject({ payload: { label: 'after commit' }, emitted_by: 'journal' });
    await expect
      .poll(async () => (await entries(a)).filter((entry) => entry.kind === 'event'), { timeout: 15_000, interval: 50 })
      .toEqual([{ kind: 'event', label: 'after commit', ctx_tenant: a.tenant!.id, db_tenant: a.tenant!.id, attempt: null, event_id: event!.id }]);
    await t.drainJobs();
    expect((await eventsNamed(a.tenant!.id, 'journal.entry.made'))[0]!.dispatched_at).toBeInstanceOf(Date);
  });

  it('refuses a plugin emitting another plugin’s events (500, nothing written)', async () => {
    const response = await call(a, 'POST', '/journal/forge');
    expect(response.status).toBe(500);
    expect(response.body.code).toBe('internal_error');
    const forged = await asSystem((db) => db.query("select 1 from plinth_events where name like 'notes.%' and emitted_by = 'journal'"));
    expect(forged).toEqual([]);
    expect(await failureCount('journal', 'route')).toBe(1);
  });
});

describe('redelivery', () => {
  it('records each handler per event, so delivering again repeats no effect', async () => {
    const note = await call(a, 'POST', '/notes/notes', { title: 'once' });
    expect(note.status).toBe(201);
    await t.drainEvents();
    await t.drainJobs();
    const [event] = (await eventsNamed(a.tenant!.id, 'notes.note.created')).filter((row) => (row.payload as { noteId: string }).noteId === note.body.data.id);
    expect(event!.dispatched_at).toBeInstanceOf(Date);
    expect(await deliveries(event!.id)).toEqual(['journal:notes.note.created', 'tags:notes.note.created']);

    await asSystem((db) => db.query('update plinth_events set dispatched_at = null where id = $1', [event!.id]));
    expect(await t.drainEvents()).toMatchObject({ failed: 0 });
    await asSystem((db) => db.query('update plinth_events set dispatched_at = null where id = $1', [event!.id]));
    await t.kernel.services.jobs.enqueue('core.events.dispatch', { tenantId: a.tenant!.id, eventId: event!.id });
    await t.drainJobs();

    expect(await tagLogOf(event!.id)).toHaveLength(1);
    expect((await entries(a)).filter((entry) => entry.event_id === event!.id)).toHaveLength(1);
    expect(await deliveries(event!.id)).toEqual(['journal:notes.note.created', 'tags:notes.note.created']);
  });
});

describe('handlers and tenants', () => {
  it("skips the handlers of plugins the event's tenant has not enabled", async () => {
    const note = await call(b, 'POST', '/notes/notes', { title: 'only in b' });
    expect(note.status).toBe(201);
    await t.drainEvents();
    const [event] = await eventsNamed(b.tenant!.id, 'notes.note.created');
    expect(event!.dispatched_at).toBeInstanceOf(Date);
    expect(await deliveries(event!.id)).toEqual(['journal:notes.note.created']);
    expect(await tagLogOf(event!.id)).toEqual([]);
    expect((await entries(b)).filter((entry) => entry.kind === 'note-event')).toMatchObject([
      { label: 'only in b', ctx_tenant: b.tenant!.id, db_tenant: b.tenant!.id },
    ]);
  });

  it('emits core.plugin.enabled and core.plugin.disabled, delivered to enabled plugins', async () => {
    await t.enable(a, 'thrower');
    expect((await call(a, 'POST', '/marketplace/thrower/disable')).status).toBe(200);
    await t.drainEvents();
    const enabled = await eventsNamed(a.tenant!.id, 'core.plugin.enabled');
    expect(enabled.map((row) => [row.payload, row.emitted_by]).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual([
      [{ plugin: 'journal' }, 'core'],
      [{ plugin: 'notes' }, 'core'],
      [{ plugin: 'tags' }, 'core'],
      [{ plugin: 'thrower' }, 'core'],
    ]);
    expect((await eventsNamed(a.tenant!.id, 'core.plugin.disabled')).map((row) => row.payload)).toEqual([{ plugin: 'thrower' }]);
    const seen = (await entries(a)).filter((entry) => entry.kind === 'enabled' || entry.kind === 'disabled').map((entry) => `${entry.kind} ${entry.label}`);
    expect(seen.sort()).toEqual(['disabled thrower', 'enabled journal', 'enabled notes', 'enabled tags', 'enabled thrower']);
  });

  it('emits core.plugin.enabled on the transition only: enabling an enabled plugin again just updates its settings', async () => {
    const before = (await eventsNamed(a.tenant!.id, 'core.plugin.enabled')).length;
    await t.enable(a, 'tags', { prefix: '!' });
    expect((await call(a, 'GET', '/plugins/tags/settings')).body.data).toEqual({ prefix: '!' });
    expect(await eventsNamed(a.tenant!.id, 'core.plugin.enabled')).toHaveLength(before);
    await t.enable(a, 'tags', { prefix: '#' });
  });

  it('emits core.tenant.created and core.user.registered for a new tenant', async () => {
    const fresh = await signUp(t, { tenant: true });
    expect(await eventsNamed(fresh.tenant!.id, 'core.tenant.created')).toMatchObject([
      { payload: { tenantId: fresh.tenant!.id, slug: fresh.tenant!.slug }, emitted_by: 'core' },
    ]);
    expect(await eventsNamed(fresh.tenant!.id, 'core.user.registered')).toMatchObject([{ payload: { userId: fresh.id, email: fresh.email } }]);
    expect(await eventsNamed(fresh.tenant!.id, 'core.member.joined')).toMatchObject([{ payload: { userId: fresh.id, email: fresh.email, roles: ['owner'] } }]);
  });

  it('emits core.member.joined when an invitation is accepted (core.user.registered too for a new account), core.member.removed on removal', async () => {
    const owner = await signUp(t, { tenant: true });
    const existing = await addMember(t, owner, ['viewer']);
    expect(await eventsNamed(owner.tenant!.id, 'core.member.joined')).toMatchObject([
      { payload: { userId: owner.id, roles: ['owner'] } },
      { payload: { userId: existing.id, email: existing.email, roles: ['viewer'] } },
    ]);
    expect(await eventsNamed(owner.tenant!.id, 'core.user.registered')).toHaveLength(1); // the owner's own sign-up only

    const roles = (await call(owner, 'GET', '/roles?per_page=100')).body.data as { id: string; name: string }[];
    const invited = await call(owner, 'POST', '/invitations', { email: 'newcomer@example.com', roles: [roles.find((role) => role.name === 'member')!.id] });
    const token = new URL(invited.body.data.accept_url as string).searchParams.get('token');
    const accepted = await t.request('POST', '/api/v1/invitations/accept', { body: { token, name: 'Newcomer', password: 'a long enough passphrase 1' } });
    expect(accepted.status).toBe(201);
    const newcomer = accepted.body.data.user.id as string;
    expect(await eventsNamed(owner.tenant!.id, 'core.user.registered')).toMatchObject([
      { payload: { userId: owner.id } },
      { payload: { userId: newcomer, email: 'newcomer@example.com', name: 'Newcomer' } },
    ]);
    expect((await eventsNamed(owner.tenant!.id, 'core.member.joined')).at(-1)).toMatchObject({ payload: { userId: newcomer, roles: ['member'] } });

    expect((await call(owner, 'DELETE', `/members/${existing.id}`)).status).toBe(204);
    expect(await eventsNamed(owner.tenant!.id, 'core.member.removed')).toMatchObject([{ payload: { userId: existing.id } }]);
  });
});

describe('a failing handler', () => {
  it("neither blocks nor undoes another plugin's handler, is counted, and is retried until it succeeds (without repeating the others)", async () => {
    await t.enable(a, 'thrower');
    throwerControls.failEvents = true;
    const failuresBefore = await failureCount('thrower', 'event');
    const note = await call(a, 'POST', '/notes/notes', { title: 'contested' });
    expect(note.status).toBe(201);
    const [event] = (await eventsNamed(a.tenant!.id, 'notes.note.created')).filter((row) => (row.payload as { noteId: string }).noteId === note.body.data.id);
    await expect.poll(() => throwerControls.eventAttempts, { timeout: 15_000, interval: 20 }).toBeGreaterThan(0);
    await expect.poll(() => deliveries(event!.id), { timeout: 15_000, interval: 20 }).toEqual(['journal:notes.note.created', 'tags:notes.note.created']);
    expect(await tagLogOf(event!.id)).toHaveLength(1);
    expect((await eventsNamed(a.tenant!.id, 'notes.note.created')).find((row) => row.id === event!.id)!.dispatched_at).toBeNull();
    expect(await failureCount('thrower', 'event')).toBeGreaterThan(failuresBefore);

    throwerControls.failEvents = false;
    await expect
      .poll(() => asSystem((db) => db.query('select 1 from thrower_seen where event_id = $1', [event!.id])).then((rows) => rows.length), {
        timeout: 20_000,
        interval: 50,
      })
      .toBe(1);
    await expect
      .poll(async () => (await eventsNamed(a.tenant!.id, 'notes.note.created')).find((row) => row.id === event!.id)!.dispatched_at, { timeout: 5000 })
      .toBeInstanceOf(Date);
    expect(await deliveries(event!.id)).toEqual(['journal:notes.note.created', 'tags:notes.note.created', 'thrower:notes.note.created']);
    expect(await tagLogOf(event!.id)).toHaveLength(1);
  });
});
