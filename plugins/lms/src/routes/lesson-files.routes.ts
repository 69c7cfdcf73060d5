import { type AnyRoute, NotFoundError, Redirect, Reply, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { readableLesson } from '../services/lesson-access.js';
import { lessonFileIds, type StoredAttachment } from '../services/lesson-files.js';

/** How long the signed URL a lesson file redirects to lives: long enough to start a video, too short to pass around. */
export const lessonFileUrlSeconds = 5 * 60;

/**
 * `/lessons/:id/files/:fileId`: a lesson's stored video or attachment, for those who may read the lesson (staff,
 * its instructors, enrolled learners once it unlocks, anyone for a free preview): a redirect to a short-lived signed
 * URL, which serves the bytes with `Range` (seeking in a video), `ETag` and the sniffed type.
 */
export function lessonFileRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/lessons/:id/files/:fileId',
      summary: "A lesson's stored video or attachment: 302 to a signed URL valid 5 minutes (Range supported there), for those who may read the lesson",
      permission: permissions['learning.access'],
      schema: {
        params: Type.Object({ id: Type.String({ format: 'uuid' }), fileId: Type.String({ format: 'uuid' }) }),
        response: Redirect(302, 'To a signed URL of the file, valid 5 minutes'),
      },
      async handler({ params, deps, ctx }) {
        await readableLesson(deps.db, ctx, params.id);
        const lesson = await deps.db.one<{ video_file_id: string | null; attachments: StoredAttachment[] }>(
          'select video_file_id, attachments from lms_lessons where id = $1',
          [params.id],
        );
        if (!lesson || !lessonFileIds(lesson).includes(params.fileId)) throw new NotFoundError('File not found');
        const { url } = await deps.files.signedUrl(params.fileId, { expiresInSeconds: lessonFileUrlSeconds });
        return Reply.redirect(url, 302, { 'cache-control': 'no-store' });
      },
    }),
  ];
}
