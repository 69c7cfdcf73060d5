import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginAudit } from '../../src/audit/plugin-audit.js';
import type { ScopedDb } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { createToken, withToken } from '../tenancy/tenant-admin-helpers.js';
import { ledgerPlugin } from './ledger-plugin.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;

beforeAll(async () => {
  t = await createTestKernel({ plugins: [ledgerPlugin] });
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
  await t.enable(owner, 'ledger');
  await t.enable(other, 'ledger');
});
afterAll(() => t.close());

const call = (user: TestUser, method: string, path: string, body?: unknown) => t.request(method, `/api/v1/ledger${path}`, { headers: user.headers, body });

interface Entry {
  action: string;
  actor: { user_id: string | null; token_id: string | null };
  target: { type: string | null; id: string | null };
  data: Record<string, unknown>;
  request_id: string | null;
}

/** The tenant's entries about one ledger item, newest first, as the audit log API shows them. */
async function entriesOf(user: TestUser, itemId: string): Promise<Entry[]> {
  const response = await t.request('GET', '/api/v1/audit-log?action=ledger.&per_page=100', { headers: user.headers });
  expect(response.status).toBe(200);
  return (response.body.data as Entry[]).filter((entry) => entry.target.id === itemId);
}

async function newItem(user: TestUser, body: Record<string, unknown> = { name: 'Pens', secret: 's3cret', amount: 3, tags: ['office'] }): Promise<string> {
  const created = await call(user, 'POST', '/items', body);
  expect(created.status).toBe(201);
  return created.body.data.id as string;
}

describe('coreServices.audit', () => {
  it("records a creation as <plugin>.<entity>.<verb> with the caller, the request and every field set, the redacted one's value never", async () => {
    const created = await call(owner, 'POST', '/items', { name: 'Pens', secret: 's3cret', amount: 3, tags: ['office'] });
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    const [entry] = await entriesOf(owner, id);
    expect(entry).toMatchObject({
      action: 'ledger.item.created',
      actor: { user_id: owner.id, token_id: null },
      target: { type: 'item', id },
      request_id: created.headers.get('x-request-id'),
    });
    const changes = entry!.data.changes as Record<string, unknown>;
    expect(changes).toEqual({
      id: { from: null, to: id },
      name: { from: null, to: 'Pens' },
      secret: { redacted: true },
      amount: { from: null, to: 3 },
      tags: { from: null, to: ['office'] },
      created_at: { from: null, to: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) },
    });
    expect(entry!.data).toEqual({ changes });
    expect(JSON.stringify(entry)).not.toContain('s3cret');
  });

  it("records an update with only the fields that changed (not updated_at), the redacted one as changed, and the extra data (not the plugin's own `by` or `changes`)", async () => {
    const id = await newItem(owner);
    expect((await call(owner, 'PATCH', `/items/${id}`, { name: 'Pencils', secret: 'other', tags: ['office'] })).status).toBe(200);
    const [entry] = await entriesOf(owner, id);
    expect(entry!.action).toBe('ledger.item.updated');
    expect(entry!.data).toEqual({ note: 'by hand', changes: { name: { from: 'Pens', to: 'Pencils' }, secret: { redacted: true } } });

    // Nothing changed: an entry whose diff is empty.
    expect((await call(owner, 'PATCH', `/items/${id}`, { amount: 3 })).status).toBe(200);
    const [unchanged] = await entriesOf(owner, id);
    expect(unchanged!.data).toEqual({ note: 'by hand', changes: {} });
  });

  it('records a deletion with every field the record had', async () => {
    const id = await newItem(owner, { name: 'Stapler' });
    expect((await call(owner, 'DELETE', `/items/${id}`)).status).toBe(204);
    const [entry] = await entriesOf(owner, id);
    expect(entry!.action).toBe('ledger.item.deleted');
    expect(entry!.data.changes).toMatchObject({ name: { from: 'Stapler', to: null }, secret: { redacted: true }, amount: { from: null, to: null } });
  });

  it('leaves no entry when the handler throws after recording: the entry goes with the rolled-back change', async () => {
    const id = await newItem(owner, { name: 'Ink' });
    const refused = await call(owner, 'POST', `/items/${id}/archive`);
    expect(refused.status).toBe(409);
    expect((await entriesOf(owner, id)).map((entry) => entry.action)).toEqual(['ledger.item.created']);
    const [row] = await t.sql<{ name: string }>('select name from ledger_items where id = $1', [id]);
    expect(row!.name).toBe('Ink');
  });

  it('names the API token that made the change (and the member who created it)', async () => {
    const token = await createToken(t, owner, ['ledger.items.manage', 'core.audit.view']);
    const created = await t.request('POST', '/api/v1/ledger/items', { headers: withToken(token.token, owner.tenant!.slug), body: { name: 'Tape' } });
    expect(created.status).toBe(201);
    const [entry] = await entriesOf(owner, created.body.data.id);
    expect(entry!.actor).toMatchObject({ user_id: owner.id, token_id: token.id });
  });

  it("records a job's action with no actor: the plugin is named instead", async () => {
    const id = await newItem(owner, { name: 'Glue' });
    expect((await call(owner, 'POST', `/items/${id}/tidy`)).status).toBe(200);
    await t.drainJobs();
    const [entry] = await entriesOf(owner, id);
    expect(entry).toMatchObject({ action: 'ledger.item.tidied', actor: { user_id: null, token_id: null }, request_id: null });
    expect(entry!.data).toEqual({ reason: 'nightly', by: 'ledger' });
  });

  it("writes to the acting tenant's log only", async () => {
    const id = await newItem(owner, { name: 'Clips' });
    expect(await entriesOf(other, id)).toEqual([]);
    const rows = await t.sql<{ tenant_id: string }>("select tenant_id from audit_log where action like 'ledger.%' and target_id = $1", [id]);
    expect(rows).toEqual([{ tenant_id: owner.tenant!.id }]);
  });

  it('refuses an entity or verb that is not lower-case letters, digits and _ (a programming mistake), naming the plugin', async () => {
    const db = { query: () => Promise.reject(new Error('must not be written')) } as unknown as ScopedDb;
    const audit = pluginAudit(ledgerPlugin, { db });
    await expect(audit.record({ entity: 'Item', verb: 'created', target: 'x' })).rejects.toThrow(/plugin `ledger`: audit entity "Item"/);
    await expect(audit.record({ entity: 'item', verb: 'was created', target: 'x' })).rejects.toThrow(/audit verb "was created"/);
    await expect(audit.record({ entity: 'item.sub', verb: 'created', target: 'x' })).rejects.toThrow(/audit entity/);
  });
});
