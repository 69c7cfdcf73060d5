import { useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api';
import { formatBytes } from './format';
import { formatLabel, inProgress, reportFormPath, runTitle, statusLabel, type ReportRun } from './reports-data';
import { ReportsCrumbs } from './reports-form';
import { reportsText as t } from './reports-messages';
import { tenantPath, useTenant } from './session';
import { ErrorBanner, Loading, PageHeader, useAction, When } from './ui';

/** How often a run still being written is asked for again. */
const pollMs = 1_000;

/** A run as it is now, asked for again every second while it is queued or running. */
function useRun(id: string) {
  const tenant = useTenant();
  const [run, setRun] = useState<ReportRun>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      get<ReportRun>(`/reports/${encodeURIComponent(id)}`, { tenant: tenant.slug }).then(
        (answer) => {
          if (!live) return;
          setRun(answer);
          setError(undefined);
          if (inProgress(answer)) timer = setTimeout(load, pollMs);
        },
        (caught: unknown) => live && setError(caught),
      );
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, tenant.slug]);
  return { run, error };
}

/** Saves the file behind a signed URL, as a link with `download` does (the browser names it from the answer). */
function saveFrom(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

/** `/t/:slug/reports/:id` (where the "report ready" notification leads): a run's progress, its error, or its file. */
export function ReportRunPage({ id }: { id: string }) {
  const tenant = useTenant();
  const { run: loaded, error } = useRun(id);
  // The file expired since the run was loaded (410 on download): shown as the expired run it now is.
  const [gone, setGone] = useState(false);
  const download = useAction(async () => {
    try {
      const { url } = await get<{ url: string; expires_at: string }>(`/reports/${encodeURIComponent(id)}/download`, { tenant: tenant.slug });
      saveFrom(url);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 410) setGone(true);
      else throw caught;
    }
  });
  const run = loaded && gone ? { ...loaded, status: 'expired' as const, file: null } : loaded;
  if (!run)
    return error ? (
      <section class="narrow">
        <ReportsCrumbs />
        <PageHeader title={t('title')} />
        {error instanceof ApiError && error.status === 404 ? <p class="banner error">{t('notFound')}</p> : <ErrorBanner error={error} />}
      </section>
    ) : (
      <Loading />
    );
  const title = runTitle(run);
  return (
    <section class="narrow report-run">
      <ReportsCrumbs />
      <PageHeader title={title}>
        <a class="button secondary" href={tenantPath(tenant.slug, `${reportFormPath(run.report)}?again=${encodeURIComponent(run.id)}`)}>
          {t('runAgain')}
        </a>
      </PageHeader>
      <div class="panel">
        <p class="report-status">
          <span class={`badge run-${run.status}`}>{statusLabel(run.status)}</span> <span class="muted">{formatLabel(run.format)}</span>
        </p>
        <Progress run={run} />
        {run.status === 'queued' && <p class="muted">{t('queuedNote')}</p>}
        {run.status === 'running' && <p class="muted">{t('runningNote')}</p>}
        {run.status === 'failed' && (
          <div class="banner error" role="alert">
            <strong>{t('failedNote')}</strong>
            {run.error && <p>{run.error}</p>}
          </div>
        )}
        {run.status === 'expired' && <p class="banner warning">{t('expiredNote')}</p>}
        <ErrorBanner error={download.error ?? error} />
        <dl class="facts">
          <dt>{t('requested')}</dt>
          <dd>
            <When value={run.created_at} />
          </dd>
          <dt>{t('started')}</dt>
          <dd>
            <When value={run.started_at} />
          </dd>
          <dt>{t('finished')}</dt>
          <dd>
            <When value={run.finished_at} />
          </dd>
          {run.file && (
            <>
              <dt>{t('file')}</dt>
              <dd>
                <bdi>{run.file.name}</bdi> ({formatBytes(run.file.size)})
              </dd>
            </>
          )}
          {run.expires_at && (
            <>
              <dt>{t('expires')}</dt>
              <dd>
                <When value={run.expires_at} />
              </dd>
            </>
          )}
        </dl>
        {run.status === 'done' && (
          <div class="form-actions">
            <button type="button" disabled={download.busy} aria-busy={download.busy ? 'true' : undefined} onClick={() => void download.run()}>
              {t('download')}
            </button>
          </div>
        )}
      </div>
    </section>
  );
}

/** The progress bar (a share when the total is known, else moving) and the rows written so far. */
function Progress({ run }: { run: ReportRun }) {
  const finished = run.status === 'done';
  const share = finished ? 1 : run.progress;
  const rows =
    run.rows_total !== null && !finished
      ? t('rowsOf', { done: run.rows_done, total: run.rows_total })
      : finished
        ? t('rowsDone', { done: run.rows_done })
        : t('rowsSoFar', { done: run.rows_done });
  if (run.status === 'failed' || run.status === 'expired') return <p class="muted">{rows}</p>;
  return (
    <div class="report-progress">
      <progress id="report-progress" aria-label={t('progress')} aria-describedby="report-rows" max={1} {...(share === null ? {} : { value: share })} />
      <p id="report-rows" role="status" aria-live="polite">
        {rows}
      </p>
    </div>
  );
}
