import { afterAll, beforeAll, expect, it } from 'vitest';
import { bootLms, buildCourse, type LmsWorld } from './support.js';

let world: LmsWorld;
beforeAll(async () => {
  world = await bootLms();
});
afterAll(() => world?.t.close());

it('streams the whole CSV report of a 5,000-learner course', async () => {
  const admin = world.as(world.owner);
  const course = await buildCourse(admin, { lessons: 1 });
  await world.t.sql(
    `insert into lms_enrollments (tenant_id, course_id, user_id, source, progress_percent) select $1, $2, gen_random_uuid(), 'manual', (n % 101) from generate_series(1, 5000) n`,
    [world.owner.tenant!.id, course.id],
  );
  const csv = await admin('GET', `/courses/${course.id}/report.csv`);
  expect(csv.status).toBe(200);
  expect((csv.body as string).trim().split('\r\n')).toHaveLength(5001);
  const summary = await admin('GET', `/courses/${course.id}/report`);
  expect(summary.body.data.enrollments).toBe(5000);
});
