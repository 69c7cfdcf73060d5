import {
  commonErrors,
  listPage,
  actingUserId,
  type AnyRoute,
  ConflictError,
  ForbiddenError,
  likePattern,
  limitErrors,
  NoContent,
  NotFoundError,
  Nullable,
  PageQuery,
  paginate,
  Reply,
  type Static,
  type Stored,
  Timestamp,
  toJson,
  Ref,
  Type,
  Widget,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { canForCourse, canSeeEverything, checkVisible, managedCourse } from '../services/access.js';
import { courseAuditVerb } from '../services/audit.js';
import { coursesLimit } from '../services/course-limit.js';
import { defaultUnit, reachOf, requireUnit, unitDescription, UnitField, unitFilter, UnitQuery } from '../services/units.js';
import { type Outline, OutlineModule, outlineColumn, visibleOutline } from '../services/outline.js';
import { requireMembers } from '../services/members.js';
import { IdParams, MemberId } from '../services/schemas.js';
import { deleteLessonsFiles } from '../services/lesson-files.js';

const Status = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')], {
  title: 'Status',
  description: 'Learners see published courses only',
});
const Level = Type.Union([Type.Literal('beginner'), Type.Literal('intermediate'), Type.Literal('advanced'), Type.Literal('all')], {
  title: 'Level',
});
const courseFields = {
  title: Type.String({ minLength: 1, maxLength: 200, title: 'Title' }),
  slug: Type.String({
    pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
    maxLength: 100,
    title: 'Slug',
    description: 'The web address part: lowercase letters, digits and hyphens',
    examples: ['intro-to-baking'],
  }),
  description: Widget(Type.String({ maxLength: 20_000, title: 'Description' }), 'textarea'),
  level: Level,
  category: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], { title: 'Category', examples: ['Cooking'] }),
  status: Status,
  shop_product_id: Type.Union([Ref('/shop/products', { title: 'Product' }), Type.Null()], {
    title: 'Product',
    description: 'The shop product selling the course; none: free',
  }),
  instructor_ids: Type.Array(MemberId(), { maxItems: 20, uniqueItems: true, title: 'Instructors', description: 'Staff members who teach the course' }),
  unit_id: UnitField,
};
const NewCourse = Type.Object(
  {
    ...courseFields,
    description: Type.Optional(courseFields.description),
    level: Type.Optional(Level),
    category: Type.Optional(courseFields.category),
    status: Type.Optional(Status),
    shop_product_id: Type.Optional(courseFields.shop_product_id),
    instructor_ids: Type.Optional(courseFields.instructor_ids),
    unit_id: Type.Optional(courseFields.unit_id),
  },
  { additionalProperties: false },
);
const CoursePatch = Type.Partial(Type.Object(courseFields), { additionalProperties: false, minProperties: 1 });
const CourseQuery = Type.Composite([
  PageQuery,
  Type.Object({
    status: Type.Optional(Status),
    q: Type.Optional(Type.String({ maxLength: 100 })),
    category: Type.Optional(Type.String({ maxLength: 100 })),
    level: Type.Optional(Level),
    unit: Type.Optional(UnitQuery),
  }),
]);

/** A course as the API shows it. */
const Course = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  level: Level,
  category: Nullable(Type.String()),
  status: Status,
  shop_product_id: Nullable(Type.String({ format: 'uuid' })),
  instructor_ids: Type.Array(Type.String({ format: 'uuid' })),
  unit_id: Nullable(Type.String({ format: 'uuid', description: unitDescription })),
  free: Type.Boolean({ description: 'Not sold in the shop' }),
  published_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});
type CourseRow = Stored<Static<typeof Course>, 'published_at' | 'created_at' | 'updated_at'>;
const CourseWithOutline = Type.Composite([Course, Type.Object({ modules: Type.Array(OutlineModule) })]);

/** Columns of a course as the API shows it. */
export const courseColumns =
  'id, title, slug, description, level, category, status, shop_product_id, instructor_ids, unit_id, (shop_product_id is null) as free, published_at, created_at, updated_at';

