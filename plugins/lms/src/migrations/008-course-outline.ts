import { defineMigration } from '@plinth/sdk';

/**
 * The outline of course `course` of tenant `tenant` as JSON: its modules in order, each with all its lessons in order,
 * drafts included, without content. Each lesson's quiz check is one index probe (`offset 0` keeps it from being
 * planned as a hashed subplan over every quiz of the tenant).
 */
const outlineFunction = `create function lms_course_outline(tenant uuid, course uuid) returns json language sql volatile as $$
  select coalesce(json_agg(json_build_object('id', m.id, 'title', m.title, 'position', m.position, 'lessons',
      (select coalesce(json_agg(json_build_object('id', l.id, 'title', l.title, 'status', l.status, 'free_preview', l.free_preview,
                'required', l.required, 'drip_days', l.drip_days, 'duration_seconds', l.duration_seconds, 'position', l.position,
                'has_quiz', exists (select 1 from lms_quizzes q where q.tenant_id = l.tenant_id and q.lesson_id = l.id offset 0)) order by l.position, l.created_at), '[]')
         from lms_lessons l where l.tenant_id = m.tenant_id and l.module_id = m.id)) order by m.position, m.created_at), '[]')
    from lms_modules m where m.tenant_id = tenant and m.course_id = course
$$`;

/**
 * Writes the outline of the courses `(tenant_id, id)` in `courses` (a query). The courses are locked first, in a
 * statement of their own, in one order: a concurrent change to the same course commits before the next statement
 * takes its snapshot, so the outline written last is built from both changes, never from a snapshot without the
 * other (plugins/lms/test/outline.test.ts).
 */
const refresh = (courses: string) => `
    perform 1 from lms_courses c where (c.tenant_id, c.id) in (${courses}) order by c.id for no key update;
    update lms_courses c set outline = lms_course_outline(c.tenant_id, c.id) where (c.tenant_id, c.id) in (${courses});`;

/**
 * The trigger function of `table` (modules or lessons, whose rows carry `course_id`): on insert the new rows' courses,
 * on delete the old rows', on update the courses, before and after (a lesson may move to another module), of rows
 * whose outline `columns` changed: an update that changes none of them leaves outlines alone.
 */
function touchFunction(table: string, columns: readonly string[]): string {
  const shown = (row: string) => `(${columns.map((column) => `${row}.${column}`).join(', ')})`;
  const changedRows = `new_rows n join old_rows o on o.id = n.id where ${shown('n')} is distinct from ${shown('o')}`;
  return `create function ${table}_outline() returns trigger language plpgsql as $$
  begin
    if TG_OP = 'INSERT' then ${refresh('select n.tenant_id, n.course_id from new_rows n')}
    elsif TG_OP = 'DELETE' then ${refresh('select o.tenant_id, o.course_id from old_rows o')}
    else ${refresh(`select n.tenant_id, n.course_id from ${changedRows} union select o.tenant_id, o.course_id from ${changedRows}`)}
    end if;
    return null;
  end $$`;
}

const tables = [
  { table: 'lms_modules', columns: ['course_id', 'title', 'position'] },
  { table: 'lms_lessons', columns: ['course_id', 'module_id', 'title', 'status', 'free_preview', 'required', 'drip_days', 'duration_seconds', 'position'] },
];
const quizCourse = (row: string) => `(select l.course_id from lms_lessons l where l.id = ${row}.lesson_id and l.tenant_id = ${row}.tenant_id)`;

/** A quiz changes its lesson's `has_quiz`: added, removed, or (never through the API) moved to another lesson. */
const quizFunction = `create function lms_quizzes_outline() returns trigger language plpgsql as $$
  begin
    if TG_OP = 'INSERT' then ${refresh(`select n.tenant_id, ${quizCourse('n')} from new_rows n`)}
    elsif TG_OP = 'DELETE' then ${refresh(`select o.tenant_id, ${quizCourse('o')} from old_rows o`)}
    else ${refresh(
      `select n.tenant_id, ${quizCourse('n')} from new_rows n join old_rows o on o.id = n.id where n.lesson_id <> o.lesson_id
       union select o.tenant_id, ${quizCourse('o')} from new_rows n join old_rows o on o.id = n.id where n.lesson_id <> o.lesson_id`,
    )}
    end if;
    return null;
  end $$`;

const events = [
  { event: 'insert', referencing: 'new table as new_rows' },
  { event: 'update', referencing: 'old table as old_rows new table as new_rows' },
  { event: 'delete', referencing: 'old table as old_rows' },
];
const triggered = [...tables.map(({ table }) => table), 'lms_quizzes'];

/**
 * A course carries its outline (`outline`, the JSON `GET /courses/:id` returns as `modules`), kept in step by
 * statement-level triggers on modules, lessons and quizzes, instead of being built from them on every read: the
 * course read was the costliest read by id (issue 17), and outlines change far less often than they are read.
 * A lesson's content is not in the outline, so saving it leaves the outline alone. Existing courses get theirs.
 */
export const courseOutline = defineMigration({
  name: '008-course-outline',
  async up({ db }) {
    await db.raw(`alter table lms_courses add column outline json not null default '[]'`);
    await db.raw(outlineFunction);
    for (const { table, columns } of tables) await db.raw(touchFunction(table, columns));
    await db.raw(quizFunction);
    for (const table of triggered)
      for (const { event, referencing } of events)
        await db.raw(`create trigger ${table}_outline_${event} after ${event} on ${table}
          referencing ${referencing} for each statement execute function ${table}_outline()`);
    // Every tenant's courses, on the system role, which Row Level Security lets see them all.
    await db.raw('set local role plinth_system');
    await db.raw('update lms_courses set outline = lms_course_outline(tenant_id, id)');
    await db.raw('reset role');
  },
  async down({ db }) {
    for (const table of triggered) {
      for (const { event } of events) await db.raw(`drop trigger ${table}_outline_${event} on ${table}`);
      await db.raw(`drop function ${table}_outline()`);
    }
    await db.raw('drop function lms_course_outline(uuid, uuid)');
    await db.raw('alter table lms_courses drop column outline');
  },
});
