import { addMember, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCall, crmKernel, eventually } from './helpers.js';

// Issue 24: the member who started an import hears once that it finished, with its counts and a link to its page.
let t: TestKernel;
let owner: TestUser;
let importer: TestUser;
beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  importer = await addMember(t, owner, ['admin']);
});
afterAll(() => t?.close());

interface InboxItem {
  category: string;
  title: string;
  body: string;
  url: string | null;
}

const inboxOf = async (user: TestUser): Promise<InboxItem[]> =>
  (await t.request('GET', '/api/v1/notifications', { headers: user.headers })).body.data.filter((item: InboxItem) => item.category === 'crm.imports');

describe('import finished', () => {
  it('notifies the member who started the import, once, with its counts and its page', async () => {
    const call = crmCall(t, importer);
    await call('POST', '/contacts', { email: 'known@example.com', name: 'Known' });
    const file = ['name,email', 'Known Again,known@example.com', 'One,one@example.com', 'Two,two@example.com', 'Broken,broken@'].join('\n');
    const started = await call('POST', '/contacts/import', file, { 'content-type': 'text/csv' });
    expect(started.status).toBe(202);
    const id = started.body.data.id as string;
    const done = await eventually(async () => {
      const response = await call('GET', `/imports/${id}`);
      return response.body.data.status === 'completed' ? response.body.data : undefined;
    }, 60_000);
    expect(done).toMatchObject({ created: 2, updated: 0, skipped: 1, failed: 1 });
    await t.drainJobs();

    expect(await inboxOf(importer)).toEqual(
      [
        {
          category: 'crm.imports',
          title: 'Contact import finished',
          body: '2 contacts imported, 1 skipped, 1 failed.',
          url: `/t/${owner.tenant!.slug}/p/crm/imports/${id}`,
        },
      ].map((item) => expect.objectContaining(item)),
    );
    // The owner did not start it: nothing in their inbox.
    expect(await inboxOf(owner)).toEqual([]);

    // The last chunk's job run again (a retry after a crash) notifies no one again.
    await t.kernel.services.jobs.enqueue('crm.import.run', { tenantId: owner.tenant!.id, payload: { importId: id, chunk: 0 } });
    await t.drainJobs();
    expect(await inboxOf(importer)).toHaveLength(1);
    const [sent] = await t.sql<{ count: number }>("select count(*)::int as count from notifications where plugin = 'crm' and key = $1", [
      `import-finished:${id}`,
    ]);
    expect(sent!.count).toBe(1);
  });

  it('in Arabic for a member whose workspace speaks Arabic', async () => {
    expect((await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { locale: 'ar' } })).status).toBe(200);
    const call = crmCall(t, importer);
    const started = await call('POST', '/contacts/import', 'name,email\nThree,three@example.com\n', { 'content-type': 'text/csv' });
    await eventually(async () => ((await call('GET', `/imports/${started.body.data.id}`)).body.data.status === 'completed' ? true : undefined), 60_000);
    await t.drainJobs();
    const [latest] = await inboxOf(importer);
    expect(latest).toMatchObject({ title: 'انتهى استيراد جهات الاتصال', body: 'استُوردت جهة اتصال واحدة، وتُخطّي 0، وفشل 0.' });
    expect((await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { locale: 'en' } })).status).toBe(200);
  });
});
