import { type AnyRoute, Redirect, Reply, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { lessonFileSignedUrl } from '../services/lesson-files.js';

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
        const url = await lessonFileSignedUrl(deps, ctx, params.id, params.fileId);
        return Reply.redirect(url, 302, { 'cache-control': 'no-store' });
      },
    }),
  ];
}
