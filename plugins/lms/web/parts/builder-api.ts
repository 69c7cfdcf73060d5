/// <reference lib="dom" />
/**
 * What the curriculum and quiz builders read from the LMS API, and small helpers both use: the field messages of
 * a failed save, and the console's `<plinth-fields>` element (defined by the console, typed here).
 */
import type { ConsoleApiError } from '@plinth/sdk/web';

export type LessonStatus = 'draft' | 'published';
export type CourseStatus = 'draft' | 'published' | 'archived';

/** A lesson in a course's outline (`GET /lms/courses/:id`): no content. */
export interface OutlineLesson {
  id: string;
  title: string;
  status: LessonStatus;
  free_preview: boolean;
  drip_days: number;
  has_quiz: boolean;
}

export interface OutlineModule {
  id: string;
  title: string;
  lessons: OutlineLesson[];
}

export interface CourseOutline {
  id: string;
  title: string;
  status: CourseStatus;
  modules: OutlineModule[];
}

/** A lesson as staff read it (`GET /lms/lessons/:id`). */
export interface Lesson {
  id: string;
  course_id: string;
  module_id: string;
  title: string;
  status: LessonStatus;
  content_html: string;
  video_url: string | null;
  video_file_id: string | null;
  attachments: { title: string; url: string; file_id: string | null }[];
  duration_seconds: number | null;
  free_preview: boolean;
  required: boolean;
  drip_days: number;
}

/** A failed call's field messages (`errors` of a 422), or none for other failures. */
export function fieldErrors(error: unknown): Record<string, string[]> {
  return (error as Partial<ConsoleApiError> | undefined)?.errors ?? {};
}
