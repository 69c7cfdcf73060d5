import { signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCall, crmKernel, customFields, eventually } from './helpers.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let asA: ReturnType<typeof crmCall>;
let asB: ReturnType<typeof crmCall>;
const ofA: Record<string, string> = {};
let tokenOfA = '';

beforeAll(async () => {
  ({ t, owner: a } = await crmKernel());
  b = await signUp(t, { tenant: true });
  await t.enable(b, 'crm', { customFields });
  asA = crmCall(t, a);
  asB = crmCall(t, b);
  ofA.contact = (await asA('POST', '/contacts', { email: 'secret@a.example', name: 'Secret Agent', company: 'Acme', tags: ['vip'] })).body.data.id;
  ofA.dup = (await asA('POST', '/contacts', { email: 'dup@a.example' })).body.data.id;
  ofA.interaction = (await asA('POST', `/contacts/${ofA.contact}/interactions`, { type: 'note', subject: 'Private' })).body.data.id;
  ofA.segment = (await asA('POST', '/segments', { name: 'VIPs', filter: { tag: ['vip'] } })).body.data.id;
  ofA.template = (await asA('POST', '/templates', { name: 'T', subject: 'S', html: '<a href="https://a.example/x">x</a>', text: 'x' })).body.data.id;
  ofA.campaign = (await asA('POST', '/campaigns', { name: 'C', template_id: ofA.template, segment_id: ofA.segment })).body.data.id;
  ofA.draft = (await asA('POST', '/campaigns', { name: 'Draft', template_id: ofA.template, segment_id: ofA.segment })).body.data.id;
  ofA.import = (await asA('POST', '/contacts/import', 'email\nimported@a.example\n', { 'content-type': 'text/csv' })).body.data.id;
  expect((await asA('POST', `/campaigns/${ofA.campaign}/send`)).status).toBe(202);
  await eventually(async () => ((await asA('GET', `/campaigns/${ofA.campaign}`)).body.data.status === 'sent' ? true : undefined));
  const [recipient] = await t.sql<{ token: string }>('select token from crm_campaign_recipients where campaign_id = $1', [ofA.campaign]);
  tokenOfA = recipient!.token;
});
afterAll(() => t?.close());

