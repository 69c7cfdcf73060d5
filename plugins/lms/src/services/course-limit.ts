import type { LimitDefinitions, TenantDb } from '@plinth/sdk';

/** The key of the LMS's plan limit: how many courses a tenant may have (`lms.courses` in a plan). */
export const coursesLimit = 'courses';

/** The tenant's courses, drafts and archived ones included (deleting one frees its place). */
export async function countCourses(db: TenantDb): Promise<number> {
  const row = await db.one<{ n: string }>('select count(*) as n from lms_courses');
  return Number(row!.n);
}

/** The LMS's plan limits (`definePlugin({ limits })`). */
export const lmsLimits: LimitDefinitions = {
  [coursesLimit]: { label: 'Courses', usage: ({ db }) => countCourses(db) },
};
