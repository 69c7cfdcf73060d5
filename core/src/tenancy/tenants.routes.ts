import { commonErrors, FileRef, NotFoundError, ValidationError } from '@plinth/sdk';
import { returnedRow } from '../db/rows.js';
import { Type } from '@sinclair/typebox';
import { runAsSystem } from '../db/scoped-db.js';
import { corePermissions } from '../rbac/permissions.js';
import { kernelRefs } from '../kernel-refs.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { recordTenantAudit } from '../audit/audit.js';
import { defaultQuotas, tenantColumns, type Tenant } from './tenant-directory.js';
import { checkDatabaseTimeZone, checkTenantLocale, TenantLocaleFields } from './tenant-locale.js';
import { createTenantWithOwner, NewTenant } from './tenant-setup.js';
import { retimeSchedules } from '../plugins/plugin-jobs.js';
import { checkSupportSetting } from '../support/support-setting.js';
import { Exact, Nullable, Tenant as TenantView, withStatus } from '../http/response-schemas.js';
import { attachProfileImage, logoOwner, profileImageMaxBytes, profileImageTypes, publicFileUrl } from '../auth/profile-images.js';

/** Largest serialised `settings` a tenant may keep. */
const maxSettingsBytes = 64 * 1024;

/** A tenant as the API shows it: quotas with the host defaults filled in. */
function publicTenant(tenant: Tenant): Tenant {
  // `?? null`: a tenant cached before its logo was a column has none.
  return { ...tenant, quotas: { ...defaultQuotas, ...tenant.quotas }, logo_file_id: tenant.logo_file_id ?? null };
}

