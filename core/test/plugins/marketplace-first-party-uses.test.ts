// The first-party plugins say in plain words what they do with each other's data (issue 20: "bio-sites writes CRM contacts").
import bioSites from '@plinth/plugin-bio-sites';
import crm from '@plinth/plugin-crm';
import integrations from '@plinth/plugin-integrations';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments, shop, crm, lms, bioSites, integrations] });
  owner = await signUp(t, { tenant: true });
});
afterAll(() => t.close());

it("lists each first-party plugin's use of another plugin's data, described, with its access", async () => {
  const response = await t.request('GET', '/api/v1/marketplace', { headers: owner.headers });
  expect(response.status).toBe(200);
  const uses = Object.fromEntries(
    (response.body.data as { name: string; uses: { service: string; access: string; what: string; optional: boolean }[] }[]).map((entry) => [
      entry.name,
      entry.uses.map(({ service, access, optional }) => `${service}:${access}${optional ? '?' : ''}`),
    ]),
  );
  expect(uses).toEqual({
    payments: [],
    shop: ['payments.payments:write'],
    crm: [],
    lms: ['shop.offers:read?'],
    'bio-sites': ['crm.contacts:write?', 'shop.offers:read?'],
    integrations: ['shop.sync:write?'],
  });
  const bio = (response.body.data as { name: string; uses: { service: string; title: string; what: string }[] }[]).find((entry) => entry.name === 'bio-sites')!;
  expect(bio.uses[0]).toMatchObject({ title: 'CRM', what: expect.stringMatching(/CRM contacts/) });
  // Nothing has data in a new tenant.
  expect((response.body.data as { has_data: boolean }[]).every((entry) => !entry.has_data)).toBe(true);
});
