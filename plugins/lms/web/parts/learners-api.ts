/**
 * What the learners screen reads from the LMS API (`/lms/courses/:id/enrollments`, `/lms/enrollments/:id/progress`,
 * `/lms/courses/:id/report`, `/lms/courses/:id/certificate/preview`), and the words for a learner's status.
 */
import type { ConsoleApiError, ConsoleContext } from '@plinth/sdk/web';

export type LearnerStatus = 'active' | 'completed' | 'expired';

/** One row of the learners table: an enrolment with its learner (`GET /lms/courses/:id/enrollments`). */
export interface CourseLearner {
  id: string;
  user_id: string;
  learner: { name: string; email: string } | null;
  source: 'self' | 'manual' | 'purchase';
  status: LearnerStatus;
  progress_percent: number;
  lessons_completed: number;
  lessons_total: number;
  created_at: string;
  last_activity_at: string;
  completed_at: string | null;
  expires_at: string | null;
}

/** One learner's progress in the course. */
export interface EnrollmentProgress {
  enrollment: CourseLearner;
  course: { id: string; title: string };
  lessons: { lesson_id: string; module_title: string; title: string; required: boolean; completed_at: string | null }[];
  attempts: {
    id: string;
    quiz_title: string;
    lesson_title: string;
    status: 'in_progress' | 'submitted' | 'expired';
    score: number | null;
    passed: boolean | null;
    started_at: string;
    submitted_at: string | null;
  }[];
  certificate: { code: string; issued_at: string } | null;
}

/** The course's totals (`GET /lms/courses/:id/report`). */
export interface CourseSummary {
  enrollments: number;
  active: number;
  completed: number;
  average_progress: number | null;
  average_quiz_score: number | null;
  completion_rate: number;
}

/** What a certificate of the course says. */
export interface CertificatePreview {
  sample: boolean;
  learner_name: string;
  course_title: string;
  issued_at: string;
  code: string;
  url: string | null;
}

/** The outcome of enrolling one address. */
export interface EmailEnrollment {
  email: string;
  user_id: string;
  enrollment_id: string;
  enrolled: boolean;
  account_created: boolean;
}

/** The learner's name, or their email, or (no longer a member) words saying so. */
export function learnerName(plinth: ConsoleContext, row: CourseLearner): string {
  return row.learner?.name || row.learner?.email || plinth.t('Former member');
}

/**
 * The day of an instant in the tenant's zone, in the console's language (`Dec 6, 2026`). Written here because
 * `plinth.format.date` cuts an instant's formatted date-time at the first space or comma ("Dec").
 */
export function day(plinth: ConsoleContext, iso: string): string {
  return new Intl.DateTimeFormat(plinth.language, { dateStyle: 'medium', timeZone: plinth.tenant.timeZone }).format(new Date(iso));
}

/** A learner's status in words. */
export function statusText(plinth: ConsoleContext, status: LearnerStatus): string {
  if (status === 'completed') return plinth.t('Completed');
  if (status === 'expired') return plinth.t('Expired');
  return plinth.t('Active');
}

/** The API error of a failed call (anything else is rethrown: a bug, not an answer). */
export function apiError(error: unknown): ConsoleApiError {
  if (error instanceof Error && 'status' in error) return error as ConsoleApiError;
  throw error;
}
