import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTenant } from '../../src/db/scoped-db.js';
import { coreNotify } from '../../src/notifications/plugin-notify.js';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';

let t: TestKernel;
let owner: TestUser;
let admin: TestUser;
let operator: TestUser;
beforeAll(async () => {
  t = await createTestKernel();
  owner = await signUp(t, { tenant: true });
  admin = await addMember(t, owner, ['admin']);
  operator = await signUpSuperAdmin(t);
}, 60_000);
afterAll(() => t.close());

const inbox = async (user: TestUser) =>
  (await t.request('GET', '/api/v1/notifications', { headers: user.headers })).body.data as { title: string; url: string; body: string }[];

describe("core's own notifications", () => {
  it('tell the tenant’s owners of a support access request, once: in the inbox and by one mail', async () => {
    const asked = await t.request('POST', `/api/v1/admin/tenants/${owner.tenant!.id}/support-access`, {
      headers: { authorization: `Bearer ${operator.accessToken}` },
      body: { reason: 'Ticket #7: cannot log in', minutes: 15 },
    });
    expect(asked.status).toBe(201);
    const deadline = Date.now() + 10_000;
    while ((await inbox(owner)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const [item] = await inbox(owner);
    expect(item).toMatchObject({
      title: `Support access to ${owner.tenant!.name} requested`,
      url: `/t/${owner.tenant!.slug}/support-access`,
      body: expect.stringContaining('Ticket #7: cannot log in'),
    });
    // Admins do not decide support access: they are not told.
    expect(await inbox(admin)).toEqual([]);
    await t.drainJobs();
    const mails = (await t.mailbox(owner.email)).filter((mail) => mail.subject.startsWith('Support access'));
    expect(mails.length).toBe(1);
    expect(mails[0]!.text).toContain(`/t/${owner.tenant!.slug}/support-access`);
  });

  it('send core templates through coreNotify with console links, and refuse a plugin template there', async () => {
    const result = await runInTenant(t.kernel.services.database, owner.tenant!.id, (db) =>
      coreNotify(t.kernel.services, db, owner.tenant!).send({
        to: { userId: admin.id },
        template: 'core.report-ready',
        data: { report: 'Sales by day' },
        link: '/reports/123',
      }),
    );
    expect(result).toMatchObject({ recipients: 1, notificationId: expect.any(String) });
    expect((await inbox(admin))[0]).toMatchObject({
      title: 'Your report is ready',
      body: 'Sales by day is ready to download.',
      url: `/t/${owner.tenant!.slug}/reports/123`,
    });
    const foreign = await runInTenant(t.kernel.services.database, owner.tenant!.id, (db) =>
      coreNotify(t.kernel.services, db, owner.tenant!).send({ to: { userId: admin.id }, template: 'shop.order-paid' }),
    );
    expect(foreign.failure).toContain('unknown template');
  });
});