/** JSON merge patch at the top level: keys in `patch` replace those in `current`; a `null` removes the key. */
function mergeSettings(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** The current tenant as its own members read it: with its logo's public URL. */
const CurrentTenant = Exact({
  ...TenantView.properties,
  logo_url: Nullable(Type.String({ description: 'The public URL of the logo (`?variant=thumb` for a thumbnail once made)' })),
});

/** The tenant with its logo's public URL. */
function withLogo(tenant: Tenant) {
  const shown = publicTenant(tenant);
  return { ...shown, logo_url: shown.logo_file_id ? publicFileUrl(tenant.id, shown.logo_file_id) : null };
}

export const createTenant = defineRoute({
  method: 'POST',
  path: '/tenants',
  summary: 'Create a tenant; the caller becomes its owner',
  tag: 'tenancy',
  user: true,
  schema: { body: NewTenant, response: withStatus(TenantView, 201) },
  deps: { jobs: kernelRefs.jobs, logger: kernelRefs.logger },
  errors: [commonErrors.conflict],
  async handler({ body, db, principal, actor, audit, deps }) {
    const tenant = await createTenantWithOwner(db, deps, body, principal.userId);
    const entry = { action: 'tenant.created', targetType: 'tenant', targetId: tenant.id, data: { slug: tenant.slug, name: tenant.name } };
    await recordTenantAudit(db, actor, entry, tenant.id);
    await audit({ ...entry, tenantId: tenant.id });
    return Reply.created(publicTenant(tenant));
  },
});

export const getTenant = defineRoute({
  method: 'GET',
  path: '/tenant',
  summary: 'The current tenant',
  tag: 'tenancy',
  permission: corePermissions['tenant.view'],
  // A tenant suspended by dunning still shows who it is, so its console can lead to the billing page.
  billingExempt: true,
  schema: { response: CurrentTenant },
  errors: [],
  async handler({ tenant }) {
    return withLogo(tenant);
  },
});

export const updateTenant = defineRoute({
  method: 'PATCH',
  path: '/tenant',
  summary:
    'Rename the current tenant, set its time zone, locale and currency, its logo (a public image uploaded through POST /api/v1/files; null removes it), or change its settings (top-level merge; null removes a key)',
  tag: 'tenancy',
  permission: corePermissions['tenant.manage'],
  schema: {
    body: Type.Object(
      {
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' })),
        settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        logo_file_id: Type.Optional(Nullable(FileRef({ accept: profileImageTypes, maxBytes: profileImageMaxBytes, public: true }))),
        ...TenantLocaleFields,
      },
      { additionalProperties: false, minProperties: 1 },
    ),
    response: CurrentTenant,
  },
  deps: { database: kernelRefs.database, tenants: kernelRefs.tenants, jobs: kernelRefs.jobs, logger: kernelRefs.logger, files: kernelRefs.files },
  errors: [commonErrors.not_found],
  async handler({ body, deps, tenant, actor, access, db: tenantDb }) {
    const { id } = tenant;
    checkSupportSetting(body.settings, access);
    const locale = checkTenantLocale(body);
    // The new logo is attached in the request's (tenant) transaction before the tenant row changes: a refusal changes nothing.
    if (body.logo_file_id)
      await attachProfileImage(deps.files, { tenantId: id, db: tenantDb }, { field: 'logo_file_id', fileId: body.logo_file_id, ownerId: logoOwner });
    // `tenants` is a host table the tenant role cannot write: the change and its audit record commit together on the system path.
    const updated = await runAsSystem(deps.database, async (db) => {
      const current = await db.one<{ settings: Record<string, unknown>; logo_file_id: string | null }>(
        'select settings, logo_file_id from tenants where id = $1 for update',
        [id],
      );
      if (!current) throw new NotFoundError('Tenant not found');
      await checkDatabaseTimeZone(db, locale.time_zone);
      const settings = body.settings ? mergeSettings(current.settings, body.settings) : current.settings;
      if (Buffer.byteLength(JSON.stringify(settings)) > maxSettingsBytes)
        throw new ValidationError({ settings: [`must not exceed ${maxSettingsBytes} bytes`] });
      const logo = body.logo_file_id === undefined ? current.logo_file_id : body.logo_file_id;
      const row = await returnedRow<Tenant>(
        db,
        `update tenants set name = coalesce($2, name), settings = $3, time_zone = coalesce($4, time_zone), locale = coalesce($5, locale),
           currency = coalesce($6, currency), logo_file_id = $7, updated_at = now() where id = $1 returning ${tenantColumns}`,
        [id, body.name?.trim() ?? null, settings, locale.time_zone ?? null, locale.locale ?? null, locale.currency ?? null, logo],
      );
      await recordTenantAudit(
        db,
        actor,
        {
          action: 'tenant.updated',
          targetType: 'tenant',
          targetId: id,
          data: {
            fields: Object.keys(body),
            ...(body.name ? { name: row.name } : {}),
            ...(body.settings ? { settings_keys: Object.keys(body.settings) } : {}),
            ...(body.logo_file_id !== undefined ? { logo_file_id: body.logo_file_id } : {}),
            ...locale,
          },
        },
        id,
      );
      return { row, replacedLogo: current.logo_file_id !== logo ? current.logo_file_id : null };
    });
    // The replaced logo's file goes with the request's transaction (its objects once that commits).
    if (updated.replacedLogo) await deps.files.delete({ tenantId: id, db: tenantDb, ownerPlugin: 'core' }, updated.replacedLogo);
    const { row: changed } = updated;
    await deps.tenants.forget(changed);
    // Plugins' cron schedules follow the tenant's time zone. The change is committed: a failure here is logged, not answered.
    if (locale.time_zone && locale.time_zone !== tenant.time_zone) {
      await retimeSchedules(deps.jobs, id, locale.time_zone).catch((error: unknown) =>
        deps.logger.warn({ err: error, tenantId: id }, 'schedules not re-timed to the new time zone'),
      );
    }
    return withLogo(changed);
  },
});

/** Routes for creating tenants and the current tenant. */
export const tenantRoutes: CoreRoute[] = [createTenant, getTenant, updateTenant];
