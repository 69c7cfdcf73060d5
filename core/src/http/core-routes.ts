import { adminRoutes } from '../admin/admin.routes.js';
import { auditRoutes } from '../audit/audit.routes.js';
import { adminBillingRoutes } from '../billing/admin-billing.routes.js';
import { billingRoutes } from '../billing/billing.routes.js';
import { planRoutes } from '../billing/plans.routes.js';
import { pluginPriceRoutes } from '../billing/plugin-prices.routes.js';
import { testCheckoutRoutes } from '../billing/test-checkout.pages.js';
import { stripeWebhookRoutes } from '../billing/stripe-webhooks.routes.js';
import { apiTokenRoutes } from '../auth/api-tokens.routes.js';
import { authRoutes } from '../auth/auth.routes.js';
import { signingKeyRoutes } from '../auth/jwks.routes.js';
import { emailVerificationRoutes } from '../auth/email-verification.routes.js';
import { meRoutes } from '../auth/me.routes.js';
import { passwordRoutes } from '../auth/password.routes.js';
import { passkeyRoutes } from '../auth/passkeys.routes.js';
import { sessionRoutes } from '../auth/sessions.routes.js';
import { twoFactorRoutes } from '../auth/two-factor.routes.js';
import { accountPageRoutes } from '../customers/account.pages.js';
import { accountNotificationPageRoutes } from '../customers/account-notifications.pages.js';
import { accountRoutes } from '../customers/account.routes.js';
import { fileRoutes } from '../files/files.routes.js';
import { tenantSsoRoutes } from '../identity/tenant-sso.routes.js';
import { identityProviderRoutes } from '../identity/identity-providers.routes.js';
import { oidcRoutes } from '../identity/oidc.routes.js';
import { resumableUploadRoutes } from '../files/resumable.routes.js';
import { jobRoutes } from '../jobs/jobs.routes.js';
import { notificationRoutes } from '../notifications/notifications.routes.js';
import { phoneRoutes } from '../notifications/phone.routes.js';
import { preferenceRoutes } from '../notifications/preferences.routes.js';
import { unsubscribeRoutes } from '../notifications/unsubscribe.routes.js';
import { marketplaceRoutes } from '../plugins/marketplace.routes.js';
import { translationRoutes } from '../plugins/translations.routes.js';
import { roleRoutes } from '../rbac/roles.routes.js';
import { reportScheduleRoutes } from '../reports/report-schedules.routes.js';
import { reportRoutes } from '../reports/reports.routes.js';
import { supportAdminRoutes } from '../support/support-admin.routes.js';
import { supportRoutes } from '../support/support.routes.js';
import { domainRoutes } from '../tenancy/domains.routes.js';
import { invitationRoutes } from '../tenancy/invitations.routes.js';
import { memberRoutes } from '../tenancy/members.routes.js';
import { tenantRoutes } from '../tenancy/tenants.routes.js';
import { unitRoutes } from '../units/units.routes.js';
import type { CoreRoute } from './route.js';

/** Every route core serves under /api/v1 (and its customer pages at /c/:tenant/account/…), by area. */
export const coreRoutes: readonly CoreRoute[] = [
  ...authRoutes,
  ...passwordRoutes,
  ...twoFactorRoutes,
  ...passkeyRoutes,
  ...meRoutes,
  ...emailVerificationRoutes,
  ...sessionRoutes,
  ...tenantRoutes,
  ...domainRoutes,
  ...tenantSsoRoutes,
  ...oidcRoutes,
  ...identityProviderRoutes,
  ...memberRoutes,
  ...unitRoutes,
  ...invitationRoutes,
  ...roleRoutes,
  ...apiTokenRoutes,
  ...auditRoutes,
  ...marketplaceRoutes,
  ...translationRoutes,
  ...jobRoutes,
  ...resumableUploadRoutes,
  ...fileRoutes,
  ...reportRoutes,
  ...reportScheduleRoutes,
  ...adminRoutes,
  ...signingKeyRoutes,
  ...supportAdminRoutes,
  ...supportRoutes,
  ...notificationRoutes,
  ...preferenceRoutes,
  ...phoneRoutes,
  ...unsubscribeRoutes,
  ...accountRoutes,
  ...accountPageRoutes,
  ...accountNotificationPageRoutes,
  ...planRoutes,
  ...pluginPriceRoutes,
  ...billingRoutes,
  ...adminBillingRoutes,
  ...testCheckoutRoutes,
  ...stripeWebhookRoutes,
];