/** `/courses`: the catalogue (learners see published courses), and course management. */
export function courseRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      readOnly: true,
      path: '/courses',
      summary: 'Courses: every course for staff; published ones and those one instructs for learners',
      permission: permissions['learning.access'],
      schema: { query: CourseQuery, response: Type.Array(Course) },
      async handler({ query, deps, ctx }) {
        // Drafts: staff see those of the units they are staff in (RLS limits rows to learning.access's reach, which
        // for a learner-and-department-admin is every unit), instructors their own.
        const staff = await reachOf(ctx, deps.units, [permissions['courses.view'], permissions['courses.manage']]);
        const userId = actingUserId(ctx);
        const where = ['($1::boolean or unit_id = any($4::uuid[]) or status = $2 or $3::uuid = any(instructor_ids))'];
        const values: unknown[] = [staff.whole, 'published', userId, staff.ids];
        const add = (clause: string, value: unknown) => {
          values.push(value);
          where.push(clause.replace('?', `$${values.length}`));
        };
        if (query.status) add('status = ?', query.status);
        if (query.category) add('category = ?', query.category);
        if (query.level) add('level = ?', query.level);
        if (query.q) add('title ilike ?', likePattern(query.q));
        if (query.unit) add('unit_id = any(?::uuid[])', await unitFilter(deps.units, query.unit));
        const { items, total } = await listPage<CourseRow>(
          deps.db,
          { select: courseColumns, from: 'lms_courses', where, orderBy: 'created_at desc, id', values },
          query,
        );
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/courses',
      summary: 'Create a course',
      errors: [commonErrors.conflict, limitErrors.limit_reached],
      permission: permissions['courses.manage'],
      schema: { body: NewCourse, response: withStatus(Course, 201) },
      async handler({ body, deps, ctx }) {
        const instructors = body.instructor_ids ?? [];
        await requireMembers(deps.members, instructors, 'instructor_ids', { staffOnly: true });
        if (body.unit_id) await requireUnit(deps.units, body.unit_id);
        // A unit the caller does not manage: Row Level Security refuses the row (403).
        const unitId = body.unit_id === undefined ? await defaultUnit(deps.units, ctx.units) : body.unit_id;
        await deps.limits.ensure(coursesLimit, 1);
        const status = body.status ?? 'draft';
        const [course] = await deps.db.query<CourseRow>(
          `insert into lms_courses (title, slug, description, level, category, status, shop_product_id, instructor_ids, unit_id, published_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, case when $6 = 'published' then now() end)
           on conflict (tenant_id, slug) do nothing returning ${courseColumns}`,
          [
            body.title,
            body.slug,
            body.description ?? '',
            body.level ?? 'beginner',
            body.category ?? null,
            status,
            body.shop_product_id ?? null,
            instructors,
            unitId,
          ],
        );
        if (!course) throw new ConflictError('A course with this slug exists', { errors: { slug: ['is taken'] } });
        await deps.audit.record({ entity: 'course', verb: 'created', target: course.id, unit: course.unit_id, after: course });
        return Reply.created(toJson(course));
      },
    }),
    route({
      method: 'GET',
      readOnly: true,
      path: '/courses/:id',
      summary: 'A course with its outline (learners: published lessons only, without content)',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: CourseWithOutline },
      async handler({ params, deps, ctx }) {
        const row = await deps.db.one<CourseRow & { modules: Outline }>(`select ${courseColumns}, ${outlineColumn} from lms_courses c where c.id = $1`, [
          params.id,
        ]);
        const { modules, ...course } = await checkVisible(deps.db, ctx, row);
        return { ...toJson(course), modules: visibleOutline(modules, canSeeEverything(ctx, course)) };
      },
    }),
    route({
      method: 'PATCH',
      path: '/courses/:id',
      summary: 'Change a course (instructors may change all but its instructors)',
      errors: [commonErrors.conflict],
      permission: permissions['learning.access'],
      schema: { params: IdParams, body: CoursePatch, response: Course },
      async handler({ params, body, deps, ctx }) {
        await managedCourse(deps.db, ctx, params.id);
        const before = await deps.db.one<CourseRow>(`select ${courseColumns} from lms_courses where id = $1 for update`, [params.id]);
        if (body.instructor_ids !== undefined) {
          if (!canForCourse(ctx, permissions['courses.manage'], before!)) throw new ForbiddenError('Only staff may change a course’s instructors');
          await requireMembers(deps.members, body.instructor_ids, 'instructor_ids', { staffOnly: true });
        }
        const moves = body.unit_id !== undefined && body.unit_id !== before!.unit_id;
        if (moves) {
          if (body.unit_id) await requireUnit(deps.units, body.unit_id);
          if (!canForCourse(ctx, permissions['courses.manage'], before!) || !ctx.can(permissions['courses.manage'], { unit: body.unit_id ?? null }))
            throw new ForbiddenError('Only staff who manage courses in both units may move a course');
        }
        const fields = Object.entries(body).filter(([, value]) => value !== undefined);
        const sets = fields.map(([name], index) => `${name} = $${index + 2}`);
        const [course] = await deps.db.query<CourseRow>(
          `update lms_courses set ${sets.join(', ')}, updated_at = now(),
             published_at = case when coalesce($${fields.length + 3}, status) = 'published' then coalesce(published_at, now()) else published_at end
           where id = $1 and not exists (select 1 from lms_courses other where other.slug = $${fields.length + 2} and other.id <> $1)
           returning ${courseColumns}`,
          [params.id, ...fields.map(([, value]) => value), body.slug ?? null, body.status ?? null],
        );
        if (!course) throw new ConflictError('A course with this slug exists', { errors: { slug: ['is taken'] } });
        // Enrolments carry their course's unit: they move with it, in this transaction.
        const moved = moves
          ? await deps.db.query('update lms_enrollments set unit_id = $2 where course_id = $1 returning id', [params.id, course.unit_id])
          : [];
        await deps.audit.record({
          entity: 'course',
          verb: courseAuditVerb(before!, course),
          target: course.id,
          unit: course.unit_id,
          before: before!,
          after: course,
          ...(moves ? { data: { enrollments_moved: moved.length } } : {}),
        });
        return toJson(course);
      },
    }),
    route({
      method: 'DELETE',
      path: '/courses/:id',
      summary: 'Delete a course without enrolments, with its lessons and their stored files (archive it otherwise)',
      errors: [commonErrors.conflict],
      permission: permissions['courses.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const course = await deps.db.one<CourseRow>(`select ${courseColumns} from lms_courses where id = $1 for update`, [params.id]);
        if (!course) throw new NotFoundError('Course not found');
        const enrolled = await deps.db.one('select 1 from lms_enrollments where course_id = $1 limit 1', [params.id]);
        if (enrolled) throw new ConflictError('The course has enrolments: archive it instead');
        await deleteLessonsFiles(deps, 'l.course_id = $1', [params.id]);
        await deps.db.query('delete from lms_courses where id = $1', [params.id]);
        await deps.audit.record({ entity: 'course', verb: 'deleted', target: course.id, unit: course.unit_id, before: course });
        return Reply.noContent();
      },
    }),
  ];
}