describe('crm tenant isolation', () => {
  it("B lists, searches, counts and reads nothing of A's contacts", async () => {
    // The searches the index answers alone (sorted by creation or score, with tag and score bounds) among them.
    const indexed = ['?q=secret&sort=-score&score_min=0', '?tag=vip&sort=score', '?q=sec&tag=vip&created_from=2000-01-01&sort=created_at'];
    for (const query of ['', '?q=secret', '?q=acme', '?tag=vip', '?deleted=true', `?owner_id=${a.id}`, ...indexed]) {
      const list = await asB('GET', `/contacts${query}`);
      expect(list.status, query).toBe(200);
      expect(list.body.data, query).toEqual([]);
      expect(list.body.meta.pagination.total, query).toBe(0);
    }
    expect((await asB('GET', `/contacts/${ofA.contact}`)).status).toBe(404);
    expect((await asB('GET', `/contacts/${ofA.contact}/interactions`)).status).toBe(404);
    // The same searches do find A's contact for A: B's empty answers are isolation, not a broken search.
    for (const query of indexed)
      expect(
        (await asA('GET', `/contacts${query}`)).body.data.map((c: { id: string }) => c.id),
        query,
      ).toEqual([ofA.contact]);
  });

  it("B changes nothing of A's contacts, and may use the same email", async () => {
    expect((await asB('PATCH', `/contacts/${ofA.contact}`, { name: 'Hacked' })).status).toBe(404);
    expect((await asB('DELETE', `/contacts/${ofA.contact}`)).status).toBe(404);
    expect((await asB('POST', `/contacts/${ofA.contact}/restore`)).status).toBe(404);
    expect((await asB('POST', `/contacts/${ofA.contact}/interactions`, { type: 'note', subject: 'x' })).status).toBe(404);
    expect((await asB('DELETE', `/contacts/${ofA.contact}/interactions/${ofA.interaction}`)).status).toBe(404);
    const own = (await asB('POST', '/contacts', { email: 'SECRET@a.example' })).body.data.id;
    expect(own).toBeDefined();
    expect((await asB('POST', `/contacts/${own}/merge`, { duplicate_ids: [ofA.dup] })).status).toBe(404);
    expect((await asB('POST', `/contacts/${ofA.contact}/merge`, { duplicate_ids: [own] })).status).toBe(404);
    const read = await asA('GET', `/contacts/${ofA.contact}`);
    expect(read.body.data).toMatchObject({ name: 'Secret Agent', deleted_at: null });
    expect((await asA('GET', `/contacts/${ofA.contact}/interactions`)).body.meta.pagination.total).toBe(1);
    await asB('DELETE', `/contacts/${own}`);
  });

  it("B's segments count only B's contacts; A's segments are invisible", async () => {
    const own = await asB('POST', '/segments', { name: 'VIPs', filter: { tag: ['vip'] } });
    expect(own.body.data.count).toBe(0);
    expect((await asB('GET', '/segments')).body.data.map((s: { id: string }) => s.id)).toEqual([own.body.data.id]);
    expect((await asB('GET', `/segments/${ofA.segment}`)).status).toBe(404);
    expect((await asB('GET', `/segments/${ofA.segment}/contacts`)).status).toBe(404);
    expect((await asB('PATCH', `/segments/${ofA.segment}`, { name: 'x' })).status).toBe(404);
    expect((await asB('DELETE', `/segments/${ofA.segment}`)).status).toBe(404);
    expect((await asA('GET', `/segments/${ofA.segment}`)).body.data.count).toBe(1);
  });

  it("B's exports and imports hold nothing of A's", async () => {
    const exported = await asB('GET', '/contacts/export');
    expect((exported.body as string).trim().split('\n')).toHaveLength(1);
    expect((await asB('GET', `/contacts/export?segment_id=${ofA.segment}`)).status).toBe(404);
    expect((await asB('GET', '/imports')).body.data).toEqual([]);
    expect((await asB('GET', `/imports/${ofA.import}`)).status).toBe(404);
    const dry = await asB('POST', '/contacts/import?dry_run=true&on_duplicate=update', 'email\nsecret@a.example\n', { 'content-type': 'text/csv' });
    expect(dry.body.data).toMatchObject({ would_create: 1, would_update: 0 });
  });

  it("B reaches none of A's templates and campaigns", async () => {
    expect((await asB('GET', '/templates')).body.data).toEqual([]);
    expect((await asB('GET', `/templates/${ofA.template}`)).status).toBe(404);
    expect((await asB('PATCH', `/templates/${ofA.template}`, { name: 'x' })).status).toBe(404);
    expect((await asB('DELETE', `/templates/${ofA.template}`)).status).toBe(404);
    expect((await asB('POST', `/templates/${ofA.template}/preview`, { contact_id: ofA.contact })).status).toBe(404);
    expect((await asB('GET', '/campaigns')).body.data).toEqual([]);
    for (const [method, path] of [
      ['GET', `/campaigns/${ofA.campaign}`],
      ['GET', `/campaigns/${ofA.campaign}/recipients`],
      ['PATCH', `/campaigns/${ofA.draft}`],
      ['DELETE', `/campaigns/${ofA.draft}`],
      ['POST', `/campaigns/${ofA.draft}/send`],
    ] as const) {
      expect((await asB(method, path, method === 'PATCH' ? { name: 'x' } : undefined)).status, `${method} ${path}`).toBe(404);
    }
    const ownTemplate = (await asB('POST', '/templates', { name: 'T', subject: 'S', html: 'h', text: 't' })).body.data.id;
    const drafted = await asB('POST', '/campaigns', { name: 'x', template_id: ofA.template, segment_id: ofA.segment });
    expect(drafted.status).toBe(422);
    expect((await asB('POST', '/campaigns', { name: 'x', template_id: ownTemplate, segment_id: ofA.segment })).body.errors.segment_id).toBeDefined();
    expect((await asA('GET', `/campaigns/${ofA.draft}`)).body.data.status).toBe('draft');
  });

  it("A's tracking tokens do nothing under B's tenant", async () => {
    const base = `/api/v1/crm/t/${b.tenant!.id}`;
    expect((await t.request('GET', `${base}/o/${tokenOfA}`)).status).toBe(404);
    expect((await fetch(`${t.url}${base}/c/${tokenOfA}/0`, { redirect: 'manual' })).status).toBe(404);
    expect((await t.request('GET', `${base}/u/${tokenOfA}`)).status).toBe(404);
    expect((await t.request('POST', `${base}/u/${tokenOfA}`)).status).toBe(404);
    const [row] = await t.sql<{ opened_at: Date | null; unsubscribed_at: Date | null }>(
      'select opened_at, unsubscribed_at from crm_campaign_recipients where token = $1',
      [tokenOfA],
    );
    expect(row).toEqual({ opened_at: null, unsubscribed_at: null });
    expect((await t.request('GET', `/api/v1/crm/t/no-such-tenant/o/${tokenOfA}`)).status).toBe(404);
  });

  it("refuses B's user on A's tenant", async () => {
    const response = await t.request('GET', '/api/v1/crm/contacts', { headers: { ...b.headers, 'x-tenant': a.tenant!.slug } });
    expect(response.status).toBe(403);
  });
});
