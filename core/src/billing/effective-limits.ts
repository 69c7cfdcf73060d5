/**
 * How a tenant's limits are made (docs/billing.md): the host's defaults for core's quotas, then its plan's limits
 * (`null`: unlimited; a plugin key absent: unlimited), then a host administrator's overrides for the tenant
 * (`tenants.quotas`). Free of imports, so the tenant directory and the entitlements service share it.
 */
export type LimitValues = Record<string, number | null>;

/** The limits in effect: `defaults` ⊕ `plan` ⊕ `overrides`, later ones winning key by key. */
export function effectiveLimits(
  defaults: Readonly<Record<string, number>>,
  plan: LimitValues | null | undefined,
  overrides: LimitValues | null | undefined,
): LimitValues {
  return { ...defaults, ...plan, ...overrides };
}

/** What an unlimited core quota becomes where a number is needed (the tenant's `quotas`, the request meter). */
export const unlimitedQuota = Number.MAX_SAFE_INTEGER;

/**
 * Core's quotas as numbers, for code that compares with them (the request meter, the file service): `defaults` ⊕
 * `plan` ⊕ `overrides` for the keys of `defaults` only, an unlimited one as {@link unlimitedQuota}.
 */
export function effectiveQuotas<Q extends object>(defaults: Q, plan: LimitValues | null | undefined, overrides: object | null | undefined): Q {
  const merged = effectiveLimits(defaults as Record<string, number>, plan, overrides as LimitValues | null | undefined);
  const quotas: Record<string, number> = {};
  for (const key of Object.keys(defaults)) {
    const value = merged[key];
    quotas[key] = value === null || value === undefined ? unlimitedQuota : value;
  }
  return quotas as Q;
}

/** The cache key of a tenant's plan and overrides (the tenant directory drops it with the tenant's own entries). */
export function tenantEntitlementsKey(tenantId: string): string {
  return `billing:tenant:${tenantId}`;
}
