import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { coreServices, definePermissions, definePlugin, Type } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crm, { crmContactsRef } from '../src/index.js';
import { crmCall, customFields } from './helpers.js';

// A plugin using the CRM's contacts service, as bio-sites' email capture does.
const probePermissions = definePermissions('probe', { 'capture.use': { description: 'Capture', grantTo: ['admin'] } });
const probe = definePlugin({
  name: 'probe',
  version: '0.1.0',
  title: 'Probe',
  description: 'Uses crm.contacts',
  category: 'test',
  requires: { core: '^0.1.0', plugins: { crm: '^0.1.0' } },
  deps: { contacts: crmContactsRef, db: coreServices.db },
  permissions: probePermissions,
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/capture',
      summary: 'Capture an email',
      permission: probePermissions['capture.use'],
      schema: { body: Type.Object({ email: Type.String(), name: Type.Optional(Type.String()) }) },
      async handler({ body, deps }) {
        return deps.contacts.upsert({
          email: body.email,
          ...(body.name ? { name: body.name } : {}),
          source: 'bio-sites',
          tags: ['newsletter'],
          interaction: { type: 'form', subject: 'Signed up on the bio page' },
        });
      },
    }),
  ],
});

let t: TestKernel;
let owner: TestUser;
let call: ReturnType<typeof crmCall>;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [crm, probe] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'crm', { customFields });
  await t.enable(owner, 'probe');
  call = crmCall(t, owner);
});
afterAll(() => t?.close());

/** Puts an event of another plugin (or core) in the tenant's outbox, as that plugin would. */
async function emitAs(tenantId: string, name: string, payload: unknown, emittedBy: string): Promise<void> {
  await t.sql('insert into plinth_events (tenant_id, name, payload, emitted_by, enqueued_at) values ($1, $2, $3, $4, now())', [
    tenantId,
    name,
    JSON.stringify(payload),
    emittedBy,
  ]);
}

const contactByEmail = async (email: string) => {
  const [row] = await t.sql<{ id: string }>('select id from crm_contacts where lower(email) = lower($1) and deleted_at is null', [email]);
  return row ? (await call('GET', `/contacts/${row.id}`)).body.data : undefined;
};

describe('handled events', () => {
  it('upserts the customer of a paid order and records the order', async () => {
    const order = {
      orderId: 'o1',
      number: 'A-1001',
      currency: 'eur',
      total: 4990,
      customer: { id: 'c1', email: 'buyer@example.com', name: 'Bea Buyer', userId: null },
      lines: [{ lineId: 'l1', productId: 'p', variantId: 'v', sku: 'S', name: 'Course', quantity: 1, unitPrice: 4990, total: 4990, metadata: {} }],
    };
    await emitAs(owner.tenant!.id, 'shop.order.paid', order, 'shop');
    await emitAs(owner.tenant!.id, 'shop.order.paid', { ...order, orderId: 'o2', number: 'A-1002' }, 'shop');
    expect((await t.drainEvents()).failed).toBe(0);
    const contact = await contactByEmail('buyer@example.com');
    expect(contact).toMatchObject({ name: 'Bea Buyer', source: 'shop', tags: ['customer'] });
    const timeline = await call('GET', `/contacts/${contact.id}/interactions`);
    expect(timeline.body.data.map((i: { subject: string }) => i.subject).sort()).toEqual(['Order A-1001 paid: 49.90 EUR', 'Order A-1002 paid: 49.90 EUR']);
    expect(timeline.body.data[0]).toMatchObject({ type: 'order', content: '1 × Course', channel: 'shop' });
  });

  it('upserts an enrolled learner, filling blanks of an existing contact', async () => {
    await call('POST', '/contacts', { email: 'Learner@example.com', tags: ['lead'] });
    await emitAs(
      owner.tenant!.id,
      'lms.enrollment.created',
      {
        enrollmentId: 'e1',
        courseId: 'c1',
        courseTitle: 'Rust 101',
        learner: { userId: 'u1', email: 'learner@example.com', name: 'Lee Learner' },
        source: 'self',
        orderId: null,
      },
      'lms',
    );
    await t.drainEvents();
    const contact = await contactByEmail('learner@example.com');
    expect(contact).toMatchObject({ email: 'Learner@example.com', name: 'Lee Learner', source: 'manual', tags: ['lead', 'learner'] });
    const timeline = await call('GET', `/contacts/${contact.id}/interactions`);
    expect(timeline.body.data[0]).toMatchObject({ type: 'enrollment', subject: 'Enrolled in Rust 101' });
  });

  it('adds registered users only when the setting asks, and ignores events without a usable email', async () => {
    await emitAs(owner.tenant!.id, 'core.user.registered', { userId: 'u2', email: 'first@example.com', name: 'First' }, 'core');
    await t.drainEvents();
    expect(await contactByEmail('first@example.com')).toBeUndefined();
    await t.request('PUT', '/api/v1/plugins/crm/settings', { headers: owner.headers, body: { customFields, captureRegisteredUsers: true } });
    await emitAs(owner.tenant!.id, 'core.user.registered', { userId: 'u3', email: 'second@example.com', name: 'Second' }, 'core');
    await emitAs(
      owner.tenant!.id,
      'shop.order.paid',
      { orderId: 'x', number: 'X', currency: 'eur', total: 1, customer: { id: 'c', email: 'nope', name: null, userId: null }, lines: [] },
      'shop',
    );
    expect((await t.drainEvents()).failed).toBe(0);
    expect(await contactByEmail('second@example.com')).toMatchObject({ name: 'Second', source: 'registration' });
    expect(await contactByEmail('nope')).toBeUndefined();
  });
});

describe('the contacts service (crmContactsRef)', () => {
  it('creates, then updates the same contact by email, and refuses an invalid email', async () => {
    const first = await t.request('POST', '/api/v1/probe/capture', { headers: owner.headers, body: { email: 'fan@example.com', name: 'Fan' } });
    expect(first.body.data).toEqual({ contactId: expect.any(String), created: true });
    const again = await t.request('POST', '/api/v1/probe/capture', { headers: owner.headers, body: { email: 'FAN@example.com', name: 'Other' } });
    expect(again.body.data).toEqual({ contactId: first.body.data.contactId, created: false });
    const contact = await contactByEmail('fan@example.com');
    expect(contact).toMatchObject({ name: 'Fan', source: 'bio-sites', tags: ['newsletter'] });
    expect((await call('GET', `/contacts/${contact.id}/interactions`)).body.meta.pagination.total).toBe(2);
    const bad = await t.request('POST', '/api/v1/probe/capture', { headers: owner.headers, body: { email: 'not-an-email' } });
    expect(bad.status).toBe(422);
    const events = await t.sql<{ name: string }>("select name from plinth_events where payload->>'contactId' = $1 order by created_at", [
      first.body.data.contactId,
    ]);
    expect(events.map((event) => event.name)).toEqual(['crm.contact.created', 'crm.contact.updated']);
  });
});
