import type { Migration } from '../migrator.js';
import { runtimeRole } from './001-runtime-role.js';
import { systemRole } from './002-system-role.js';
import { tenancy } from './003-tenancy.js';
import { plugins } from './010-plugins.js';
import { mailHeaders } from './011-mail-headers.js';
import { jobEffects } from './012-job-effects.js';
import { jobKeys } from './013-job-keys.js';
import { tenantLocale } from './014-tenant-locale.js';
import { files } from './015-files.js';
import { profileImages } from './016-profile-images.js';
import { customers } from './017-customers.js';
import { mailAttachments } from './018-mail-attachments.js';
import { userLocale } from './019-user-locale.js';
import { tenantViewColumns } from './020-tenant-view-columns.js';
import { orgUnits } from './021-org-units.js';
import { auditTrail } from './022-audit-trail.js';
import { supportAccess } from './023-support-access.js';
import { signingKeys } from './024-signing-keys.js';
import { emailVerification } from './025-email-verification.js';
import { identityProviders } from './026-identity-providers.js';
import { tenantSso } from './027-tenant-sso.js';
import { passkeys } from './028-passkeys.js';
import { notifications } from './029-notifications.js';
import { reports } from './030-reports.js';
import { eventTrace } from './031-event-trace.js';
import { jobPriority } from './032-job-priority.js';
import { shardReadyKeys } from './033-shard-ready-keys.js';
import { billing } from './034-billing.js';

/** Core's migrations, in order. */
export const coreMigrations: readonly Migration[] = [
  runtimeRole,
  systemRole,
  tenancy,
  plugins,
  mailHeaders,
  jobEffects,
  jobKeys,
  tenantLocale,
  files,
  profileImages,
  customers,
  mailAttachments,
  userLocale,
  tenantViewColumns,
  orgUnits,
  auditTrail,
  supportAccess,
  signingKeys,
  emailVerification,
  identityProviders,
  tenantSso,
  passkeys,
  notifications,
  reports,
  eventTrace,
  jobPriority,
  shardReadyKeys,
  billing,
];
