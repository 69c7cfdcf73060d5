import { isPlinthError } from '@plinth/sdk';
import { runInTenant, type ScopedDb } from '../db/scoped-db.js';
import type { FileRecord } from '../files/file-service.js';
import type { JobRun } from '../jobs/jobs.js';
import type { KernelServices } from '../kernel.js';
import { coreNotify } from '../notifications/plugin-notify.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import { checkedInput, reachFor } from './report-access.js';
import { deliverScheduledRun } from './report-delivery.js';
import { reportsOf, type RegisteredReport } from './report-registry.js';
import { reportFileOwner, translate } from './report-runs.js';
import { languageOf, writeReport, type ClaimedRun } from './report-write.js';

/** Runs one report run: `{ tenantId, runId }`. */
export const runJob = 'core.reports.run';
export interface RunJobData {
  tenantId: string;
  runId: string;
}

/** A failure the run cannot recover from by running again: recorded at once, never retried. */
class RunRefused extends Error {
  override name = 'RunRefused';
}

/**
 * The `core.reports.run` job. Claims the run (queued, or running: a retry after a crash starts again from scratch,
 * deleting the file a killed attempt may have stored), streams the plugin's rows through the format's writer into
 * the files service, then marks the run done with its file and expiry and notifies the requester (scheduled runs
 * mail their recipients instead). A run that fails is marked failed with a clear error and not retried; a crash
 * (the worker killed) is retried by the job system.
 */
export async function executeRun(services: KernelServices, run: JobRun<RunJobData>): Promise<void> {
  const { tenantId, runId } = run.data;
  const tenant = await services.tenants.byId(tenantId);
  if (!tenant) return;
  const claimed = await claim(services, tenantId, runId);
  if (!claimed) return;
  try {
    const registered = reportsOf(services.plugins.plugins).get(claimed.report);
    if (!registered) throw new RunRefused(`The report ${claimed.report} is no longer installed`);
    const state = await services.plugins.tenantPlugins.state(tenantId);
    if (!(registered.plugin.name in state.settings)) throw new RunRefused(`The plugin ${registered.plugin.name} is not enabled for this tenant`);
    const units = claimed.schedule_id ? await authorReach(services, tenantId, claimed.requested_by, registered) : claimed.unit_ids;
    // A scheduled run's parameters (a period's dates set by the sweep) are checked now, as a request's are when asked.
    const input = claimed.schedule_id ? { ...claimed, params: checkedInput(registered, claimed.params, claimed.format) } : claimed;
    const file = await writeReport(services, run, tenant, registered, input, units);
    await finish(services, tenant, runId, claimed, registered, file);
  } catch (error) {
    const message = reasonOf(error);
    if (!(error instanceof RunRefused) && !isPlinthError(error)) services.logger.error({ err: error, runId, report: claimed.report }, 'report run failed');
    const failed = await runInTenant(services.database, tenantId, async (db) => {
      const row = await db.one(
        `update report_runs set status = 'failed', error = $2, finished_at = now(), updated_at = now() where id = $1 and status = 'running' returning id`,
        [runId, message],
      );
      // A file stored before the failure (a mail or the notification failed) belongs to nobody.
      if (row) await discardFiles(services, db, tenantId, runId);
      return row !== undefined;
    });
    // The requester is told in a transaction of its own: the failure stays recorded even if telling them fails too.
    if (failed && claimed.requested_by && !claimed.schedule_id) await notifyFailure(services, tenant, runId, claimed, message);
  }
}

/**
 * The units a schedule's author reaches for the report now (null: the whole tenant): a schedule runs with its author's
 * right to the report, so an author who lost it (or left the tenant) schedules nothing more.
 */
async function authorReach(services: KernelServices, tenantId: string, author: string | null, registered: RegisteredReport): Promise<string[] | null> {
  const access = author ? await services.tenantAccess.of(tenantId, author) : undefined;
  const unitTree = access && access.unitGrants.length > 0 ? await services.orgUnits.treeOf(tenantId) : undefined;
  const permission = registered.definition.permission.name;
  const units = reachFor({ permissions: access?.permissions ?? [], access, unitTree }, permission);
  if (units === undefined) throw new RunRefused(`The schedule's author no longer holds ${permission}`);
  return units;
}

