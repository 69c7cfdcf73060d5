import { commonErrors, type ErrorRef } from '@plinth/sdk';
import { coreErrors, kernelErrors } from './core-errors.js';
import type { CoreRoute } from './route.js';

/**
 * Every error code a route can answer besides `internal_error`: those the kernel derives from the route's shape
 * (its input, access, tenant, plugin, path parameters, body and rate limits), then the ones it declares in `errors`.
 * The OpenAPI document lists them; under `checkResponses` an answer with any other code is a 500.
 */
export function routeErrors(route: CoreRoute): ErrorRef[] {
  const { access } = route;
  const isPublic = 'public' in access;
  const tenantFrom = isPublic ? access.tenant : 'permission' in access || 'member' in access ? true : undefined;
  const derived: ErrorRef[] = [];
  const hasBody = route.method !== 'GET';
  if (hasBody) derived.push(commonErrors.bad_request);
  if (tenantFrom === true && !route.root) derived.push(coreErrors.tenant_required);
  if (!isPublic || (tenantFrom !== undefined && !route.root)) derived.push(commonErrors.unauthenticated);
  if (!isPublic) derived.push(commonErrors.forbidden);
  // A host operator's read-only support session may not write (core/src/support).
  if (hasBody && ('permission' in access || 'member' in access)) derived.push(coreErrors.support_read_only);
  if (tenantFrom !== undefined) derived.push(coreErrors.tenant_suspended);
  if (tenantFrom !== undefined && !route.billingExempt) derived.push(coreErrors.billing_suspended);
  if (tenantFrom !== undefined && !route.billingExempt && !isPublic && !route.root && route.method !== 'GET') derived.push(coreErrors.billing_read_only);
  if (route.path.includes(':') || (tenantFrom !== undefined && tenantFrom !== true) || route.root) derived.push(commonErrors.not_found);
  if (route.plugin && tenantFrom !== undefined) derived.push(coreErrors.plugin_not_enabled);
  if (hasBody) derived.push(commonErrors.payload_too_large, commonErrors.unsupported_media_type);
  // The query is checked on every route (no NUL, no broken Unicode), whatever its schemas.
  derived.push(commonErrors.validation_failed);
  if ((tenantFrom !== undefined && !route.root) || route.rateLimit) derived.push(commonErrors.rate_limited);
  if (route.verifiedEmail) derived.push(coreErrors.email_unverified);
  derived.push(kernelErrors.service_unavailable);
  const all = new Map<string, ErrorRef>();
  for (const error of [...derived, ...(route.errors ?? [])]) if (!all.has(error.code)) all.set(error.code, error);
  return [...all.values()];
}
