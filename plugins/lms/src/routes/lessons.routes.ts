import {
  type AnyRoute,
  FileRef,
  RichText,
  NoContent,
  Nullable,
  Reply,
  type Static,
  type Stored,
  type TenantDb,
  type PluginFiles,
  Timestamp,
  toJson,
  Type,
  ValidationError,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { canManageCourse, managedCourse } from '../services/access.js';
import { lessonAuditRedact } from '../services/audit.js';
import { availableAt, managedLesson, readableLesson } from '../services/lesson-access.js';
import { attachLessonFile, deleteLessonsFiles, lessonFileIds, lessonFileUrl, releaseLessonFiles, type StoredAttachment } from '../services/lesson-files.js';
import { reorder } from '../services/reorder.js';
import { sanitizeContent } from '../services/sanitize.js';
import { HttpUrl, IdParams, OrderBody } from '../services/schemas.js';
import { courseOfModule } from './modules.routes.js';

const lessonFields = {
  title: Type.String({ minLength: 1, maxLength: 200, title: 'Title' }),
  status: Type.Union([Type.Literal('draft'), Type.Literal('published')], { title: 'Status' }),
  content_html: RichText({ maxLength: 500_000, title: 'Content', description: 'Rich text; sanitised on the server' }),
  video_url: Type.Union([HttpUrl, Type.Null()], { title: 'Video link' }),
  video_file_id: Type.Union([FileRef({ accept: ['video/*'] }), Type.Null()], {
    title: 'Video',
    description: 'A stored video (a private file uploaded through /api/v1/files), served to those who may read the lesson',
  }),
  attachments: Type.Array(
    Type.Union([
      Type.Object({ title: Type.String({ minLength: 1, maxLength: 200, title: 'Title' }), url: HttpUrl }, { additionalProperties: false, title: 'Link' }),
      Type.Object(
        { title: Type.String({ minLength: 1, maxLength: 200, title: 'Title' }), file_id: FileRef({}, { title: 'File' }) },
        { additionalProperties: false, title: 'File' },
      ),
    ]),
    { maxItems: 50, title: 'Attachments', description: 'Links (`url`) or stored private files (`file_id`)' },
  ),
  duration_seconds: Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000 }), Type.Null()], { title: 'Duration (seconds)' }),
  free_preview: Type.Boolean({ title: 'Free preview', description: 'Readable without enrolling' }),
  required: Type.Boolean({ title: 'Required', description: 'Counts towards course completion' }),
  drip_days: Type.Integer({ minimum: 0, maximum: 3650, title: 'Unlock after (days)', description: 'Unlocks this many days after enrolment' }),
};
const { title, ...optionalLessonFields } = lessonFields;
// A new lesson's switches start where the table's defaults put them (a PATCH keeps no defaults: absent means unchanged).
const NewLesson = Type.Composite(
  [
    Type.Object({ title }),
    Type.Partial(
      Type.Object({
        ...optionalLessonFields,
        free_preview: Type.Boolean({ ...optionalLessonFields.free_preview, default: false }),
        required: Type.Boolean({ ...optionalLessonFields.required, default: true }),
      }),
    ),
  ],
  { additionalProperties: false },
);
const LessonPatch = Type.Partial(Type.Object({ ...lessonFields, module_id: Type.String({ format: 'uuid', title: 'Module' }) }), {
  additionalProperties: false,
  minProperties: 1,
});
const Lesson = Type.Object({
  id: Type.String({ format: 'uuid' }),
  course_id: Type.String({ format: 'uuid' }),
  module_id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  status: lessonFields.status,
  content_html: Type.String(),
  video_url: Nullable(Type.String()),
  video_file_id: Nullable(Type.String({ format: 'uuid' })),
  video_file_url: Nullable(Type.String({ description: 'Where the stored video plays from: a redirect to a short-lived signed URL (Range supported)' })),
  attachments: Type.Array(
    Type.Object({
      title: Type.String(),
      url: Type.String({ description: 'The link, or for a stored file its download route' }),
      file_id: Nullable(Type.String({ format: 'uuid' })),
    }),
  ),
  duration_seconds: Nullable(Type.Integer()),
  free_preview: Type.Boolean(),
  required: Type.Boolean(),
  drip_days: Type.Integer(),
  position: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
type LessonRow = Stored<Omit<Static<typeof Lesson>, 'video_file_url' | 'attachments'>, 'created_at' | 'updated_at'> & { attachments: StoredAttachment[] };
const LessonForReader = Type.Composite([
  Lesson,
  Type.Object({
    available_at: Nullable(Timestamp, { description: 'When the lesson unlocks for the caller’s enrolment; null: not enrolled' }),
    progress: Nullable(Type.Object({ position_seconds: Type.Integer(), completed_at: Nullable(Timestamp) })),
  }),
]);
const lessonColumns =
  'id, course_id, module_id, title, status, content_html, video_url, video_file_id, attachments, duration_seconds, free_preview, required, drip_days, position, created_at, updated_at';

function columnValues(body: Record<string, unknown>): [string, unknown][] {
  return Object.entries(body)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => {
      if (name === 'content_html') return [name, sanitizeContent(value as string)];
      if (name === 'attachments') return [name, JSON.stringify(value)];
      return [name, value];
    });
}

/** A lesson as the API shows it: stored files with the routes that serve them. */
function presentLesson(lesson: LessonRow) {
  return {
    ...lesson,
    video_file_url: lesson.video_file_id ? lessonFileUrl(lesson.id, lesson.video_file_id) : null,
    attachments: lesson.attachments.map((attachment) =>
      'file_id' in attachment
        ? { title: attachment.title, url: lessonFileUrl(lesson.id, attachment.file_id), file_id: attachment.file_id }
        : { title: attachment.title, url: attachment.url, file_id: null },
    ),
  };
}

/** Attaches the stored files a lesson now shows (checked) and deletes those it showed before and no longer does. */
async function syncLessonFiles(deps: { db: TenantDb; files: PluginFiles }, lesson: LessonRow, before: readonly string[]): Promise<void> {
  if (lesson.video_file_id && !before.includes(lesson.video_file_id)) {
    await attachLessonFile(deps, lesson.video_file_id, lesson.id, 'video_file_id', { video: true });
  }
  for (const [index, attachment] of lesson.attachments.entries()) {
    if ('file_id' in attachment && !before.includes(attachment.file_id))
      await attachLessonFile(deps, attachment.file_id, lesson.id, `attachments.${index}.file_id`);
  }
  await releaseLessonFiles(deps, lesson.id, before);
}

/** `/modules/:id/lessons`, `/lessons/:id`: lessons (staff and instructors write; learners read what they may). */
export function lessonRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/modules/:id/lessons',
      summary: 'Add a lesson at the end of a module (content is sanitised; `video_file_id` and attachments may be stored private files)',
      permission: permissions['learning.access'],
      schema: { params: IdParams, body: NewLesson, response: withStatus(Lesson, 201) },
      async handler({ params, body, deps, ctx }) {
        const courseId = await courseOfModule(deps.db, params.id);
        const course = await managedCourse(deps.db, ctx, courseId);
        const fields = columnValues(body);
        const names = fields.map(([name]) => name);
        const placeholders = fields.map((_, index) => `$${index + 3}`);
        const [lesson] = await deps.db.query<LessonRow>(
          `insert into lms_lessons (course_id, module_id, ${names.join(', ')}, position)
           values ($1, $2, ${placeholders.join(', ')}, (select coalesce(max(position), 0) + 1 from lms_lessons where module_id = $2)) returning ${lessonColumns}`,
          [courseId, params.id, ...fields.map(([, value]) => value)],
        );
        // Recorded before the files are checked: a refused file rolls the lesson and its entry back together.
        await deps.audit.record({ entity: 'lesson', verb: 'created', target: lesson!.id, unit: course.unit_id, after: lesson!, redact: lessonAuditRedact });
        await syncLessonFiles(deps, lesson!, []);
        return Reply.created(toJson(presentLesson(lesson!)));
      },
    }),
    route({
      method: 'PUT',
      path: '/modules/:id/lessons/order',
      summary: 'Reorder a module’s lessons (every lesson id, in the new order)',
      permission: permissions['learning.access'],
      schema: {
        params: IdParams,
        body: OrderBody,
        response: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }), title: Type.String(), position: Type.Integer() })),
      },
      async handler({ params, body, deps, ctx }) {
        const course = await managedCourse(deps.db, ctx, await courseOfModule(deps.db, params.id));
        await reorder(deps, 'lms_lessons', 'module_id', params.id, body.ids, course.unit_id);
        return deps.db.query<{ id: string; title: string; position: number }>(
          'select id, title, position from lms_lessons where module_id = $1 order by position',
          [params.id],
        );
      },
    }),
    route({
      method: 'GET',
      path: '/lessons/:id',
      summary: 'A lesson with its content: staff and instructors always; learners when enrolled, unlocked and published (or a free preview)',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: LessonForReader },
      async handler({ params, deps, ctx }) {
        const { enrollment, lesson: access } = await readableLesson(deps.db, ctx, params.id);
        const lesson = await deps.db.one<LessonRow>(`select ${lessonColumns} from lms_lessons where id = $1`, [params.id]);
        const progress = enrollment
          ? await deps.db.one<{ position_seconds: number; completed_at: Date | null }>(
              'select position_seconds, completed_at from lms_lesson_progress where enrollment_id = $1 and lesson_id = $2',
              [enrollment.id, params.id],
            )
          : undefined;
        return toJson({
          ...presentLesson(lesson!),
          available_at: enrollment ? availableAt(access, enrollment) : null,
          progress: enrollment ? { position_seconds: progress?.position_seconds ?? 0, completed_at: progress?.completed_at ?? null } : null,
        });
      },
    }),
    route({
      method: 'PATCH',
      path: '/lessons/:id',
      summary: 'Change a lesson (content is sanitised; `module_id` moves it within the course; a replaced stored file is deleted)',
      permission: permissions['learning.access'],
      schema: { params: IdParams, body: LessonPatch, response: Lesson },
      async handler({ params, body, deps, ctx }) {
        const lesson = await managedLesson(deps.db, ctx, params.id, (course) => canManageCourse(ctx, course));
        const stored = await deps.db.one<LessonRow>(`select ${lessonColumns} from lms_lessons where id = $1 for update`, [params.id]);
        const fields = columnValues(body);
        if (body.module_id !== undefined && body.module_id !== lesson.module_id) {
          const target = await deps.db.one<{ course_id: string }>('select course_id from lms_modules where id = $1', [body.module_id]);
          if (target?.course_id !== lesson.course_id) throw new ValidationError({ module_id: ['must be a module of the same course'] });
          fields.push(['position', await nextPosition(deps.db, body.module_id)]);
        }
        const sets = fields.map(([name], index) => `${name} = $${index + 2}`);
        const updated = await deps.db.one<LessonRow>(`update lms_lessons set ${sets.join(', ')}, updated_at = now() where id = $1 returning ${lessonColumns}`, [
          params.id,
          ...fields.map(([, value]) => value),
        ]);
        const unit = lesson.course.unit_id;
        await deps.audit.record({ entity: 'lesson', verb: 'updated', target: params.id, unit, before: stored!, after: updated!, redact: lessonAuditRedact });
        await syncLessonFiles(deps, updated!, lessonFileIds(stored!));
        return toJson(presentLesson(updated!));
      },
    }),
    route({
      method: 'DELETE',
      path: '/lessons/:id',
      summary: 'Delete a lesson (with its quiz, progress, stored files and submissions)',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps, ctx }) {
        const lesson = await managedLesson(deps.db, ctx, params.id, (course) => canManageCourse(ctx, course));
        await deleteLessonsFiles(deps, 'l.id = $1', [params.id]);
        const [removed] = await deps.db.query<LessonRow>(`delete from lms_lessons where id = $1 returning ${lessonColumns}`, [params.id]);
        await deps.audit.record({
          entity: 'lesson',
          verb: 'deleted',
          target: params.id,
          unit: lesson.course.unit_id,
          before: removed!,
          redact: lessonAuditRedact,
        });
        return Reply.noContent();
      },
    }),
  ];
}

async function nextPosition(db: Parameters<typeof courseOfModule>[0], moduleId: string): Promise<number> {
  const row = await db.one<{ next: number }>('select coalesce(max(position), 0) + 1 as next from lms_lessons where module_id = $1', [moduleId]);
  return row!.next;
}
