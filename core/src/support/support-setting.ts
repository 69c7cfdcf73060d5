import { ForbiddenError, ValidationError } from '@plinth/sdk';
import type { TenantAccess } from '../rbac/tenant-access.js';

/** The tenant setting that makes every support request wait for an owner's approval (default: off). */
export const supportApprovalSetting = 'support_access_approval';

/**
 * Checks a change of the tenant's settings (`PATCH /tenant`) against the support approval setting: a boolean (or
 * null, to remove it), and never changed from inside a support session, so an operator cannot waive the approval.
 */
export function checkSupportSetting(settings: Record<string, unknown> | undefined, access: TenantAccess | undefined): void {
  if (!settings || !(supportApprovalSetting in settings)) return;
  const value = settings[supportApprovalSetting];
  if (value !== null && typeof value !== 'boolean') throw new ValidationError({ [`settings.${supportApprovalSetting}`]: ['must be true or false'] });
  if (access?.kind === 'support') throw new ForbiddenError('A support session cannot change whether support access needs approval');
}
