import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestKernel, putOnPlan, savePlan, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crm from '../src/plugin.js';
import { crmCall, eventually } from './helpers.js';

// The CRM's `contacts` limit (docs/billing.md, README "Plan limits"): every path that creates a contact counts.
let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let call: ReturnType<typeof crmCall>;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [crm] });
  [owner, other] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await Promise.all([t.enable(owner, 'crm'), t.enable(other, 'crm')]);
  // The owner's tenant stays on the default plan, `free`, which the host limited; the other is on an unlisted plan without limits.
  await savePlan(t, { key: 'free', name: 'Free', limits: { 'crm.contacts': 3 } });
  await savePlan(t, {
    key: 'crm-pro',
    name: 'CRM Pro',
    prices: [{ currency: 'USD', interval: 'month', amount: 1900 }],
    limits: { 'crm.contacts': 1000 },
    sort: 2,
  });
  await putOnPlan(t, other.tenant!.id, { key: 'partner', name: 'Partner', public: false });
  call = crmCall(t, owner);
});
afterAll(() => t?.close());

const csv = { 'content-type': 'text/csv' };
const contacts = async (tenantId: string) =>
  (await t.sql<{ n: number }>('select count(*)::int as n from crm_contacts where tenant_id = $1 and deleted_at is null', [tenantId]))[0]!.n;

describe('the plan limit on contacts', () => {
  it("counts only this tenant's contacts, and refuses the one past the limit with the plan that lifts it", async () => {
    // Another tenant's contacts take nothing from this one's.
    for (let i = 0; i < 5; i++) expect((await crmCall(t, other)('POST', '/contacts', { email: `theirs${i}@example.com` })).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await call('POST', '/contacts', { email: `mine${i}@example.com` })).status).toBe(201);

    const refused = await call('POST', '/contacts', { email: 'one-too-many@example.com' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'limit_reached',
      errors: { limit: ['crm.contacts'], max: ['3'], used: ['3'], upgrade: ['crm-pro'] },
    });
    expect(refused.body.message).toContain('3 contacts');
    const arabic = await call('POST', '/contacts', { email: 'one-too-many@example.com' }, { 'accept-language': 'ar' });
    expect(arabic.body.message).toContain('جهات الاتصال');
    expect(await contacts(owner.tenant!.id)).toBe(3);
    // The other tenant is not limited by this one's plan.
    expect((await crmCall(t, other)('POST', '/contacts', { email: 'theirs-more@example.com' })).status).toBe(201);
  });

  it('frees a place when a contact goes to the trash, and counts it again when it is restored', async () => {
    const listed = (await call('GET', '/contacts')).body.data as { id: string }[];
    expect((await call('DELETE', `/contacts/${listed[0]!.id}`)).status).toBe(204);
    expect((await call('POST', '/contacts', { email: 'took-the-place@example.com' })).status).toBe(201);
    const restore = await call('POST', `/contacts/${listed[0]!.id}/restore`);
    expect(restore.status).toBe(409);
    expect(restore.body.code).toBe('limit_reached');
  });

  it('refuses a whole import whose new contacts would pass the limit, after a dry run that says so', async () => {
    const [gone] = (await call('GET', '/contacts')).body.data as { id: string; email: string }[];
    expect((await call('DELETE', `/contacts/${gone!.id}`)).status).toBe(204);
    // 2 used of 3: one existing email (an update, which never counts) and two new ones.
    const file = `email,name\nmine1@example.com,Updated\nnew-a@example.com,A\nnew-b@example.com,B\n`;
    const dryRun = await call('POST', '/contacts/import?dry_run=true&on_duplicate=update', file, csv);
    expect(dryRun.body.data).toMatchObject({ would_create: 2, would_update: 1, beyond_limit: 1 });

    const refused = await call('POST', '/contacts/import?on_duplicate=update', file, csv);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'limit_reached', errors: { limit: ['crm.contacts'], max: ['3'], upgrade: ['crm-pro'] } });
    expect((await call('GET', '/imports')).body.data).toEqual([]);
    expect(await t.sql('select id from files where tenant_id = $1', [owner.tenant!.id])).toEqual([]);

    const fits = await call('POST', '/contacts/import?on_duplicate=update', `email,name\nmine1@example.com,Updated\nnew-a@example.com,A\n`, csv);
    expect(fits.status).toBe(202);
    const done = await eventually(async () => {
      const response = await call('GET', `/imports/${fits.body.data.id}`);
      return response.body.data.status === 'completed' ? response.body.data : undefined;
    });
    expect(done).toMatchObject({ created: 1, updated: 1, failed: 0 });
    expect(await contacts(owner.tenant!.id)).toBe(3);
  });

  it("never fails a shop order's handler when the CRM is full: a new buyer is not added, a known one is still updated", async () => {
    await t.drainEvents();
    const emitOrderPaid = (email: string, number: string) =>
      t.sql('insert into plinth_events (tenant_id, name, payload, emitted_by, enqueued_at) values ($1, $2, $3, $4, now())', [
        owner.tenant!.id,
        'shop.order.paid',
        JSON.stringify({ customer: { email, name: 'Buyer' }, number, total: 1500, currency: 'usd', lines: [{ quantity: 1, name: 'Mug' }] }),
        'shop',
      ]);
    const before = await contacts(owner.tenant!.id);
    await emitOrderPaid('new-buyer@example.com', 'A-1');
    await emitOrderPaid('mine1@example.com', 'A-2');
    expect(await t.drainEvents()).toMatchObject({ delivered: 2, failed: 0 });
    expect(await contacts(owner.tenant!.id)).toBe(before);
    const [known] = (await call('GET', '/contacts?q=mine1')).body.data as { id: string; tags: string[] }[];
    expect(known!.tags).toContain('customer');
  });
});

describe('an import that the limit catches up with while it waits', () => {
  it('creates what still fits and reports every other new row by line', async () => {
    // A process that only serves the API queues the import; the worker that runs it starts after the plan filled up.
    // Both keep files in one directory, as a host's processes share their storage.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-crm-limit-'));
    const api = await createTestKernel({ plugins: [crm], env: { PLINTH_ROLE: 'api', PLINTH_DATA_DIR: dataDir } });
    try {
      const user = await signUp(api, { tenant: true });
      await api.enable(user, 'crm');
      await putOnPlan(api, user.tenant!.id, { key: 'crm-tiny', limits: { 'crm.contacts': 4 } });
      const apiCall = crmCall(api, user);
      const queued = await apiCall('POST', '/contacts/import', 'email\nrow-a@example.com\nrow-b@example.com\nrow-c@example.com\n', csv);
      expect(queued.status).toBe(202);
      for (const email of ['early-1@example.com', 'early-2@example.com']) expect((await apiCall('POST', '/contacts', { email })).status).toBe(201);

      const worker = await createTestKernel({ plugins: [crm], database: api.database, env: { PLINTH_ROLE: 'worker', PLINTH_DATA_DIR: dataDir } });
      try {
        await worker.drainJobs(60_000);
      } finally {
        await worker.close();
      }
      const done = (await apiCall('GET', `/imports/${queued.body.data.id}`)).body.data;
      expect(done).toMatchObject({ status: 'completed', created: 2, failed: 1 });
      expect(done.errors).toEqual([{ line: 4, field: 'email', message: "not imported: the plan's limit of 4 contacts is reached" }]);
      const imported = await api.sql<{ email: string }>("select email from crm_contacts where email like 'row-%' order by email");
      expect(imported.map((row) => row.email)).toEqual(['row-a@example.com', 'row-b@example.com']);
    } finally {
      await api.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
