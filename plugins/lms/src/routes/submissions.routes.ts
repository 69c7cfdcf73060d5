import {
  actingUserId,
  type AnyRoute,
  fileErrors,
  FileRef,
  listPage,
  NotFoundError,
  PageQuery,
  paginate,
  type PluginFiles,
  Redirect,
  Reply,
  toJson,
  Type,
  ValidationError,
  withStatus,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { callerId, canSeeEverything, courseAccessJson, type CourseAccessRow } from '../services/access.js';
import { readableLesson } from '../services/lesson-access.js';
import { Submission, submissionColumns, submissionFileUrl, type SubmissionRow, submissionTypes } from '../services/submissions.js';
import { IdParams } from '../services/schemas.js';
import { lessonFileUrlSeconds } from '../services/lesson-files.js';

const SubmissionBody = Type.Object(
  { file_id: FileRef({ accept: submissionTypes }, { description: 'A private file the learner uploaded through /api/v1/files' }) },
  { additionalProperties: false },
);

/** Submissions with their files' metadata (a file deleted meanwhile shows as an empty one rather than failing the list). */
async function present(files: PluginFiles, rows: readonly SubmissionRow[]) {
  const shown = [];
  for (const { file_id: fileId, ...row } of rows) {
    const file = await files.get(fileId);
    shown.push({
      ...row,
      file: { id: fileId, name: file?.name ?? '', content_type: file?.contentType ?? 'application/octet-stream', size: file?.size ?? 0 },
      url: submissionFileUrl(row.id),
    });
  }
  return toJson(shown);
}

/**
 * `/lessons/:id/submission(s)`, `/submissions/:id/file`: learners hand in a file for a lesson (uploaded through
 * `POST /api/v1/files`, then claimed here, where its type and size are checked); the learner and the course's staff
 * read it, nobody else.
 */
export function submissionRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'PUT',
      path: '/lessons/:id/submission',
      summary:
        "Hand in (or replace) the caller's file for a lesson they are enrolled in: PDF, text, PNG, JPEG, ZIP or Office documents up to `submissionMaxBytes`; a refused file is deleted",
      permission: permissions['learning.access'],
      errors: [fileErrors.file_too_large, fileErrors.file_type_not_allowed],
      schema: { params: IdParams, body: SubmissionBody, response: withStatus(Submission, [200, 201]) },
      async handler({ params, body, deps, ctx }) {
        const { lesson } = await readableLesson(deps.db, ctx, params.id, { requireEnrollment: true });
        const userId = callerId(ctx);
        const current = await deps.db.one<SubmissionRow>(`select ${submissionColumns} from lms_submissions where lesson_id = $1 and user_id = $2 for update`, [
          lesson.id,
          userId,
        ]);
        if (current?.file_id === body.file_id) return present(deps.files, [current]).then(([shown]) => shown!);
        // Only a new upload of the caller's: never a file LMS already holds (a lesson's, another learner's submission).
        if (await deps.files.get(body.file_id)) throw new ValidationError({ file_id: ['is not a new upload of yours'] });
        const limits = { allowedTypes: submissionTypes, maxBytes: ctx.settings.submissionMaxBytes, uploadedBy: userId };
        const file = await deps.files.attach(body.file_id, lesson.id, limits).catch((error: unknown) => {
          throw error instanceof NotFoundError ? new ValidationError({ file_id: ['is not a new upload of yours'] }) : error;
        });
        if (file.visibility !== 'private') throw new ValidationError({ file_id: ['must be a private file (upload it with visibility=private)'] });
        const [row] = await deps.db.query<SubmissionRow>(
          `insert into lms_submissions (lesson_id, course_id, user_id, file_id) values ($1, $2, $3, $4)
             on conflict (tenant_id, lesson_id, user_id) do update set file_id = excluded.file_id, updated_at = now()
           returning ${submissionColumns}`,
          [lesson.id, lesson.course_id, userId, file.id],
        );
        if (current) await deps.files.delete(current.file_id);
        const [shown] = await present(deps.files, [row!]);
        return current ? shown! : Reply.created(shown!);
      },
    }),
    route({
      method: 'GET',
      path: '/lessons/:id/submissions',
      summary: "A lesson's submissions: every learner's for staff and the course's instructors, the caller's own for learners",
      permission: permissions['learning.access'],
      schema: { params: IdParams, query: PageQuery, response: Type.Array(Submission) },
      async handler({ params, query, deps, ctx }) {
        const { staff } = await readableLesson(deps.db, ctx, params.id);
        const where = staff ? ['lesson_id = $1'] : ['lesson_id = $1', 'user_id = $2'];
        const values = staff ? [params.id] : [params.id, callerId(ctx)];
        const { items, total } = await listPage<SubmissionRow>(
          deps.db,
          { select: submissionColumns, from: 'lms_submissions', where, orderBy: 'created_at, id', values },
          query,
        );
        return Reply.list(await present(deps.files, items), paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      path: '/submissions/:id/file',
      summary: "A submission's file: 302 to a signed URL valid 5 minutes, for its learner and the course's staff (404 for anyone else)",
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: Redirect(302, 'To a signed URL of the file, valid 5 minutes') },
      async handler({ params, deps, ctx }) {
        const submission = await deps.db.one<SubmissionRow & { course: CourseAccessRow }>(
          `select s.user_id, s.file_id,
                  ${courseAccessJson()} as course
             from lms_submissions s join lms_courses c on c.id = s.course_id where s.id = $1`,
          [params.id],
        );
        if (!submission || (submission.user_id !== actingUserId(ctx) && !canSeeEverything(ctx, submission.course)))
          throw new NotFoundError('Submission not found');
        const { url } = await deps.files.signedUrl(submission.file_id, { expiresInSeconds: lessonFileUrlSeconds });
        return Reply.redirect(url, 302, { 'cache-control': 'no-store' });
      },
    }),
  ];
}