/** Tells the requester that their report failed (`core.report-failed`), with the run's error; a failure to tell is logged. */
async function notifyFailure(services: KernelServices, tenant: Tenant, runId: string, claimed: ClaimedRun, error: string): Promise<void> {
  const registered = reportsOf(services.plugins.plugins).get(claimed.report);
  await runInTenant(services.database, tenant.id, async (db) => {
    const language = await languageOf(db, claimed.requested_by, tenant);
    await coreNotify(services, db, { id: tenant.id, slug: tenant.slug }).send({
      to: { userId: claimed.requested_by! },
      template: 'core.report-failed',
      data: { report: registered ? translate(registered, registered.definition.title, language) : claimed.report, error },
      link: `/reports/${runId}`,
      key: `report-failed:${runId}`,
    });
  }).catch((failure: unknown) => services.logger.warn({ err: failure, runId }, 'the requester of a failed report was not notified'));
}

/** What the run's `error` says: a refusal's or a catalogued error's message (with its field errors), never an unexpected error's. */
function reasonOf(error: unknown): string {
  if (error instanceof RunRefused) return error.message;
  if (isPlinthError(error)) {
    const fields = Object.entries(error.errors ?? {}).map(([field, messages]) => `${field}: ${messages.join(', ')}`);
    return fields.length > 0 ? `${error.message} (${fields.join('; ')})` : error.message;
  }
  return 'An unexpected error stopped it; the host’s log has the details';
}

/** Marks the run running (again), and deletes what a killed attempt stored. Undefined when it is no longer to run. */
async function claim(services: KernelServices, tenantId: string, runId: string): Promise<ClaimedRun | undefined> {
  return runInTenant(services.database, tenantId, async (db) => {
    const claimed = await db.one<ClaimedRun>(
      `update report_runs set status = 'running', started_at = now(), rows_done = 0, rows_total = null, error = null, updated_at = now()
        where id = $1 and status in ('queued', 'running') returning report, plugin, params, format, requested_by, schedule_id, unit_ids`,
      [runId],
    );
    if (!claimed) return undefined;
    await discardFiles(services, db, tenantId, runId);
    return claimed;
  });
}

/** Deletes the files stored for a run (by an attempt that was killed or failed afterwards), in `db`'s transaction. */
async function discardFiles(services: KernelServices, db: ScopedDb, tenantId: string, runId: string): Promise<void> {
  const left = await db.query<{ id: string }>('select id from files where owner_plugin = $1 and owner_id = $2', [reportFileOwner, runId]);
  for (const { id } of left) await services.files.delete({ tenantId, db, ownerPlugin: reportFileOwner }, id);
}

/** Marks the run done with its file (scheduled runs mail their recipients first), and notifies the requester. */
async function finish(
  services: KernelServices,
  tenant: Tenant,
  runId: string,
  claimed: ClaimedRun,
  registered: RegisteredReport,
  file: FileRecord,
): Promise<void> {
  const expiresAt = new Date(services.clock.now().getTime() + services.config.reportRetentionDays * 86_400_000);
  if (claimed.schedule_id) await deliverScheduledRun(services, tenant, { id: runId, scheduleId: claimed.schedule_id, registered, file, expiresAt });
  const kept = await runInTenant(services.database, tenant.id, async (db) => {
    const done = await db.one<{ id: string }>(
      `update report_runs set status = 'done', file_id = $2, rows_total = coalesce(rows_total, rows_done), finished_at = now(), expires_at = $3, updated_at = now()
        where id = $1 and status = 'running' and file_id is null returning id`,
      [runId, file.id, expiresAt],
    );
    if (!done) return false;
    if (claimed.requested_by && !claimed.schedule_id) {
      const title = translate(registered, registered.definition.title, await languageOf(db, claimed.requested_by, tenant));
      await coreNotify(services, db, { id: tenant.id, slug: tenant.slug }).send({
        to: { userId: claimed.requested_by },
        template: 'core.report-ready',
        data: { report: title },
        link: `/reports/${runId}`,
        key: `report:${runId}`,
      });
    }
    return true;
  });
  // Another attempt finished first (or the run was deleted): this file belongs to nobody.
  if (!kept) await services.files.delete({ tenantId: tenant.id, ownerPlugin: reportFileOwner }, file.id);
}
