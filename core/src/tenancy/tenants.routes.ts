import { NotFoundError, UnauthenticatedError, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { runAsSystem } from '../db/scoped-db.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { recordTenantAudit } from '../audit/audit.js';
import { defaultQuotas, type Tenant } from './tenant-directory.js';
import { createTenantWithOwner, NewTenant } from './tenant-setup.js';
import { Tenant as TenantView, withStatus } from '../http/response-schemas.js';

const tenantFields = 'id, slug, name, status, plan, settings, quotas, created_at, updated_at';

/** Largest serialised `settings` a tenant may keep. */
const maxSettingsBytes = 64 * 1024;

/** A tenant as the API shows it: quotas with the host defaults filled in. */
function publicTenant(tenant: Tenant): Tenant {
  return { ...tenant, quotas: { ...defaultQuotas, ...tenant.quotas } };
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

export const createTenant = defineRoute({
  method: 'POST',
  path: '/tenants',
  summary: 'Create a tenant; the caller becomes its owner',
  tag: 'tenancy',
  access: { user: true },
  schema: { body: NewTenant },
  response: withStatus(TenantView, 201),
  async handler({ body, db, principal, actor, audit, services }) {
    if (principal?.kind !== 'user') throw new UnauthenticatedError('Sign in as a user to create a tenant');
    const tenant = await createTenantWithOwner(db, services, body, principal.userId);
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
  access: { permission: 'core.tenant.view' },
  response: TenantView,
  async handler({ tenant }) {
    return publicTenant(tenant!);
  },
});

export const updateTenant = defineRoute({
  method: 'PATCH',
  path: '/tenant',
  summary: 'Rename the current tenant or change its settings (top-level merge; null removes a key)',
  tag: 'tenancy',
  access: { permission: 'core.tenant.manage' },
  schema: {
    body: Type.Object(
      {
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' })),
        settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  response: TenantView,
  async handler({ body, services, tenant, actor }) {
    const { id } = tenant!;
    // `tenants` is a host table the tenant role cannot write: the change and its audit record commit together on the system path.
    const updated = await runAsSystem(services.database, async (db) => {
      const current = await db.one<{ settings: Record<string, unknown> }>('select settings from tenants where id = $1 for update', [id]);
      if (!current) throw new NotFoundError('Tenant not found');
      const settings = body.settings ? mergeSettings(current.settings, body.settings) : current.settings;
      if (Buffer.byteLength(JSON.stringify(settings)) > maxSettingsBytes)
        throw new ValidationError({ settings: [`must not exceed ${maxSettingsBytes} bytes`] });
      const row = await db.one<Tenant>(
        `update tenants set name = coalesce($2, name), settings = $3, updated_at = now() where id = $1 returning ${tenantFields}`,
        [id, body.name?.trim() ?? null, settings],
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
            ...(body.name ? { name: row!.name } : {}),
            ...(body.settings ? { settings_keys: Object.keys(body.settings) } : {}),
          },
        },
        id,
      );
      return row!;
    });
    await services.tenants.forget(updated);
    return publicTenant(updated);
  },
});

/** Routes for creating tenants and the current tenant. */
export const tenantRoutes: CoreRoute[] = [createTenant, getTenant, updateTenant] as CoreRoute[];
