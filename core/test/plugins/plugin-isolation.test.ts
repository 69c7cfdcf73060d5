import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokenPrefix } from '../../src/auth/api-token-auth.js';
import { sha256 } from '../../src/crypto/secrets.js';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { journalPlugin } from './fixtures/journal-plugin.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let bToken: Record<string, string>;
const aNotes: string[] = [];
let bNote: string;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin, journalPlugin] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  for (const user of [a, b]) {
    await t.enable(user, 'tags');
    await t.enable(user, 'journal');
  }
  for (const title of ['a1', 'a2', 'a3']) aNotes.push((await call(a, 'POST', '/notes/notes', { title })).body.data.id);
  bNote = (await call(b, 'POST', '/notes/notes', { title: 'b1' })).body.data.id;
  const secret = `${apiTokenPrefix}${randomUUID().replaceAll('-', '')}`;
  await asSystem((db) =>
    db.query("insert into api_tokens (tenant_id, name, token_hash, prefix, permissions, created_by) values ($1, 'all', $2, 'x', '{*}', $3)", [
      b.tenant!.id,
      sha256(secret),
      b.id,
    ]),
  );
  bToken = { authorization: `Bearer ${secret}`, 'x-tenant': b.tenant!.slug };
  await t.drainEvents();
  await t.drainJobs();
});
afterAll(() => t.close());

function call(user: TestUser | { headers: Record<string, string> }, method: string, path: string, body?: unknown) {
  return t.request(method, `/api/v1${path}`, { headers: user.headers, body });
}
function asSystem<T>(fn: Parameters<typeof runAsSystem<T>>[1]) {
  return runAsSystem(t.kernel.services.database, fn);
}

describe("tenant B and tenant A's notes", () => {
  it.each([
    ["B's owner", () => b.headers],
    ["B's API token", () => bToken],
  ])("lists and counts B's notes only, as %s", async (_caller, headers) => {
    const list = await call({ headers: headers() }, 'GET', '/notes/notes?per_page=100');
    expect(list.status).toBe(200);
    expect(list.body.meta.pagination.total).toBe(1);
    expect(list.body.data.map((note: { id: string }) => note.id)).toEqual([bNote]);
    for (const id of aNotes) expect(JSON.stringify(list.body)).not.toContain(id);
    expect((await call({ headers: headers() }, 'GET', '/notes/notes?per_page=1&page=2')).body.data).toEqual([]);
    expect((await call({ headers: headers() }, 'GET', '/tags/stats')).body.data).toEqual({ notes: 1, logged: 1 });
  });

  it.each([
    ["B's owner", () => b.headers],
    ["B's API token", () => bToken],
  ])("answers 404 not_found for A's note by id, as %s", async (_caller, headers) => {
    for (const id of aNotes) {
      const response = await call({ headers: headers() }, 'GET', `/notes/notes/${id}`);
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('not_found');
    }
    expect((await call(a, 'GET', `/notes/notes/${aNotes[0]}`)).status).toBe(200);
  });

  it("refuses B's credentials in A's tenant", async () => {
    expect((await call({ headers: { ...b.headers, 'x-tenant': a.tenant!.slug } }, 'GET', '/notes/notes')).status).toBe(403);
    expect((await call({ headers: { ...bToken, 'x-tenant': a.tenant!.slug } }, 'GET', '/notes/notes')).status).toBe(401);
  });

  it("keeps each tenant's marketplace state its own: B's settings, disable and export leave A alone", async () => {
    expect((await call(b, 'PUT', '/plugins/notes/settings', { maxTitle: 2 })).status).toBe(200);
    expect((await call(a, 'GET', '/plugins/notes/settings')).body.data).toEqual({ maxTitle: 100 });
    expect((await call(b, 'POST', '/marketplace/journal/disable')).status).toBe(200);
    expect((await call(a, 'GET', '/journal/entries')).status).toBe(200);
    const exported = await call(b, 'GET', '/marketplace/notes/data');
    expect(exported.body.data.tables.notes_notes.map((note: { id: string }) => note.id)).toEqual([bNote]);
    await t.enable(b, 'journal');
  });
});

describe("tenant A's events and jobs", () => {
  it("are handled in A's context only", async () => {
    const events = await asSystem((db) =>
      db.query<{ id: string; tenant_id: string }>("select id, tenant_id from plinth_events where name = 'notes.note.created'"),
    );
    expect(events).toHaveLength(4);
    for (const event of events) {
      const handled = await asSystem((db) =>
        db.query<{ tenant_id: string; ctx_tenant: string; db_tenant: string }>(
          'select tenant_id, ctx_tenant, db_tenant from journal_entries where event_id = $1',
          [event.id],
        ),
      );
      expect(handled).toEqual([{ tenant_id: event.tenant_id, ctx_tenant: event.tenant_id, db_tenant: event.tenant_id }]);
      const logged = await asSystem((db) => db.query<{ tenant_id: string }>('select tenant_id from tags_log where event_id = $1', [event.id]));
      expect(logged).toEqual([{ tenant_id: event.tenant_id }]);
    }
  });

  it("ran A's archive jobs on A's notes only", async () => {
    const rows = await asSystem((db) => db.query<{ id: string; tenant_id: string; archived: boolean }>('select id, tenant_id, archived from notes_notes'));
    expect(rows.every((row) => row.archived)).toBe(true);
    expect(
      rows
        .filter((row) => row.tenant_id === a.tenant!.id)
        .map((row) => row.id)
        .sort(),
    ).toEqual([...aNotes].sort());
  });

  it("cannot reach B's rows even when a job of A names one of B's records", async () => {
    await asSystem((db) => db.query('update notes_notes set archived = false where id = $1', [bNote]));
    await t.kernel.services.jobs.enqueue('notes.note.archive', { tenantId: a.tenant!.id, payload: { noteId: bNote } });
    await t.drainJobs();
    const [row] = await asSystem((db) => db.query<{ archived: boolean }>('select archived from notes_notes where id = $1', [bNote]));
    expect(row!.archived).toBe(false);
  });

  it('are not delivered when a dispatch names the wrong tenant', async () => {
    const [event] = await asSystem((db) =>
      db.query<{ id: string }>("select id from plinth_events where tenant_id = $1 and name = 'notes.note.created' limit 1", [a.tenant!.id]),
    );
    await asSystem((db) => db.query('delete from plinth_event_deliveries where event_id = $1', [event!.id]));
    await asSystem((db) => db.query('update plinth_events set dispatched_at = null where id = $1', [event!.id]));
    const before = await asSystem((db) => db.query('select 1 from journal_entries where tenant_id = $1', [b.tenant!.id]));
    await t.kernel.services.jobs.enqueue('core.events.dispatch', { tenantId: b.tenant!.id, eventId: event!.id });
    await t.drainJobs();
    expect(await asSystem((db) => db.query('select 1 from journal_entries where tenant_id = $1', [b.tenant!.id]))).toHaveLength(before.length);
    expect(await asSystem((db) => db.query('select 1 from plinth_event_deliveries where event_id = $1', [event!.id]))).toEqual([]);
    const [state] = await asSystem((db) => db.query<{ dispatched_at: Date | null }>('select dispatched_at from plinth_events where id = $1', [event!.id]));
    expect(state!.dispatched_at).toBeNull();
  });
});
