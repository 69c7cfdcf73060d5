import { defineErrors, type ErrorRef } from '@plinth/sdk';

/**
 * `limit_reached` (409): a plan's limit reached, by core (members, API tokens) and plugins alike; defined in the SDK
 * (`limitErrors`) so a plugin's routes list it too, thrown through `limitReached` (core/src/billing/limit-errors.ts).
 */
export { limitErrors } from '@plinth/sdk';

/** Core's own error codes, beside the SDK's `commonErrors`; routes list those they answer in `errors`. */
export const coreErrors = defineErrors('core', {
  tenant_required: { status: 400, description: 'The request names no tenant: send the X-Tenant header (slug or id) or use the tenant host name' },
  tenant_suspended: { status: 403, description: 'The tenant is suspended; only host administrators may act in it' },
  plugin_not_enabled: { status: 404, description: 'The plugin is not enabled for this tenant' },
  otp_required: { status: 401, description: 'The account has two-factor sign-in: send the one-time code' },
  otp_invalid: { status: 401, description: 'The one-time code is wrong or expired' },
  domain_not_verified: { status: 409, description: 'The verification TXT record is not (yet) on the domain' },
  dependency_not_enabled: { status: 409, description: 'A plugin it requires is not enabled; `errors.dependencies` names them' },
  unit_cycle: { status: 422, description: 'The move would put an organisation unit under itself or a unit below it' },
  unit_in_use: {
    status: 409,
    description: 'The organisation unit still has units below it, records or role assignments: `errors` counts them; move them, or delete with `reassign_to`',
  },
  support_read_only: { status: 403, description: 'A read-only support session may only read (GET and HEAD)' },
  sso_required: {
    status: 403,
    description: 'The organisation of the account signs its members in through its own identity provider: `errors.sso.start_url` is where to start',
  },
  passkey_invalid: {
    status: 400,
    description:
      'The passkey could not be verified: an unknown or another account’s credential, a used or expired challenge, a counter that did not grow, or another origin',
  },
  email_unverified: {
    status: 403,
    description: 'Verify your email address first: open the link mailed to you, or ask for a new one (POST /me/email/verification)',
  },
  oidc_failed: {
    status: 400,
    description:
      'Signing in with the identity provider was refused: `reason` says why (state, replayed, nonce, issuer, audience, expired, email_unverified, code, …)',
  },
  last_sign_in_method: { status: 409, description: 'This is the account’s last way to sign in: set a password, link another provider or add a passkey first' },
  email_verification_invalid: { status: 400, description: 'The email verification link is unknown, expired or already used: ask for a new one' },
  // Host billing: subscriptions and dunning (core/src/billing, docs/billing.md).
  billing_read_only: { status: 402, description: 'The tenant is read only until its unpaid invoice is paid (Billing): reads work, writes are refused' },
  billing_suspended: { status: 402, description: 'The tenant is suspended until its unpaid invoice is paid: only billing, your account and sign-in work' },
  subscription_unchanged: {
    status: 409,
    description: 'The subscription is already on that plan and price (a concurrent change got there first): nothing was charged',
  },
  currency_not_offered: { status: 422, description: 'The plan has no price in that currency and interval' },
  billing_not_configured: { status: 409, description: 'The host charges no one (no billing provider): only the free plan can be chosen' },
  payment_method_required: { status: 402, description: 'A paid subscription with a card is needed first: choose a paid plan or add a card' },
  plan_change_exceeds_limits: {
    status: 409,
    description: 'The tenant uses more than the plan allows: `errors` lists each limit (`limits.<key>`) and plugin (`plugins.<name>`) to bring down first',
  },
  plan_excludes_plugin: {
    status: 402,
    description:
      'The plan does not include the plugin and the host does not sell it as an add-on: `errors.plugin`, and `errors.upgrade` the plan that includes it',
  },
  // Host billing through Stripe (core/src/billing/stripe-*.ts, docs/billing.md §Stripe).
  webhook_signature_invalid: {
    status: 400,
    description: 'The webhook’s signature does not verify with the host’s signing secret (or is too old): nothing was applied',
  },
  billing_provider_unavailable: {
    status: 503,
    description: 'The billing provider (Stripe) could not be reached or refused the request: nothing was changed, try again',
    translations: { ar: 'تعذّر الوصول إلى مزوّد الفوترة (Stripe) أو رفض الطلب: لم يتغيّر شيء، حاول مرة أخرى' },
  },
});

/** Answers only the kernel gives, never a route's handler on purpose. */
export const kernelErrors = {
  service_unavailable: {
    code: 'service_unavailable',
    status: 503,
    description: 'A service the request needs (the database) is unreachable; retry after `Retry-After` seconds',
  },
  internal_error: { code: 'internal_error', status: 500, description: 'An unexpected error, logged with the request id' },
} as const satisfies Record<string, ErrorRef>;
