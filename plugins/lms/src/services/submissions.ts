import { Timestamp, Type, type Static, type Stored } from '@plinth/sdk';

/** What a learner may hand in: documents, plain text, images and archives; nothing that runs in a browser. */
export const submissionTypes = [
  'application/pdf',
  'text/plain',
  'image/png',
  'image/jpeg',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
] as const;

/** A learner's submission for a lesson, as the API shows it. */
export const Submission = Type.Object({
  id: Type.String({ format: 'uuid' }),
  lesson_id: Type.String({ format: 'uuid' }),
  course_id: Type.String({ format: 'uuid' }),
  user_id: Type.String({ format: 'uuid' }),
  file: Type.Object({
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    content_type: Type.String(),
    size: Type.Integer(),
  }),
  url: Type.String({ description: 'Download route (the learner and staff only): a redirect to a short-lived signed URL' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type SubmissionView = Stored<Static<typeof Submission>, 'created_at' | 'updated_at'>;

/** A submission's row joined to nothing: its file's metadata is looked up with `deps.files`. */
export interface SubmissionRow {
  id: string;
  lesson_id: string;
  course_id: string;
  user_id: string;
  file_id: string;
  created_at: Date;
  updated_at: Date;
}

export const submissionColumns = 'id, lesson_id, course_id, user_id, file_id, created_at, updated_at';

/** Where a submission's file is downloaded. */
export function submissionFileUrl(submissionId: string): string {
  return `/api/v1/lms/submissions/${submissionId}/file`;
}
