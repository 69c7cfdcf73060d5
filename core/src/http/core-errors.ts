import { defineErrors, type ErrorRef } from '@plinth/sdk';

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
