import { signUp, type TestUser } from '@plinth/core/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeShop } from './fixtures/fake-shop.js';
import { bootLms, buildCourse, eventsNamed, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let admin: Call;
let buyer: TestUser;
beforeAll(async () => {
  world = await bootLms([fakeShop]);
  admin = world.as(world.owner);
  await world.t.enable(world.owner, 'shop');
  buyer = await world.member();
});
afterAll(() => world?.t.close());

function order(lines: { productId?: string; metadata?: Record<string, unknown> }[], customer: { userId?: string | null; email?: string } = {}) {
  return {
    orderId: randomUUID(),
    number: 'SO-1',
    currency: 'EUR',
    total: 1000,
    customer: { id: randomUUID(), email: customer.email ?? 'nobody@example.test', name: null, userId: customer.userId ?? null },
    lines: lines.map((line) => ({
      lineId: randomUUID(),
      productId: line.productId ?? randomUUID(),
      variantId: randomUUID(),
      sku: 'SKU',
      name: 'Course',
      quantity: 1,
      unitPrice: 1000,
      total: 1000,
      metadata: line.metadata ?? {},
    })),
  };
}

async function paid(payload: ReturnType<typeof order>) {
  const response = await world.t.request('POST', '/api/v1/shop/test/paid', { headers: world.owner.headers, body: payload });
  expect(response.status).toBe(200);
  await world.t.drainEvents();
}

/** A new user with this email who joins the tenant as a member through an invitation. */
async function joinWithEmail(email: string): Promise<TestUser> {
  const user = await signUp(world.t, { email });
  const roles = await world.t.request('GET', '/api/v1/roles?per_page=100', { headers: world.owner.headers });
  const memberRole = roles.body.data.find((role: { name: string }) => role.name === 'member').id;
  const invited = await world.t.request('POST', '/api/v1/invitations', { headers: world.owner.headers, body: { email, roles: [memberRole] } });
  const token = new URL(invited.body.data.accept_url).searchParams.get('token');
  const accepted = await world.t.request('POST', '/api/v1/invitations/accept', { headers: user.headers, body: { token } });
  expect(accepted.status).toBe(201);
  return { ...user, headers: { ...user.headers, 'x-tenant': world.owner.tenant!.slug } };
}

const enrollmentsOf = (courseId: string) =>
  world.t.sql<{ user_id: string; source: string; order_id: string; expires_at: Date | null }>(
    'select user_id, source, order_id, expires_at from lms_enrollments where course_id = $1',
    [courseId],
  );

describe('enrolment on shop.order.paid', () => {
  it('enrols the buyer in the course linked to the product, once, however often the event arrives', async () => {
    const productId = randomUUID();
    const course = await buildCourse(admin, { course: { shop_product_id: productId } });
    const payload = order([{ productId }], { userId: buyer.id, email: buyer.email });
    await paid(payload);
    expect(await enrollmentsOf(course.id)).toEqual([{ user_id: buyer.id, source: 'purchase', order_id: payload.orderId, expires_at: null }]);
    const created = (await eventsNamed(world.t, world.owner.tenant!.id, 'lms.enrollment.created')).filter((event) => event.courseId === course.id);
    expect(created).toEqual([
      expect.objectContaining({ source: 'purchase', orderId: payload.orderId, learner: expect.objectContaining({ userId: buyer.id }) }),
    ]);

    await paid(payload);
    const [event] = await world.t.sql<{ id: string }>("select id from plinth_events where name = 'shop.order.paid' and payload->>'orderId' = $1 limit 1", [
      payload.orderId,
    ]);
    await world.t.sql('delete from plinth_event_deliveries where event_id = $1', [event!.id]);
    await world.t.sql('update plinth_events set dispatched_at = null where id = $1', [event!.id]);
    await world.t.drainEvents();
    const redelivered = await world.t.sql<{ handler: string }>('select handler from plinth_event_deliveries where event_id = $1', [event!.id]);
    expect(redelivered.map((row) => row.handler)).toContain('lms:shop.order.paid');

    expect(await enrollmentsOf(course.id)).toHaveLength(1);
    expect((await eventsNamed(world.t, world.owner.tenant!.id, 'lms.enrollment.created')).filter((e) => e.courseId === course.id)).toHaveLength(1);
    const purchases = await admin('GET', `/purchases?course_id=${course.id}`);
    expect(purchases.body.data).toEqual([expect.objectContaining({ order_id: payload.orderId, outcome: 'enrolled', user_id: buyer.id })]);
    expect((await world.as(buyer)('GET', `/lessons/${course.lessonIds[0]}`)).status).toBe(200);
  });

  it('follows lms_course_id in the line metadata and finds the buyer by email', async () => {
    const course = await buildCourse(admin);
    await paid(order([{ metadata: { lms_course_id: course.id } }], { email: buyer.email.toUpperCase() }));
    expect(await enrollmentsOf(course.id)).toEqual([expect.objectContaining({ user_id: buyer.id, source: 'purchase' })]);
  });

  it('renews an existing enrolment instead of duplicating it', async () => {
    const productId = randomUUID();
    const course = await buildCourse(admin, { course: { shop_product_id: productId } });
    await admin('POST', `/courses/${course.id}/enrollments`, { user_id: buyer.id, expires_at: new Date(Date.now() - 1000).toISOString() });
    await paid(order([{ productId }], { userId: buyer.id }));
    expect(await enrollmentsOf(course.id)).toEqual([expect.objectContaining({ source: 'manual', expires_at: null })]);
    expect((await admin('GET', `/purchases?course_id=${course.id}`)).body.data[0].outcome).toBe('already_enrolled');
  });

  it('records a purchase with no matching member, and enrols them once they join and open my/courses', async () => {
    const productId = randomUUID();
    const course = await buildCourse(admin, { course: { shop_product_id: productId } });
    const email = `guest-${randomUUID()}@example.test`;
    await paid(order([{ productId }], { email }));
    expect(await enrollmentsOf(course.id)).toEqual([]);
    const pending = await admin('GET', '/purchases?outcome=no_member');
    expect(pending.body.data).toEqual([expect.objectContaining({ course_id: course.id, customer_email: email, user_id: null, enrollment_id: null })]);

    const guest = await joinWithEmail(email.toUpperCase());
    const mine = await world.as(guest)('GET', '/my/courses');
    expect(mine.body.data.map((row: { course_id: string; source: string }) => [row.course_id, row.source])).toEqual([[course.id, 'purchase']]);
    expect((await admin('GET', `/purchases?course_id=${course.id}`)).body.data[0]).toMatchObject({ outcome: 'enrolled', user_id: guest.id });
    await world.as(guest)('GET', '/my/courses');
    expect(await enrollmentsOf(course.id)).toHaveLength(1);
  });

  it('lets staff enrol a member for a purchase that found nobody', async () => {
    const productId = randomUUID();
    const course = await buildCourse(admin, { course: { shop_product_id: productId } });
    await paid(order([{ productId }], { email: `someone-${randomUUID()}@example.test` }));
    const [purchase] = (await admin('GET', `/purchases?course_id=${course.id}`)).body.data;
    expect((await admin('POST', `/purchases/${purchase.id}/enroll`, { user_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(422);
    expect((await admin('POST', `/purchases/${purchase.id}/enroll`, {})).status).toBe(422);
    expect((await world.as(buyer)('POST', `/purchases/${purchase.id}/enroll`, { user_id: buyer.id })).status).toBe(403);
    const resolved = await admin('POST', `/purchases/${purchase.id}/enroll`, { user_id: buyer.id });
    expect(resolved.status).toBe(200);
    expect(resolved.body.data).toMatchObject({ outcome: 'enrolled', user_id: buyer.id, enrollment_id: expect.any(String) });
    expect((await admin('POST', `/purchases/${purchase.id}/enroll`, { user_id: buyer.id })).status).toBe(409);
    expect((await admin('POST', '/purchases/00000000-0000-4000-8000-000000000000/enroll', { user_id: buyer.id })).status).toBe(404);
    expect(await enrollmentsOf(course.id)).toEqual([expect.objectContaining({ user_id: buyer.id, source: 'purchase' })]);
  });

  it('ignores orders of products no course is linked to, and bad metadata', async () => {
    const before = await world.t.sql('select id from lms_purchases');
    await paid(order([{}, { metadata: { lms_course_id: 'not-a-uuid' } }, { metadata: { lms_course_id: 42 } }], { userId: buyer.id }));
    expect(await world.t.sql('select id from lms_purchases')).toHaveLength(before.length);
    expect((await admin('GET', '/purchases?outcome=bogus')).status).toBe(422);
  });
});
