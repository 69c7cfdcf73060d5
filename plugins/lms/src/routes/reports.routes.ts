import { Nullable, rawBody, toJson } from '@plinth/sdk';
import { ForbiddenError, PageQuery, paginate, Reply, Type, type AnyRoute, type PluginMembers, type RequestContext, type TenantDb } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { canForCourse, instructs, visibleCourse } from '../services/access.js';
import { courseReport, CourseReportLine, courseSummary, CourseSummary, LearnerLine, learnerLines, learnerPage } from '../services/reports.js';
import { unitFilter, UnitQuery } from '../services/units.js';
import { IdParams } from '../services/schemas.js';

const ReportLine = Type.Composite([LearnerLine, Type.Object({ name: Nullable(Type.String()), email: Nullable(Type.String()) })]);

async function reportableCourse(db: TenantDb, ctx: RequestContext<unknown>, courseId: string) {
  const course = await visibleCourse(db, ctx, courseId);
  if (!canForCourse(ctx, permissions['reports.view'], course) && !instructs(ctx, course))
    throw new ForbiddenError('Only staff with reports access and the course’s instructors see its report');
  return course;
}

/** A CSV field: quoted when needed; a leading `=`, `+`, `-`, `@` is defused so spreadsheets do not run it as a formula. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvHeader = [
  'user_id',
  'name',
  'email',
  'enrolled_at',
  'progress_percent',
  'lessons_completed',
  'completed_at',
  'last_activity_at',
  'quiz_attempts',
  'average_quiz_score',
];

async function* csvRows(db: TenantDb, members: PluginMembers, courseId: string): AsyncIterable<string> {
  yield `${csvHeader.join(',')}\r\n`;
  const pageSize = 500;
  for (let offset = 0; ; offset += pageSize) {
    const lines = await learnerLines(db, courseId, pageSize, offset);
    const people = await Promise.all(lines.map((line) => members.get(line.user_id)));
    yield lines
      .map((line, index) => {
        const person = people[index];
        const row = { ...line, name: person?.name ?? '', email: person?.email ?? '' };
        return `${csvHeader.map((column) => csvField(row[column as keyof typeof row])).join(',')}\r\n`;
      })
      .join('');
    if (lines.length < pageSize) return;
  }
}

/** `/reports/courses`: every course's totals (by unit); `/courses/:id/report…`: enrolments, completion rate, average quiz score, per-learner progress, CSV. */
export function reportRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/reports/courses',
      summary: 'Each course’s enrolments, completion rate (%) and average progress, side by side; `unit` keeps a unit’s courses and those below it',
      permission: permissions['reports.view'],
      schema: { query: Type.Composite([PageQuery, Type.Object({ unit: Type.Optional(UnitQuery) })]), response: Type.Array(CourseReportLine) },
      async handler({ query, deps }) {
        const { items, total } = await courseReport(deps.db, await unitFilter(deps.units, query.unit), query);
        return Reply.list(items, paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      path: '/courses/:id/report',
      summary: 'A course’s enrolments, completion rate (%), average progress and average quiz score',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: CourseSummary },
      async handler({ params, deps, ctx }) {
        await reportableCourse(deps.db, ctx, params.id);
        return courseSummary(deps.db, params.id);
      },
    }),
    route({
      method: 'GET',
      path: '/courses/:id/report/learners',
      summary: 'Per-learner progress of a course, with name, email and quiz results',
      rateLimit: { per: 'principal', max: 300, windowSeconds: 60 },
      permission: permissions['learning.access'],
      schema: { params: IdParams, query: PageQuery, response: Type.Array(ReportLine) },
      async handler({ params, query, deps, ctx }) {
        await reportableCourse(deps.db, ctx, params.id);
        const page = await learnerPage(deps.db, params.id, query);
        const people = await Promise.all(page.items.map((line) => deps.members.get(line.user_id)));
        const items = page.items.map((line, index) => ({ ...line, name: people[index]?.name ?? null, email: people[index]?.email ?? null }));
        return Reply.list(toJson(items), paginate(query, page.total));
      },
    }),
    route({
      method: 'GET',
      path: '/courses/:id/report.csv',
      summary: 'Per-learner progress of a course as CSV (streamed)',
      rateLimit: { per: 'principal', max: 30, windowSeconds: 3600 },
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: rawBody('text/csv', 'One row per learner, streamed') },
      async handler({ params, deps, ctx }) {
        await reportableCourse(deps.db, ctx, params.id);
        return Reply.stream(csvRows(deps.db, deps.members, params.id), {
          contentType: 'text/csv; charset=utf-8',
          headers: { 'content-disposition': `attachment; filename="course-${params.id}-report.csv"` },
        });
      },
    }),
  ];
}
