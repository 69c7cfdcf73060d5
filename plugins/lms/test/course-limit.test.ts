import { putOnPlan, savePlan, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, otherTenant, type Call, type LmsWorld } from './support.js';

// The LMS's `courses` limit (docs/billing.md, README "Plan limits").
let world: LmsWorld;
let call: Call;
let other: TestUser;
beforeAll(async () => {
  world = await bootLms();
  other = await otherTenant(world);
  // The owner's tenant stays on the default plan, `free`, which the host limited; the other is on an unlisted plan without limits.
  await savePlan(world.t, { key: 'free', name: 'Free', limits: { 'lms.courses': 2 } });
  await savePlan(world.t, { key: 'school', name: 'School', prices: [{ currency: 'USD', interval: 'month', amount: 4900 }], limits: { 'lms.courses': 50 } });
  await putOnPlan(world.t, other.tenant!.id, { key: 'partner', name: 'Partner', public: false });
  call = world.as(world.owner);
});
afterAll(() => world?.t.close());

let counter = 0;
const newCourse = (as: Call) => as('POST', '/courses', { title: `Limited ${++counter}`, slug: `limited-${counter}` });

describe('the plan limit on courses', () => {
  it("counts only this tenant's courses and refuses the one past the limit, naming the plan that lifts it", async () => {
    const theirs = world.as(other);
    for (let i = 0; i < 3; i++) expect((await newCourse(theirs)).status).toBe(201);
    expect((await newCourse(call)).status).toBe(201);
    // Two at once for the last place: one gets it.
    const racing = await Promise.all([newCourse(call), newCourse(call)]);
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409]);
    const refused = await newCourse(call);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'limit_reached', errors: { limit: ['lms.courses'], max: ['2'], used: ['2'], upgrade: ['school'] } });
    const [row] = await world.t.sql<{ n: number }>('select count(*)::int as n from lms_courses where tenant_id = $1', [world.owner.tenant!.id]);
    expect(row?.n).toBe(2);
    expect((await newCourse(theirs)).status).toBe(201);
  });

  it('frees a place when a course is deleted', async () => {
    const [course] = (await call('GET', '/courses')).body.data as { id: string }[];
    expect((await call('DELETE', `/courses/${course!.id}`)).status).toBe(204);
    expect((await newCourse(call)).status).toBe(201);
    expect((await newCourse(call)).status).toBe(409);
  });
});
