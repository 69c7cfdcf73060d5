import { actingUserId, ForbiddenError, NotFoundError, type RequestContext, type TenantDb } from '@plinth/sdk';
import { lmsPermissions as permissions } from '../permissions.js';

/** The columns of a course every access decision needs. */
export interface CourseAccessRow {
  id: string;
  title: string;
  status: 'draft' | 'published' | 'archived';
  shop_product_id: string | null;
  instructor_ids: string[];
  /** The organisation unit the course belongs to (null: the whole tenant's). */
  unit_id: string | null;
}

/** The columns of {@link CourseAccessRow}, of `lms_courses` aliased `alias`. */
export function courseAccessColumns(alias = 'c'): string {
  return ['id', 'title', 'status', 'shop_product_id', 'instructor_ids', 'unit_id'].map((column) => `${alias}.${column}`).join(', ');
}

/** SQL for a JSON column holding the {@link CourseAccessRow} of `lms_courses` aliased `alias` (for rows joined to their course). */
export function courseAccessJson(alias = 'c'): string {
  const pairs = ['id', 'title', 'status', 'shop_product_id', 'instructor_ids', 'unit_id'].map((column) => `'${column}', ${alias}.${column}`);
  return `json_build_object(${pairs.join(', ')})`;
}

type Ctx = RequestContext<unknown>;

/** The calling member's id; 403 when the caller is no member (a learner's route called with a user-less API token). */
export function callerId(ctx: Ctx): string {
  const userId = actingUserId(ctx);
  if (!userId) throw new ForbiddenError('This needs a member: a signed-in user, or an API token created by one');
  return userId;
}

/**
 * Whether the caller holds a staff permission for this course: for the whole tenant, or in the course's unit (or one
 * above it). A role in one department must not reach another department's course that the route's own permission
 * (often `learning.access`, held tenant-wide by learners) lets the caller read.
 */
export function canForCourse(ctx: Ctx, permission: { name: string }, course: Pick<CourseAccessRow, 'unit_id'>): boolean {
  return ctx.can(permission, { unit: course.unit_id });
}

/** Whether the caller is listed as an instructor of the course. */
export function instructs(ctx: Ctx, course: CourseAccessRow): boolean {
  const userId = actingUserId(ctx);
  return userId !== null && course.instructor_ids.includes(userId);
}

/** Staff with `lms.courses.manage`, or an instructor of the course. */
export function canManageCourse(ctx: Ctx, course: CourseAccessRow): boolean {
  return canForCourse(ctx, permissions['courses.manage'], course) || instructs(ctx, course);
}

/** Staff with `lms.courses.view` or `manage`, or an instructor: sees drafts, content and answers. */
export function canSeeEverything(ctx: Ctx, course: CourseAccessRow): boolean {
  return canForCourse(ctx, permissions['courses.view'], course) || canManageCourse(ctx, course);
}

/**
 * Loads a course the caller may at least see: a learner sees published courses, and archived ones they are still
 * enrolled in (archiving takes a course out of the catalogue, not away from its learners); 404 otherwise.
 */
export async function visibleCourse(db: TenantDb, ctx: Ctx, courseId: string): Promise<CourseAccessRow> {
  const course = await db.one<CourseAccessRow>(`select ${courseAccessColumns()} from lms_courses c where c.id = $1`, [courseId]);
  return checkVisible(db, ctx, course);
}

/** `visibleCourse` for a course row already loaded (`undefined`: none) with more columns; returns it. */
export async function checkVisible<Row extends CourseAccessRow>(db: TenantDb, ctx: Ctx, course: Row | undefined): Promise<Row> {
  if (!course) throw new NotFoundError('Course not found');
  if (course.status === 'published' || canSeeEverything(ctx, course)) return course;
  const userId = actingUserId(ctx);
  if (course.status === 'archived' && userId && (await activeEnrollment(db, course.id, userId))) return course;
  throw new NotFoundError('Course not found');
}

/** Loads a course the caller manages; 404 when they cannot see it, 403 when they see but may not change it. */
export async function managedCourse(db: TenantDb, ctx: Ctx, courseId: string): Promise<CourseAccessRow> {
  const course = await visibleCourse(db, ctx, courseId);
  if (!canManageCourse(ctx, course)) throw new ForbiddenError('Only staff and the course’s instructors may change it');
  return course;
}

/** Enrolment management on a course: `lms.enrollments.manage` or an instructor of it. */
export async function enrollmentManagedCourse(db: TenantDb, ctx: Ctx, courseId: string): Promise<CourseAccessRow> {
  const course = await visibleCourse(db, ctx, courseId);
  if (!canForCourse(ctx, permissions['enrollments.manage'], course) && !instructs(ctx, course))
    throw new ForbiddenError('Only staff and the course’s instructors may manage its enrolments');
  return course;
}

/** An enrolment that grants access now: not expired. */
export interface ActiveEnrollment {
  id: string;
  course_id: string;
  user_id: string;
  created_at: Date;
  completed_at: Date | null;
}

/** The user's enrolment in a course, when it is active (not expired). */
export async function activeEnrollment(db: TenantDb, courseId: string, userId: string): Promise<ActiveEnrollment | undefined> {
  return db.one<ActiveEnrollment>(
    'select id, course_id, user_id, created_at, completed_at from lms_enrollments where course_id = $1 and user_id = $2 and (expires_at is null or expires_at > now())',
    [courseId, userId],
  );
}

/** The caller's active enrolment in a course, or 403. */
export async function requireEnrollment(db: TenantDb, ctx: Ctx, courseId: string): Promise<ActiveEnrollment> {
  const enrollment = await activeEnrollment(db, courseId, callerId(ctx));
  if (!enrollment) throw new ForbiddenError('Enrol in the course first (or your enrolment has expired)');
  return enrollment;
}
