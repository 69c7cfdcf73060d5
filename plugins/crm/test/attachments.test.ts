import { addMember, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCall, crmKernel, customFields, eventually } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary envelopes
type Json = any;

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let asA: ReturnType<typeof crmCall>;
let asB: ReturnType<typeof crmCall>;
let contact: string;
let other: string;

beforeAll(async () => {
  ({ t, owner: a } = await crmKernel());
  b = await signUp(t, { tenant: true });
  await t.enable(b, 'crm', { customFields });
  asA = crmCall(t, a);
  asB = crmCall(t, b);
  contact = (await asA('POST', '/contacts', { email: 'ann@a.example', name: 'Ann' })).body.data.id;
  other = (await asA('POST', '/contacts', { email: 'bob@a.example', name: 'Bob' })).body.data.id;
});
afterAll(() => t?.close());

/** Uploads through core's `POST /api/v1/files` as `user` (multipart, as a browser sends it). */
function upload(user: TestUser, name: string, type: string, data: string | Buffer): Promise<{ status: number; body: Json }> {
  return t.upload(user, { name, type, data });
}

async function uploaded(user: TestUser, name: string, type: string, data: string | Buffer): Promise<string> {
  const response = await upload(user, name, type, data);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data.id;
}

async function download(user: TestUser, path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await fetch(`${t.url}/api/v1/crm${path}`, { headers: user.headers });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** The tenant's file rows of `plugin` (read as the host: the test checks what is stored, past RLS). */
const filesOf = (tenantId: string, plugin: string) =>
  t.sql<{ id: string; owner_id: string | null }>('select id, owner_id from files where tenant_id = $1 and owner_plugin = $2', [tenantId, plugin]);

/** The object key a file's bytes are stored under (set at upload: a claimed upload keeps core's key). */
async function keyOf(fileId: string): Promise<string> {
  const [row] = await t.sql<{ storage_key: string }>('select storage_key from files where id = $1', [fileId]);
  return row!.storage_key;
}

/** Waits until nothing is stored under `prefix` any more (objects go once the deleting transaction commits). */
const goneFromStore = (prefix: string) => eventually(async () => ((await objectsUnder(prefix)).length === 0 ? true : undefined));

async function objectsUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of t.kernel.services.storage.list(prefix)) keys.push(object.key);
  return keys;
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe('contact attachments', () => {
  it('attaches an upload, lists it, downloads it through the CRM and deletes it', async () => {
    const fileId = await uploaded(a, 'contract ü.pdf', 'application/pdf', pdf);
    const attached = await asA('POST', `/contacts/${contact}/attachments`, { file_id: fileId });
    expect(attached.status, JSON.stringify(attached.body)).toBe(201);
    expect(attached.body.data).toMatchObject({
      id: fileId,
      contact_id: contact,
      name: 'contract ü.pdf',
      content_type: 'application/pdf',
      size: pdf.length,
      created_by: a.id,
    });
    // It is the CRM's now: core's routes no longer reach it, and the sweep keeps it.
    expect((await t.request('GET', `/api/v1/files/${fileId}`, { headers: a.headers })).status).toBe(404);
    expect(await filesOf(a.tenant!.id, 'crm')).toEqual([{ id: fileId, owner_id: contact }]);

    const list = await asA('GET', `/contacts/${contact}/attachments`);
    expect(list.body.data.map((file: { id: string }) => file.id)).toEqual([fileId]);
    expect(list.body.meta.pagination.total).toBe(1);
    expect((await asA('GET', `/contacts/${other}/attachments`)).body.data).toEqual([]);

    const bytes = await download(a, `/contacts/${contact}/attachments/${fileId}/content`);
    expect(bytes.status).toBe(200);
    expect(bytes.bytes.equals(pdf)).toBe(true);
    expect(bytes.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(bytes.headers.get('content-disposition')).toBe(`attachment; filename="contract _.pdf"; filename*=UTF-8''contract%20%C3%BC.pdf`);
    // Through another contact's path it is not found.
    expect((await download(a, `/contacts/${other}/attachments/${fileId}/content`)).status).toBe(404);

    const key = await keyOf(fileId);
    expect(await objectsUnder(key)).toEqual([key]);
    expect((await asA('DELETE', `/contacts/${other}/attachments/${fileId}`)).status).toBe(404);
    expect((await asA('DELETE', `/contacts/${contact}/attachments/${fileId}`)).status).toBe(204);
    expect(await filesOf(a.tenant!.id, 'crm')).toEqual([]);
    await goneFromStore(key);
    expect((await download(a, `/contacts/${contact}/attachments/${fileId}/content`)).status).toBe(404);
    expect((await asA('DELETE', `/contacts/${contact}/attachments/${fileId}`)).status).toBe(404);
  });

  it('refuses bad inputs with 4xx', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await asA('POST', `/contacts/${contact}/attachments`, { file_id: missing })).body.errors).toEqual({
      file_id: ['is not a file uploaded to this workspace'],
    });
    expect((await asA('POST', `/contacts/${contact}/attachments`, { file_id: 'not-a-uuid' })).status).toBe(422);
    expect((await asA('POST', `/contacts/${contact}/attachments`, {})).status).toBe(422);
    expect((await asA('POST', `/contacts/${contact}/attachments`, { file_id: missing, extra: 1 })).status).toBe(422);
    const fileId = await uploaded(a, 'notes.txt', 'text/plain', 'private notes');
    expect((await asA('POST', `/contacts/${missing}/attachments`, { file_id: fileId })).status).toBe(404);
    expect((await asA('GET', `/contacts/${missing}/attachments`)).status).toBe(404);
    expect((await asA('GET', `/contacts/not-a-uuid/attachments`)).status).toBe(422);
    expect((await download(a, `/contacts/${contact}/attachments/not-a-uuid/content`)).status).toBe(422);

    // Attached to one contact, it is not moved to another (nor claimed as an import's CSV).
    expect((await asA('POST', `/contacts/${contact}/attachments`, { file_id: fileId })).status).toBe(201);
    expect((await asA('POST', `/contacts/${contact}/attachments`, { file_id: fileId })).status).toBe(201);
    const moved = await asA('POST', `/contacts/${other}/attachments`, { file_id: fileId });
    expect(moved.status).toBe(422);
    expect(moved.body.errors).toEqual({ file_id: ['is already used by another record'] });
    expect((await asA('POST', '/contacts/import', { file_id: fileId })).status).toBe(422);
    expect((await asA('GET', `/contacts/${contact}/attachments`)).body.data.map((file: { id: string }) => file.id)).toContain(fileId);
  });

  it('lets contact readers list and download, and only managers attach and delete', async () => {
    const role = await t.request('POST', '/api/v1/roles', { headers: a.headers, body: { name: 'contact-reader', permissions: ['crm.contacts.view'] } });
    expect(role.status).toBe(201);
    const viewer = await addMember(t, a, ['contact-reader']);
    const asViewer = crmCall(t, viewer);
    const fileId = await uploaded(a, 'card.txt', 'text/plain', 'business card');
    expect((await asA('POST', `/contacts/${contact}/attachments`, { file_id: fileId })).status).toBe(201);
    expect((await asViewer('GET', `/contacts/${contact}/attachments`)).status).toBe(200);
    const bytes = await download(viewer, `/contacts/${contact}/attachments/${fileId}/content`);
    expect(bytes.status).toBe(200);
    expect(bytes.bytes.toString()).toBe('business card');
    expect((await asViewer('DELETE', `/contacts/${contact}/attachments/${fileId}`)).status).toBe(403);
    expect((await asViewer('POST', `/contacts/${other}/attachments`, { file_id: fileId })).status).toBe(403);
  });

  it('moves the attachments of merged duplicates to the contact they merge into', async () => {
    const primary = (await asA('POST', '/contacts', { email: 'keep@a.example' })).body.data.id;
    const duplicate = (await asA('POST', '/contacts', { email: 'dup@a.example' })).body.data.id;
    const files = [await uploaded(a, 'one.txt', 'text/plain', 'one'), await uploaded(a, 'two.txt', 'text/plain', 'two')];
    for (const id of files) expect((await asA('POST', `/contacts/${duplicate}/attachments`, { file_id: id })).status).toBe(201);
    expect((await asA('POST', `/contacts/${primary}/merge`, { duplicate_ids: [duplicate] })).status).toBe(200);
    const list = await asA('GET', `/contacts/${primary}/attachments`);
    expect(list.body.data.map((file: { id: string }) => file.id).sort()).toEqual([...files].sort());
    expect((await download(a, `/contacts/${primary}/attachments/${files[0]}/content`)).bytes.toString()).toBe('one');
  });

  it("keeps tenants apart: B neither attaches A's upload nor reads, lists or deletes A's attachments", async () => {
    const fileId = await uploaded(a, 'secret.txt', 'text/plain', 'top secret of A');
    expect((await asA('POST', `/contacts/${contact}/attachments`, { file_id: fileId })).status).toBe(201);
    const loose = await uploaded(a, 'loose.txt', 'text/plain', 'unattached upload of A');
    const mine = (await asB('POST', '/contacts', { email: 'carol@b.example' })).body.data.id;

    for (const id of [fileId, loose]) {
      const claimed = await asB('POST', `/contacts/${mine}/attachments`, { file_id: id });
      expect(claimed.status).toBe(422);
      expect(claimed.body.errors).toEqual({ file_id: ['is not a file uploaded to this workspace'] });
      expect((await asB('POST', '/contacts/import', { file_id: id })).status).toBe(422);
    }
    expect((await asB('GET', `/contacts/${contact}/attachments`)).status).toBe(404);
    expect((await download(b, `/contacts/${contact}/attachments/${fileId}/content`)).status).toBe(404);
    expect((await download(b, `/contacts/${mine}/attachments/${fileId}/content`)).status).toBe(404);
    expect((await asB('DELETE', `/contacts/${mine}/attachments/${fileId}`)).status).toBe(404);
    expect((await asB('DELETE', `/contacts/${contact}/attachments/${fileId}`)).status).toBe(404);
    expect((await asB('GET', `/contacts/${mine}/attachments`)).body.meta.pagination.total).toBe(0);

    // A's files are untouched: the attachment still A's contact's, the loose upload still core's and unattached.
    expect((await download(a, `/contacts/${contact}/attachments/${fileId}/content`)).bytes.toString()).toBe('top secret of A');
    const [row] = await t.sql<{ owner_plugin: string; attached_at: Date | null }>('select owner_plugin, attached_at from files where id = $1', [loose]);
    expect(row).toEqual({ owner_plugin: 'core', attached_at: null });
    expect(await filesOf(b.tenant!.id, 'crm')).toEqual([]);
  });
});

