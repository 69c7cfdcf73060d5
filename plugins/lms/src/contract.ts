/** The LMS's public contract: its events (CRM records enrolments). Change it only compatibly. */

export interface LearnerInfo {
  userId: string;
  email: string;
  name: string;
}

declare module '@plinth/sdk' {
  interface PlinthEvents {
    'lms.enrollment.created': {
      enrollmentId: string;
      courseId: string;
      courseTitle: string;
      learner: LearnerInfo;
      source: 'self' | 'manual' | 'purchase';
      orderId: string | null;
    };
    'lms.lesson.completed': { enrollmentId: string; courseId: string; lessonId: string; userId: string };
    'lms.course.completed': { enrollmentId: string; courseId: string; courseTitle: string; learner: LearnerInfo };
    'lms.quiz.passed': { attemptId: string; quizId: string; lessonId: string; userId: string; score: number };
    'lms.quiz.failed': { attemptId: string; quizId: string; lessonId: string; userId: string; score: number };
    'lms.certificate.issued': { certificateId: string; code: string; courseId: string; learner: LearnerInfo };
  }
}
