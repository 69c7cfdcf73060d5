/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiError, day, type CertificatePreview, type CourseSummary } from './learners-api';

/** The course report: totals, and the per-learner CSV. Hidden for a user the report is not for (403). */
export function CourseReport({ plinth, courseId, version }: { plinth: ConsoleContext; courseId: string; version: number }) {
  const { t, format } = plinth;
  const [summary, setSummary] = useState<CourseSummary | null>();
  const [error, setError] = useState<string>();
  const [downloading, setDownloading] = useState(false);

  useEffect(() => {
    let live = true;
    plinth.call<CourseSummary>('GET', `/lms/courses/${courseId}/report`).then(
      (answer) => live && setSummary(answer.data),
      (caught: unknown) => {
        if (!live) return;
        const failure = apiError(caught);
        if (failure.status === 403) setSummary(null);
        else setError(failure.message);
      },
    );
    return () => {
      live = false;
    };
  }, [courseId, version]);

  async function downloadCsv() {
    setDownloading(true);
    try {
      await plinth.download(`/lms/courses/${courseId}/report.csv`);
      plinth.announce(t('The report is downloading.'));
    } catch (caught) {
      plinth.announce(apiError(caught).message, 'error');
    } finally {
      setDownloading(false);
    }
  }

  if (summary === null) return null;
  const score = (value: number | null) => (value === null ? '—' : format.percent(Math.round(value * 100)));
  return (
    <section class="panel learners-report" aria-labelledby="learners-report-title">
      <h2 id="learners-report-title">{t('Course report')}</h2>
      {error && (
        <div class="banner error" role="alert">
          {error}
        </div>
      )}
      {summary && (
        <dl class="learners-stats">
          <div>
            <dt>{t('Enrolments')}</dt>
            <dd>{format.number(summary.enrollments)}</dd>
          </div>
          <div>
            <dt>{t('Completed')}</dt>
            <dd>{format.number(summary.completed)}</dd>
          </div>
          <div>
            <dt>{t('Completion rate')}</dt>
            <dd>{format.percent(Math.round(summary.completion_rate * 100))}</dd>
          </div>
          <div>
            <dt>{t('Average progress')}</dt>
            <dd>{score(summary.average_progress)}</dd>
          </div>
          <div>
            <dt>{t('Average quiz score')}</dt>
            <dd>{score(summary.average_quiz_score)}</dd>
          </div>
        </dl>
      )}
      <div class="card-actions">
        <button type="button" class="secondary" disabled={downloading} onClick={downloadCsv}>
          {t('Download CSV')}
        </button>
      </div>
    </section>
  );
}

/** What a completed learner's certificate says (the latest issued, or an example before anyone finishes). */
export function CertificateCard({ plinth, courseId }: { plinth: ConsoleContext; courseId: string }) {
  const { t } = plinth;
  const [preview, setPreview] = useState<CertificatePreview | null>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    plinth.call<CertificatePreview>('GET', `/lms/courses/${courseId}/certificate/preview`).then(
      (answer) => live && setPreview(answer.data),
      (caught: unknown) => live && setError(apiError(caught).message),
    );
    return () => {
      live = false;
    };
  }, [courseId]);

  return (
    <section class="panel learners-certificate" aria-labelledby="learners-certificate-title">
      <h2 id="learners-certificate-title">{t('Certificate')}</h2>
      {error && (
        <div class="banner error" role="alert">
          {error}
        </div>
      )}
      {preview && (
        <>
          <p class="muted">
            {preview.sample
              ? t('An example: nobody has completed the course yet. Each learner who completes every required lesson gets a certificate like this.')
              : t('The latest certificate issued for this course.')}
          </p>
          <figure class="learners-certificate-sheet" aria-label={t('Certificate preview')}>
            <p class="learners-certificate-title">{t('Certificate of completion')}</p>
            <p class="learners-certificate-name">{preview.learner_name}</p>
            <p>{t('completed “{course}” on {date}.', { course: preview.course_title, date: day(plinth, preview.issued_at) })}</p>
            <p class="muted">
              {t('Verification code:')} <bdi>{preview.code}</bdi>
            </p>
            <figcaption class="visually-hidden">{plinth.tenant.name}</figcaption>
          </figure>
          {/* The console's share element (contract 21): the page's address, Copy, Open and its QR code. */}
          {preview.url && h('plinth-share', { url: preview.url })}
        </>
      )}
    </section>
  );
}
