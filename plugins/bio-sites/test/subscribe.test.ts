import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import crm from '@plinth/plugin-crm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { addBlock, createSite, visit } from './helpers.js';

let t: TestKernel;
/** Has the CRM installed on the host but not enabled. */
let plain: TestUser;
/** Has enabled the CRM. */
let withCrm: TestUser;
let plainSite = '';
const form = { 'content-type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin, crm] });
  [plain, withCrm] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await t.enable(plain, 'bio-sites');
  await t.enable(withCrm, 'crm');
  await t.enable(withCrm, 'bio-sites');
  plainSite = (await createSite(t, plain, { slug: 'plain-form', title: 'Plain', status: 'published' })).id;
  await addBlock(t, plain, plainSite, { type: 'email_capture', data: { title: 'News', button_label: 'Join' } });
  const crmSite = await createSite(t, withCrm, { slug: 'crm-form', title: 'With CRM', status: 'published' });
  await addBlock(t, withCrm, crmSite.id, { type: 'email_capture', data: {} });
});
afterAll(() => t?.close());

const subscribe = (slug: string, body: string, headers: Record<string, string> = form) => visit(t, `/b/${slug}/subscribe`, { method: 'POST', headers, body });
const subscribers = async () =>
  (await t.request('GET', `/api/v1/bio-sites/sites/${plainSite}/subscribers`, { headers: plain.headers })).body.data.map((row: { email: string }) => row.email);
const captured = (email: string) =>
  t.sql<{ tenant_id: string }>("select tenant_id from plinth_events where name = 'bio-sites.subscriber.captured' and payload->>'email' = $1", [email]);

describe('POST /b/:slug/subscribe without the CRM', () => {
  it('stores the subscriber once, emits one event, and thanks the visitor', async () => {
    const response = await subscribe('plain-form', 'email=Reader%40Example.com');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/b/plain-form?subscribed=1#subscribed');
    expect((await subscribe('plain-form', 'email=reader%40example.com')).status).toBe(303);
    expect(await subscribers()).toEqual(['Reader@Example.com']);
    expect(await captured('Reader@Example.com')).toEqual([{ tenant_id: plain.tenant!.id }]);
    expect(await t.sql("select 1 from crm_contacts where email ilike 'reader@example.com'")).toHaveLength(0);
    const thanks = await visit(t, '/b/plain-form?subscribed=1');
    expect(thanks.text).toContain('Thanks, you are subscribed.');
  });

  it.each([
    ['an invalid address', 'email=not-an-address'],
    ['a missing address', 'other=1'],
    ['an address with markup', `email=${encodeURIComponent('<script>@x.example')}`],
    ['an overlong address', `email=${'a'.repeat(250)}%40x.example`],
  ])('refuses %s with a 422 page and stores nothing', async (_, body) => {
    const response = await subscribe('plain-form', body);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.text).toContain('Check your email address');
    expect(response.text).not.toContain('<script>@');
    expect(await subscribers()).toEqual(['Reader@Example.com']);
  });

  it('drops a filled honeypot silently (the bot sees the thanks)', async () => {
    const response = await subscribe('plain-form', 'email=bot%40spam.example&website=https%3A%2F%2Fspam.example');
    expect(response.status).toBe(303);
    expect(await subscribers()).toEqual(['Reader@Example.com']);
    expect(await captured('bot@spam.example')).toHaveLength(0);
  });

  it('refuses an oversized body and other media types', async () => {
    const oversized = await subscribe('plain-form', `email=big%40x.example&pad=${'x'.repeat(5000)}`);
    expect(oversized.status).toBe(413);
    const json = await subscribe('plain-form', JSON.stringify({ email: 'json@x.example' }), { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    expect(await subscribers()).toEqual(['Reader@Example.com']);
  });

  it('is a 404 page for a site without a live form, an unpublished site, or an unknown site', async () => {
    await createSite(t, plain, { slug: 'no-form', status: 'published' });
    const hiddenForm = await createSite(t, plain, { slug: 'hidden-form', status: 'published' });
    await addBlock(t, plain, hiddenForm.id, { type: 'email_capture', data: {}, active: false });
    const draft = await createSite(t, plain, { slug: 'draft-form' });
    await addBlock(t, plain, draft.id, { type: 'email_capture', data: {} });
    for (const slug of ['no-form', 'hidden-form', 'draft-form', 'no-such-site']) {
      const response = await subscribe(slug, 'email=x%40y.example');
      expect(response.status, slug).toBe(404);
      expect(response.headers.get('content-type'), slug).toBe('text/html; charset=utf-8');
    }
    expect(await t.sql("select 1 from bio_sites_subscribers where email = 'x@y.example'")).toHaveLength(0);
  });
});

describe('POST /b/:slug/subscribe with the CRM enabled', () => {
  it('creates a tagged CRM contact with an interaction, once, and stores nothing in the plugin', async () => {
    expect((await subscribe('crm-form', 'email=fan%40example.com')).status).toBe(303);
    expect((await subscribe('crm-form', 'email=fan%40example.com')).status).toBe(303);
    const contacts = await t.request('GET', '/api/v1/crm/contacts?q=fan%40example.com', { headers: withCrm.headers });
    expect(contacts.status).toBe(200);
    expect(contacts.body.data).toHaveLength(1);
    expect(contacts.body.data[0]).toMatchObject({ email: 'fan@example.com', source: 'bio-sites' });
    expect(contacts.body.data[0].tags).toEqual(expect.arrayContaining(['bio-sites', 'bio-site:crm-form']));
    const [contact] = await t.sql<{ tenant_id: string; id: string }>("select tenant_id, id from crm_contacts where email = 'fan@example.com'");
    expect(contact?.tenant_id).toBe(withCrm.tenant!.id);
    const interactions = await t.sql<{ type: string }>('select type from crm_interactions where contact_id = $1', [contact!.id]);
    expect(interactions.map((row) => row.type)).toEqual(['subscribed', 'subscribed']);
    expect(await t.sql("select 1 from bio_sites_subscribers where email = 'fan@example.com'")).toHaveLength(0);
    expect(await captured('fan@example.com')).toEqual([{ tenant_id: withCrm.tenant!.id }]);
  });

  it('still refuses bad input before reaching the CRM', async () => {
    expect((await subscribe('crm-form', 'email=nope')).status).toBe(422);
    expect((await subscribe('crm-form', 'email=hp%40example.com&website=x')).status).toBe(303);
    expect(await t.sql("select 1 from crm_contacts where email in ('nope', 'hp@example.com')")).toHaveLength(0);
  });
});
