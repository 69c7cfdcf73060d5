import type { PlinthEvents, ResolvedDeps } from '@plinth/sdk';
import type { Builders, deps as lmsDeps } from '../deps.js';
import { notifyLearner } from '../services/notices.js';

/** A submitted quiz's score, to its learner and their guardians (an attempt is graded once: passed or failed). */
async function notifyQuizGraded(deps: ResolvedDeps<typeof lmsDeps>, tenantSlug: string, graded: PlinthEvents['lms.quiz.passed']): Promise<void> {
  const quiz = await deps.db.one<{ quiz: string; course: string; course_id: string }>(
    `select q.title as quiz, c.title as course, c.id as course_id
       from lms_quizzes q join lms_lessons l on l.id = q.lesson_id join lms_courses c on c.id = l.course_id where q.id = $1`,
    [graded.quizId],
  );
  if (!quiz) return;
  await notifyLearner(deps, tenantSlug, {
    learnerId: graded.userId,
    event: 'quiz-graded',
    data: { quiz: quiz.quiz, course: quiz.course, score: graded.score },
    key: `quiz-graded:${graded.attemptId}`,
    links: {
      learner: { page: `/learn/${quiz.course_id}/lessons/${graded.lessonId}`, console: `/my/courses/${quiz.course_id}` },
    },
  });
}

/**
 * Tells learners and their guardians of enrolments (whatever made them: self, staff, a purchase), graded quizzes
 * and certificates, through `notify` after the change commits. A redelivered event notifies nobody twice (keys).
 */
export function learnerNoticeHandlers({ on }: Builders) {
  return [
    on(
      'lms.enrollment.created',
      async ({ event, deps, ctx }) => {
        const { enrollmentId, courseId, courseTitle, learner } = event.payload;
        await notifyLearner(deps, ctx.tenant.slug, {
          learnerId: learner.userId,
          event: 'enrolled',
          data: { course: courseTitle },
          key: `enrolled:${enrollmentId}`,
          links: { learner: { page: `/learn/${courseId}`, console: `/my/courses/${courseId}` } },
        });
      },
      { id: 'notify-enrolled' },
    ),
    on('lms.quiz.passed', ({ event, deps, ctx }) => notifyQuizGraded(deps, ctx.tenant.slug, event.payload), { id: 'notify-quiz-passed' }),
    on('lms.quiz.failed', ({ event, deps, ctx }) => notifyQuizGraded(deps, ctx.tenant.slug, event.payload), { id: 'notify-quiz-failed' }),
    on(
      'lms.certificate.issued',
      async ({ event, deps, ctx }) => {
        const { certificateId, code, courseId, learner } = event.payload;
        const course = await deps.db.one<{ title: string }>('select title from lms_courses where id = $1', [courseId]);
        await notifyLearner(deps, ctx.tenant.slug, {
          learnerId: learner.userId,
          event: 'certificate-issued',
          data: { course: course?.title ?? '' },
          key: `certificate:${certificateId}`,
          links: { learner: { page: `/certificates/${code}`, console: '/my/certificates' }, guardianPage: `/certificates/${code}` },
        });
      },
      { id: 'notify-certificate' },
    ),
  ];
}