describe('import from a stored file', () => {
  const waitForImport = (call: ReturnType<typeof crmCall>, id: string) =>
    eventually(async () => {
      const response = await call('GET', `/imports/${id}`);
      return response.body.data.status === 'completed' ? response.body.data : undefined;
    }, 60_000);

  it('previews and imports a CSV uploaded through the files API, then deletes the file', async () => {
    const csv = 'name,email,custom.plan\nFile One,file1@a.example,pro\nFile Two,file2@a.example,free\nBad,not-an-email,pro\n';
    const fileId = await uploaded(a, 'contacts.csv', 'text/csv', csv);
    const preview = await asA('POST', '/contacts/import?dry_run=true', { file_id: fileId });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.data).toMatchObject({ dry_run: true, total_rows: 3, valid_rows: 2, invalid_rows: 1, would_create: 2 });
    expect((await asA('GET', '/contacts?q=file1')).body.data).toEqual([]);

    const started = await asA('POST', '/contacts/import', { file_id: fileId });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.data).toMatchObject({ status: 'queued', total_rows: 3, failed: 1 });
    const [stored] = await t.sql<{ file_id: string; csv: string | null }>('select file_id, csv from crm_imports where id = $1', [started.body.data.id]);
    expect(stored).toEqual({ file_id: fileId, csv: null });
    const key = await keyOf(fileId);

    const done = await waitForImport(asA, started.body.data.id);
    expect(done).toMatchObject({ status: 'completed', created: 2, failed: 1 });
    expect((await asA('GET', '/contacts?q=file2')).body.data[0]).toMatchObject({ name: 'File Two', custom_fields: { plan: 'free' } });
    // Its file is gone with the completed import, and the import cannot be run again from it.
    expect((await filesOf(a.tenant!.id, 'crm')).map((file) => file.id)).not.toContain(fileId);
    await goneFromStore(key);
    expect((await asA('POST', '/contacts/import', { file_id: fileId })).status).toBe(422);
  });

  it('stores a CSV sent as the body as a file, kept only until the import completes', async () => {
    const started = await asA('POST', '/contacts/import', 'email,name\nbody1@a.example,Body One\n', { 'content-type': 'text/csv' });
    expect(started.status).toBe(202);
    const [stored] = await t.sql<{ file_id: string | null; csv: string | null }>('select file_id, csv from crm_imports where id = $1', [started.body.data.id]);
    expect(stored!.csv).toBeNull();
    expect(stored!.file_id).toMatch(/^[0-9a-f-]{36}$/);
    await waitForImport(asA, started.body.data.id);
    expect((await asA('GET', '/contacts?q=body1')).body.data).toHaveLength(1);
    expect((await filesOf(a.tenant!.id, 'crm')).map((file) => file.id)).not.toContain(stored!.file_id);
  });

  it('refuses files that are not CSV, and deletes previews left a day without their import', async () => {
    const image = await uploaded(a, 'doc.pdf', 'application/pdf', pdf);
    const refused = await asA('POST', '/contacts/import', { file_id: image });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual({ file_id: ['must be a CSV file (this file is application/pdf)'] });
    // The refusal undid the claim: the upload is still core's, unattached.
    const [row] = await t.sql<{ owner_plugin: string; attached_at: Date | null }>('select owner_plugin, attached_at from files where id = $1', [image]);
    expect(row).toEqual({ owner_plugin: 'core', attached_at: null });
    expect((await asA('POST', '/contacts/import', { file_id: 'nope' })).status).toBe(422);
    const empty = await asA('POST', '/contacts/import', { file_id: await uploaded(a, 'empty.csv', 'text/csv', 'email\n') });
    expect(empty.status).toBe(202);

    const previewed = await uploaded(a, 'later.csv', 'text/csv', 'email\nlater@a.example\n');
    expect((await asA('POST', '/contacts/import?dry_run=true', { file_id: previewed })).status).toBe(200);
    const fresh = await uploaded(a, 'fresh.csv', 'text/csv', 'email\nfresh@a.example\n');
    expect((await asA('POST', '/contacts/import?dry_run=true', { file_id: fresh })).status).toBe(200);
    await t.sql("update files set created_at = now() - interval '25 hours' where id = $1", [previewed]);
    const next = await asA('POST', '/contacts/import', 'email\nnext@a.example\n', { 'content-type': 'text/csv' });
    await waitForImport(asA, next.body.data.id);
    const left = (await filesOf(a.tenant!.id, 'crm')).map((file) => file.id);
    expect(left).not.toContain(previewed);
    expect(left).toContain(fresh);
  });
});

