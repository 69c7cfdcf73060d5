import {
  commonErrors,
  listPage,
  actingUserId,
  type AnyRoute,
  ConflictError,
  ForbiddenError,
  likePattern,
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
import { canSeeEverything, checkVisible, managedCourse } from '../services/access.js';
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
  free: Type.Boolean({ description: 'Not sold in the shop' }),
  published_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});
type CourseRow = Stored<Static<typeof Course>, 'published_at' | 'created_at' | 'updated_at'>;
const CourseWithOutline = Type.Composite([Course, Type.Object({ modules: Type.Array(OutlineModule) })]);

/** Columns of a course as the API shows it. */
export const courseColumns =
  'id, title, slug, description, level, category, status, shop_product_id, instructor_ids, (shop_product_id is null) as free, published_at, created_at, updated_at';

/** `/courses`: the catalogue (learners see published courses), and course management. */
export function courseRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/courses',
      summary: 'Courses: every course for staff; published ones and those one instructs for learners',
      permission: permissions['learning.access'],
      schema: { query: CourseQuery, response: Type.Array(Course) },
      async handler({ query, deps, ctx }) {
        const staff = ctx.can(permissions['courses.view']) || ctx.can(permissions['courses.manage']);
        const userId = actingUserId(ctx);
        const where = ['($1::boolean or status = $2 or $3::uuid = any(instructor_ids))'];
        const values: unknown[] = [staff, 'published', userId];
        const add = (clause: string, value: unknown) => {
          values.push(value);
          where.push(clause.replace('?', `$${values.length}`));
        };
        if (query.status) add('status = ?', query.status);
        if (query.category) add('category = ?', query.category);
        if (query.level) add('level = ?', query.level);
        if (query.q) add('title ilike ?', likePattern(query.q));
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
      errors: [commonErrors.conflict],
      permission: permissions['courses.manage'],
      schema: { body: NewCourse, response: withStatus(Course, 201) },
      async handler({ body, deps }) {
        const instructors = body.instructor_ids ?? [];
        await requireMembers(deps.members, instructors, 'instructor_ids', { staffOnly: true });
        const status = body.status ?? 'draft';
        const [course] = await deps.db.query<CourseRow>(
          `insert into lms_courses (title, slug, description, level, category, status, shop_product_id, instructor_ids, published_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, case when $6 = 'published' then now() end)
           on conflict (tenant_id, slug) do nothing returning ${courseColumns}`,
          [body.title, body.slug, body.description ?? '', body.level ?? 'beginner', body.category ?? null, status, body.shop_product_id ?? null, instructors],
        );
        if (!course) throw new ConflictError('A course with this slug exists', { errors: { slug: ['is taken'] } });
        return Reply.created(toJson(course));
      },
    }),
    route({
      method: 'GET',
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
        if (body.instructor_ids !== undefined) {
          if (!ctx.can(permissions['courses.manage'])) throw new ForbiddenError('Only staff may change a course’s instructors');
          await requireMembers(deps.members, body.instructor_ids, 'instructor_ids', { staffOnly: true });
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
        const course = await deps.db.one<{ enrolled: number }>(
          'select (select count(*)::int from lms_enrollments e where e.course_id = c.id) as enrolled from lms_courses c where id = $1',
          [params.id],
        );
        if (!course) throw new NotFoundError('Course not found');
        if (course.enrolled > 0) throw new ConflictError('The course has enrolments: archive it instead');
        await deleteLessonsFiles(deps, 'l.course_id = $1', [params.id]);
        await deps.db.query('delete from lms_courses where id = $1', [params.id]);
        return Reply.noContent();
      },
    }),
  ];
}
