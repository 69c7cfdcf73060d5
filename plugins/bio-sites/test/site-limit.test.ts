import { createTestKernel, putOnPlan, savePlan, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import crm from '@plinth/plugin-crm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bioSites from '../src/plugin.js';
import { addBlock, createSite, visit } from './helpers.js';

// Bio Sites' `sites` limit, and a subscriber kept when the CRM's contact limit is reached (docs/billing.md).
let t: TestKernel;
let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [crm, bioSites] });
  [owner, other] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  for (const user of [owner, other]) {
    await t.enable(user, 'crm');
    await t.enable(user, 'bio-sites');
  }
  // The owner's tenant stays on the default plan, `free`, which the host limited; the other is on an unlisted plan without limits.
  await savePlan(t, { key: 'free', name: 'Free', limits: { 'bio-sites.sites': 1, 'crm.contacts': 0 } });
  await savePlan(t, { key: 'creator', name: 'Creator', prices: [{ currency: 'USD', interval: 'month', amount: 900 }], limits: { 'bio-sites.sites': 10 } });
  await putOnPlan(t, other.tenant!.id, { key: 'partner', name: 'Partner', public: false });
});
afterAll(() => t?.close());

const newSite = (user: TestUser, slug: string) => t.request('POST', '/api/v1/bio-sites/sites', { headers: user.headers, body: { title: 'Links', slug } });

describe('the plan limit on bio sites', () => {
  it("counts only this tenant's sites and refuses the one past the limit, naming the plan that lifts it", async () => {
    await createSite(t, other, { slug: 'their-first' });
    await createSite(t, other, { slug: 'their-second' });
    await createSite(t, owner, { slug: 'my-only-site' });
    const refused = await newSite(owner, 'my-second-site');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'limit_reached', errors: { limit: ['bio-sites.sites'], max: ['1'], used: ['1'], upgrade: ['creator'] } });
    // The refused site's slug was not claimed: another tenant may take it.
    expect((await newSite(other, 'my-second-site')).status).toBe(201);
  });

  it("keeps a visitor's subscription in the site's own list when the CRM's contacts are all used", async () => {
    const [mine] = await t.sql<{ id: string }>("select id from bio_sites_sites where slug = 'my-only-site'");
    expect((await t.request('PATCH', `/api/v1/bio-sites/sites/${mine!.id}`, { headers: owner.headers, body: { status: 'published' } })).status).toBe(200);
    await addBlock(t, owner, mine!.id, { type: 'email_capture', data: {} });
    const subscribed = await visit(t, '/b/my-only-site/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=reader%40example.com',
    });
    expect(subscribed.status).toBe(303);
    expect(await t.sql('select id from crm_contacts where tenant_id = $1', [owner.tenant!.id])).toEqual([]);
    const kept = await t.sql<{ email: string }>('select email from bio_sites_subscribers where tenant_id = $1', [owner.tenant!.id]);
    expect(kept.map((row) => row.email)).toEqual(['reader@example.com']);
  });
});