describe('purge', () => {
  it("deletes the CRM's stored files of the tenant, and only those", async () => {
    const owner = await signUp(t, { tenant: true });
    await t.enable(owner, 'crm', { customFields });
    const call = crmCall(t, owner);
    const id = (await call('POST', '/contacts', { email: 'gone@c.example' })).body.data.id;
    const attachment = await uploaded(owner, 'a.txt', 'text/plain', 'attached');
    expect((await call('POST', `/contacts/${id}/attachments`, { file_id: attachment })).status).toBe(201);
    const kept = await uploaded(owner, 'core.txt', 'text/plain', "core's own upload");
    const tenantId = owner.tenant!.id;
    // A dry run's file waits for its import: the CRM's too.
    const previewed = await uploaded(owner, 'next.csv', 'text/csv', 'email\nnext@c.example\n');
    expect((await call('POST', '/contacts/import?dry_run=true', { file_id: previewed })).status).toBe(200);
    const crmKeys = [await keyOf(attachment), await keyOf(previewed)];
    for (const key of crmKeys) expect(await objectsUnder(key)).toEqual([key]);
    expect(await filesOf(tenantId, 'crm')).toHaveLength(2);

    expect((await t.request('POST', '/api/v1/marketplace/crm/disable', { headers: owner.headers })).status).toBe(200);
    const purged = await t.request('DELETE', '/api/v1/marketplace/crm/data?confirm=crm', { headers: owner.headers });
    expect(purged.status, JSON.stringify(purged.body)).toBe(204);
    expect(await filesOf(tenantId, 'crm')).toEqual([]);
    for (const key of crmKeys) await goneFromStore(key);
    expect((await t.request('GET', `/api/v1/files/${kept}`, { headers: owner.headers })).status).toBe(200);
    expect(await objectsUnder(await keyOf(kept))).toHaveLength(1);
    // Another tenant's attachments are untouched.
    expect((await asA('GET', `/contacts/${contact}/attachments`)).body.meta.pagination.total).toBeGreaterThan(0);
  });
});
