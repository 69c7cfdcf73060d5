import { NotFoundError, type PluginFile, type PluginFiles, type RequestContext, type TenantDb, ValidationError } from '@plinth/sdk';
import { readableLesson } from './lesson-access.js';

/** A lesson's attachment as stored in `lms_lessons.attachments`: an external link, or a stored file. */
export type StoredAttachment = { title: string; url: string } | { title: string; file_id: string };

/** The stored files a lesson shows (its video and file attachments): the only ones its file route serves. */
export function lessonFileIds(lesson: { video_file_id: string | null; attachments: readonly StoredAttachment[] }): string[] {
  const ids = lesson.attachments.flatMap((attachment) => ('file_id' in attachment ? [attachment.file_id] : []));
  return lesson.video_file_id ? [lesson.video_file_id, ...ids] : ids;
}

/** Where a stored file of a lesson is served to those who may read the lesson (a redirect to a short-lived signed URL). */
export function lessonFileUrl(lessonId: string, fileId: string): string {
  return `/api/v1/lms/lessons/${lessonId}/files/${fileId}`;
}

/** How long the signed URL a lesson file redirects to lives: long enough to start a video, too short to pass around. */
export const lessonFileUrlSeconds = 5 * 60;

/**
 * A short-lived signed URL of a lesson's stored video or attachment, for a caller who may read the lesson (404 for a
 * file the lesson does not show; 403/404 as {@link readableLesson}). The file route and the learner pages use it.
 */
export async function lessonFileSignedUrl(
  deps: { db: TenantDb; files: PluginFiles },
  ctx: RequestContext<unknown>,
  lessonId: string,
  fileId: string,
): Promise<string> {
  await readableLesson(deps.db, ctx, lessonId);
  const lesson = await deps.db.one<{ video_file_id: string | null; attachments: StoredAttachment[] }>(
    'select video_file_id, attachments from lms_lessons where id = $1',
    [lessonId],
  );
  if (!lesson || !lessonFileIds(lesson).includes(fileId)) throw new NotFoundError('File not found');
  const { url } = await deps.files.signedUrl(fileId, { expiresInSeconds: lessonFileUrlSeconds });
  return url;
}

/**
 * Attaches an uploaded file to a lesson (it becomes the plugin's, kept while the lesson shows it), refusing with a
 * field error: no such file in this tenant, a file of another lesson or a learner's submission, a public file
 * (lesson files are served to those who may read the lesson only), or for a video, not a video. Runs in the
 * request's transaction: a refusal undoes the attach.
 */
export async function attachLessonFile(
  deps: { db: TenantDb; files: PluginFiles },
  fileId: string,
  lessonId: string,
  field: string,
  options: { video?: boolean } = {},
): Promise<PluginFile> {
  const own = await deps.files.get(fileId);
  const submitted = own ? await deps.db.one('select 1 from lms_submissions where file_id = $1', [fileId]) : undefined;
  if ((own && own.ownerId !== lessonId) || submitted) throw new ValidationError({ [field]: ['is a file of another lesson or a submission'] });
  let file: PluginFile;
  try {
    file = await deps.files.attach(fileId, lessonId);
  } catch (error) {
    if (error instanceof NotFoundError) throw new ValidationError({ [field]: ['is not a file uploaded to this workspace'] });
    throw error;
  }
  if (file.visibility !== 'private') throw new ValidationError({ [field]: ['must be a private file (lesson files are served to its readers only)'] });
  if (options.video && !file.contentType.startsWith('video/')) throw new ValidationError({ [field]: [`must be a video (this file is ${file.contentType})`] });
  return file;
}

/**
 * Deletes stored files a lesson no longer shows (a replaced video, a removed attachment). Deleted rather than kept
 * detached: they were uploaded for this lesson, and a file nothing shows only uses quota. A learner's submission is
 * never deleted this way.
 */
export async function releaseLessonFiles(deps: { db: TenantDb; files: PluginFiles }, lessonId: string, candidates: readonly string[]): Promise<void> {
  if (candidates.length === 0) return;
  const lesson = await deps.db.one<{ video_file_id: string | null; attachments: StoredAttachment[] }>(
    'select video_file_id, attachments from lms_lessons where id = $1',
    [lessonId],
  );
  const kept = new Set(lesson ? lessonFileIds(lesson) : []);
  const submitted = await deps.db.query<{ file_id: string }>('select file_id from lms_submissions where file_id = any($1::uuid[])', [candidates]);
  for (const row of submitted) kept.add(row.file_id);
  for (const id of new Set(candidates)) if (!kept.has(id)) await deps.files.delete(id);
}

/**
 * Deletes every stored file of the lessons `where` selects (`l` is `lms_lessons`): videos, attachments and learners'
 * submissions, before the lessons themselves go (a lesson, its module or its course deleted).
 */
export async function deleteLessonsFiles(deps: { db: TenantDb; files: PluginFiles }, where: string, values: readonly unknown[]): Promise<void> {
  const lessons = await deps.db.query<{ id: string }>(`select l.id from lms_lessons l where ${where}`, values);
  for (const { id } of lessons) {
    for (;;) {
      const { items } = await deps.files.list({ ownerId: id, perPage: 100 });
      if (items.length === 0) break;
      for (const file of items) await deps.files.delete(file.id);
    }
  }
}
