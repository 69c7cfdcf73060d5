/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useState } from 'preact/hooks';
import { apiError, day, learnerName, statusText, type CourseLearner, type LearnerStatus } from './learners-api';

const perPage = 20;

/** A learner's progress: a bar named after the learner, and the percentage as text beside it. */
export function ProgressBar({ plinth, percent, name }: { plinth: ConsoleContext; percent: number; name: string }) {
  return (
    <span class="learners-progress">
      <progress max={100} value={percent} aria-label={plinth.t('Progress of {name}', { name })} />
      <span>{plinth.format.percent(percent * 100)}</span>
    </span>
  );
}

/** The course's learners: search by name or email, filter by status, a page at a time; a name opens their progress. */
export function LearnersTable({ plinth, courseId, version }: { plinth: ConsoleContext; courseId: string; version: number }) {
  const { t, format } = plinth;
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<LearnerStatus | ''>('');
  const [page, setPage] = useState(1);
  const [rows, setRows] = useState<CourseLearner[]>();
  const [pages, setPages] = useState({ total: 0, total_pages: 0 });
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    setBusy(true);
    plinth
      .call<CourseLearner[]>('GET', `/lms/courses/${courseId}/enrollments`, {
        query: { page, per_page: perPage, search: search || undefined, state: status || undefined },
      })
      .then(
        (answer) => {
          if (!live) return;
          setRows(answer.data);
          setPages({ total: answer.pagination?.total ?? answer.data.length, total_pages: answer.pagination?.total_pages ?? 1 });
          setError(undefined);
        },
        (caught: unknown) => live && setError(apiError(caught).message),
      )
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [courseId, search, status, page, version]);

  function apply(event: Event) {
    event.preventDefault();
    setPage(1);
    setSearch(draft.trim());
  }

  const filtered = search !== '' || status !== '';
  return (
    <section class="learners-list" aria-labelledby="learners-list-title">
      <h2 id="learners-list-title">{t('Learners')}</h2>
      <form class="toolbar" role="search" onSubmit={apply}>
        <label>
          {t('Search by name or email')}
          <input type="search" value={draft} onInput={(event) => setDraft(event.currentTarget.value)} />
        </label>
        <label>
          {t('Status')}
          <select
            value={status}
            onChange={(event) => {
              setPage(1);
              setStatus(event.currentTarget.value as LearnerStatus | '');
            }}
          >
            <option value="">{t('All statuses')}</option>
            <option value="active">{t('Active')}</option>
            <option value="completed">{t('Completed')}</option>
            <option value="expired">{t('Expired')}</option>
          </select>
        </label>
        <button type="submit">{t('Search')}</button>
      </form>
      {error && (
        <div class="banner error" role="alert">
          {error}
        </div>
      )}
      {rows && rows.length === 0 && <p class="empty">{filtered ? t('No learner matches.') : t('No learners yet: enrol some above.')}</p>}
      {rows && rows.length > 0 && (
        <div class="table-wrap" aria-busy={busy ? 'true' : undefined}>
          <table>
            <caption class="visually-hidden">{t('Learners of the course, in the order they enrolled')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('Name')}</th>
                <th scope="col">{t('Email')}</th>
                <th scope="col">{t('Enrolled on')}</th>
                <th scope="col">{t('Progress')}</th>
                <th scope="col">{t('Lessons')}</th>
                <th scope="col">{t('Last activity')}</th>
                <th scope="col">{t('Status')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const name = learnerName(plinth, row);
                return (
                  <tr key={row.id}>
                    <th scope="row">
                      <a href={plinth.href(`/w/lms/lms-course-learners?id=${courseId}&learner=${row.id}`)}>{name}</a>
                    </th>
                    <td class="learners-email" data-label={t('Email')}>
                      <bdi>{row.learner?.email ?? '—'}</bdi>
                    </td>
                    <td data-label={t('Enrolled on')}>{day(plinth, row.created_at)}</td>
                    <td data-label={t('Progress')}>
                      <ProgressBar plinth={plinth} percent={row.progress_percent} name={name} />
                    </td>
                    <td data-label={t('Lessons')}>{t('{done} of {total}', { done: row.lessons_completed, total: row.lessons_total })}</td>
                    <td data-label={t('Last activity')}>{format.dateTime(row.last_activity_at)}</td>
                    <td data-label={t('Status')}>
                      <span class={`badge${row.status === 'completed' ? ' on' : row.status === 'expired' ? ' warn' : ''}`}>
                        {statusText(plinth, row.status)}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {pages.total_pages > 1 && (
        <nav class="pager" aria-label={t('Pages of learners')}>
          <button type="button" class="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            {t('Previous')}
          </button>
          <span>{t('Page {page} of {pages}', { page, pages: pages.total_pages })}</span>
          <button type="button" class="secondary" disabled={page >= pages.total_pages} onClick={() => setPage(page + 1)}>
            {t('Next')}
          </button>
        </nav>
      )}
      {rows && rows.length > 0 && <p class="muted">{t('{count, plural, one {# learner} other {# learners}}', { count: pages.total })}</p>}
    </section>
  );
}
