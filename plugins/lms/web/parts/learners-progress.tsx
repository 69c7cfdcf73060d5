/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useState } from 'preact/hooks';
import { apiError, day, learnerName, statusText, type EnrollmentProgress } from './learners-api';
import { ProgressBar } from './learners-table';

/** One learner's progress in the course: lesson by lesson, their quiz attempts and certificate. */
export function LearnerProgress({ plinth, courseId, enrollmentId }: { plinth: ConsoleContext; courseId: string; enrollmentId: string }) {
  const { t, format } = plinth;
  const [progress, setProgress] = useState<EnrollmentProgress>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    plinth.call<EnrollmentProgress>('GET', `/lms/enrollments/${enrollmentId}/progress`).then(
      (answer) => live && setProgress(answer.data),
      (caught: unknown) => live && setError(apiError(caught).message),
    );
    return () => {
      live = false;
    };
  }, [enrollmentId]);

  const back = (
    <p class="breadcrumb">
      <a href={plinth.href(`/w/lms/lms-course-learners?id=${courseId}`)}>{t('All learners')}</a>
    </p>
  );
  if (error)
    return (
      <div>
        {back}
        <div class="banner error" role="alert">
          {error}
        </div>
      </div>
    );
  if (!progress) return <p class="loading">{t('Loading…')}</p>;
  const { enrollment, lessons, attempts, certificate } = progress;
  const name = learnerName(plinth, enrollment);
  return (
    <div class="learners-detail">
      {back}
      <section class="panel" aria-labelledby="learner-title">
        <h2 id="learner-title">{name}</h2>
        <dl class="facts">
          <dt>{t('Email')}</dt>
          <dd>
            <bdi>{enrollment.learner?.email ?? '—'}</bdi>
          </dd>
          <dt>{t('Status')}</dt>
          <dd>{statusText(plinth, enrollment.status)}</dd>
          <dt>{t('Enrolled on')}</dt>
          <dd>{day(plinth, enrollment.created_at)}</dd>
          <dt>{t('Last activity')}</dt>
          <dd>{format.dateTime(enrollment.last_activity_at)}</dd>
          <dt>{t('Progress')}</dt>
          <dd>
            <ProgressBar plinth={plinth} percent={enrollment.progress_percent} name={name} />{' '}
            {t('{done} of {total} lessons', { done: enrollment.lessons_completed, total: enrollment.lessons_total })}
          </dd>
        </dl>
        {certificate && (
          <p>
            <a href={plinth.publicUrl(`/c/${encodeURIComponent(plinth.tenant.slug)}/certificates/${certificate.code}`)} target="_blank" rel="noopener">
              {t('Certificate issued {date}', { date: day(plinth, certificate.issued_at) })}
            </a>
          </p>
        )}
      </section>

      <section aria-labelledby="learner-lessons-title">
        <h3 id="learner-lessons-title">{t('Lessons')}</h3>
        {lessons.length === 0 ? (
          <p class="empty">{t('The course has no published lessons yet.')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('Module')}</th>
                  <th scope="col">{t('Lesson')}</th>
                  <th scope="col">{t('Completed')}</th>
                </tr>
              </thead>
              <tbody>
                {lessons.map((lesson) => (
                  <tr key={lesson.lesson_id}>
                    <td data-label={t('Module')}>{lesson.module_title}</td>
                    <th scope="row">
                      {lesson.title}
                      {!lesson.required && <span class="muted"> {t('(optional)')}</span>}
                    </th>
                    <td data-label={t('Completed')}>
                      {lesson.completed_at ? <span class="badge on">{format.dateTime(lesson.completed_at)}</span> : <span class="badge">{t('Not yet')}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="learner-attempts-title">
        <h3 id="learner-attempts-title">{t('Quiz attempts')}</h3>
        {attempts.length === 0 ? (
          <p class="empty">{t('No quiz attempts yet.')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('Quiz')}</th>
                  <th scope="col">{t('Lesson')}</th>
                  <th scope="col">{t('Started')}</th>
                  <th scope="col">{t('Score')}</th>
                  <th scope="col">{t('Result')}</th>
                </tr>
              </thead>
              <tbody>
                {attempts.map((attempt) => (
                  <tr key={attempt.id}>
                    <th scope="row">{attempt.quiz_title}</th>
                    <td data-label={t('Lesson')}>{attempt.lesson_title}</td>
                    <td data-label={t('Started')}>{format.dateTime(attempt.started_at)}</td>
                    <td data-label={t('Score')}>{attempt.score === null ? '—' : format.percent(attempt.score * 100)}</td>
                    <td data-label={t('Result')}>
                      {attempt.status === 'in_progress'
                        ? t('In progress')
                        : attempt.status === 'expired'
                          ? t('Time ran out')
                          : attempt.passed
                            ? t('Passed')
                            : t('Not passed')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
