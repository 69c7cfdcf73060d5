/// <reference lib="dom" />
/**
 * `lms-course-learners`: a course's learners (on `/courses/:id`, label "Learners"). Staff enrol people by email,
 * search and page through the learners with their progress, open one learner's lesson-by-lesson progress
 * (`?learner=<enrolment id>`), read the course report (CSV download) and preview the certificate.
 */
import type { ConsoleContext } from '@plinth/sdk/web';
import { useState } from 'preact/hooks';
import { EnrolForm } from './learners-enrol';
import { LearnerProgress } from './learners-progress';
import { CertificateCard, CourseReport } from './learners-report';
import { LearnersTable } from './learners-table';
import './learners.css';

export function LearnersScreen({ plinth }: { plinth: ConsoleContext }) {
  const courseId = plinth.params.id;
  // Bumped after an enrolment: the table and the report read again.
  const [version, setVersion] = useState(0);
  if (!courseId)
    return (
      <div class="banner error" role="alert">
        {plinth.t('Open this screen from a course.')}
      </div>
    );
  if (plinth.params.learner) return <LearnerProgress plinth={plinth} courseId={courseId} enrollmentId={plinth.params.learner} />;
  const manages = plinth.can('lms.enrollments.manage');
  return (
    <div class="learners-screen">
      {manages && <EnrolForm plinth={plinth} courseId={courseId} onEnrolled={() => setVersion(version + 1)} />}
      <LearnersTable plinth={plinth} courseId={courseId} version={version} />
      <div class="learners-side">
        <CourseReport plinth={plinth} courseId={courseId} version={version} />
        <CertificateCard plinth={plinth} courseId={courseId} />
      </div>
    </div>
  );
}
