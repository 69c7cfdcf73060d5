import { NotFoundError } from '@plinth/sdk';
import { recordHostAudit, recordTenantAudit, type AuditActor, type AuditEntry } from '../audit/audit.js';
import type { ScopedDb } from '../db/scoped-db.js';
import { effectiveQuotas, type LimitValues } from '../billing/effective-limits.js';
import { defaultQuotas, type Quotas } from '../tenancy/tenant-directory.js';

/** A tenant as host administrators see it. */
export interface AdminTenantRow {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'suspended';
  plan: string;
  quotas: Partial<Quotas>;
  /** The limits of the tenant's plan (its subscription's). */
  plan_limits: LimitValues | null;
  member_count: number;
  api_token_count: number;
  storage_bytes: number;
  file_count: number;
  created_at: Date;
  updated_at: Date;
}

/** Columns of {@link AdminTenantRow} for a query on `tenants t` (on the system path, which sees every tenant's rows). */
export const adminTenantColumns = `t.id, t.slug, t.name, t.status, t.quotas, t.created_at, t.updated_at,
  coalesce((select p.key from tenant_subscriptions b join billing_plans p on p.id = b.plan_id where b.tenant_id = t.id), t.plan) as plan,
  (select p.limits from tenant_subscriptions b join billing_plans p on p.id = b.plan_id where b.tenant_id = t.id) as plan_limits,
  (select count(*) from memberships m where m.tenant_id = t.id and m.kind = 'staff') as member_count,
  (select count(*) from api_tokens k where k.tenant_id = t.id and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())) as api_token_count,
  coalesce((select s.bytes from storage_usage s where s.tenant_id = t.id), 0)::float8 as storage_bytes,
  coalesce((select s.files from storage_usage s where s.tenant_id = t.id), 0) as file_count`;

/** The API shape: effective quotas (the host defaults ⊕ the plan's ⊕ the overrides), the overrides alone, and current usage (members, active API tokens, stored bytes and files). */
export function presentAdminTenant(row: AdminTenantRow) {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    plan: row.plan,
    quotas: effectiveQuotas(defaultQuotas, row.plan_limits, row.quotas),
    quota_overrides: row.quotas,
    usage: { members: row.member_count, api_tokens: row.api_token_count, storage_bytes: row.storage_bytes, files: row.file_count },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** One tenant by id, or 404. */
export async function adminTenantById(db: ScopedDb, id: string): Promise<AdminTenantRow> {
  const tenant = await db.one<AdminTenantRow>(`select ${adminTenantColumns} from tenants t where t.id = $1`, [id]);
  if (!tenant) throw new NotFoundError('Tenant not found');
  return tenant;
}

/** Locks a tenant's row for a change (so concurrent changes apply one after the other), or 404. */
export async function lockTenant(db: ScopedDb, id: string): Promise<Pick<AdminTenantRow, 'id' | 'slug' | 'status' | 'quotas'>> {
  const tenant = await db.one<Pick<AdminTenantRow, 'id' | 'slug' | 'status' | 'quotas'>>(
    'select id, slug, status, quotas from tenants where id = $1 for update',
    [id],
  );
  if (!tenant) throw new NotFoundError('Tenant not found');
  return tenant;
}

/**
 * Records a host administrator's action on a tenant twice, in the request's
 * (system-path) transaction: in the host audit log, and in the tenant's own
 * audit log, so the tenant can see what the host did to it.
 */
export async function recordAdminAction(db: ScopedDb, actor: AuditActor, tenantId: string, entry: AuditEntry): Promise<void> {
  await recordHostAudit(db, actor, { ...entry, tenantId });
  await recordTenantAudit(db, actor, { ...entry, data: { ...entry.data, by_host_admin: true } }, tenantId);
}
