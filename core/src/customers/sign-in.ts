import type { AuditActor } from '../audit/audit.js';
import { recordHostAudit } from '../audit/audit.js';
import { beginAttempt } from '../auth/login-limits.js';
import { verifyPassword } from '../auth/passwords.js';
import { verifySecondFactor } from '../auth/two-factor.js';
import { runAsSystem, type ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import { mailLocale, userLocale } from '../mail/mail-messages.js';
import { accountMessages } from './account-messages.js';
import { issueSignInLink } from './customers.js';

/** What the sign-in code needs of the kernel. */
export type SignInServices = Pick<KernelServices, 'database' | 'identity' | 'logger' | 'mailer' | 'publicUrl' | 'rateLimiter' | 'secretBox' | 'accessTokens'>;

/** An emailed link lives an hour; a member may ask for 5 per 15 minutes (more are dropped silently). */
export const emailedLink = { ttlSeconds: 3600, perEmail: 5, windowMs: 15 * 60_000 };

/**
 * Emails a sign-in link to the member (staff or customer) of the tenant with this email, if there is one. The
 * caller answers the same either way (no enumeration); the mail leaves after the commit, unawaited, so a known
 * email answers in the same time as an unknown one.
 */
export async function requestSignInLink(
  services: SignInServices,
  db: ScopedDb,
  tenant: Tenant,
  input: { email: string; next?: string | undefined },
): Promise<void> {
  const email = input.email.trim().toLowerCase();
  const limit = await services.rateLimiter.hit(`sign-in-link:email:${tenant.id}:${email}`, emailedLink.perEmail, emailedLink.windowMs);
  if (!limit.allowed) return;
  const account = await db.one<{ user_id: string; email: string }>('select user_id, email from tenant_accounts where email_key = $1', [email]);
  if (!account) return;
  const link = await issueSignInLink(db, {
    tenantSlug: tenant.slug,
    publicUrl: services.publicUrl(),
    userId: account.user_id,
    next: input.next ?? '',
    ttlSeconds: emailedLink.ttlSeconds,
  });
  if (!link) return;
  const mail = async () => {
    // The user's own language, read after the commit: a known email answers as fast as an unknown one.
    const t = accountMessages.translator(mailLocale(await userLocale(services.database, { id: account.user_id }), tenant.locale));
    await services.mailer.send({
      to: account.email,
      subject: t('mailSubject', { tenant: tenant.name }),
      text: t('mailBody', { tenant: tenant.name, link, hours: emailedLink.ttlSeconds / 3600 }),
    });
  };
  db.afterCommit(() => {
    mail().catch((error: unknown) => services.logger.error({ err: error, tenantId: tenant.id }, 'could not send a sign-in link'));
  });
}

/** A user as signing in needs them. */
export interface SigningInUser {
  id: string;
  email: string;
  name: string;
  token_version: number;
  totp_enabled: boolean;
}

const userColumns = 'id, email, name, token_version, totp_enabled';

/** The active user with this id (host table: the system path). */
export function activeUser(services: Pick<KernelServices, 'database'>, userId: string): Promise<SigningInUser | undefined> {
  return runAsSystem(services.database, (system) =>
    system.one<SigningInUser>(`select ${userColumns} from users where id = $1 and status = 'active'`, [userId]),
  );
}

/** Checks a one-time code of a user with two-step sign-in (the system path; the code's step is spent). */
export function secondFactorOk(services: Pick<KernelServices, 'database' | 'secretBox'>, userId: string, otp: string): Promise<boolean> {
  return runAsSystem(services.database, (system) => verifySecondFactor(system, services, userId, otp));
}

/** Records a sign-in on the tenant's pages in the host audit log (its own transaction on the system path). */
export function auditPageSignIn(services: Pick<KernelServices, 'database'>, actor: AuditActor, userId: string, via: 'page' | 'page-link'): Promise<void> {
  return runAsSystem(services.database, (system) =>
    recordHostAudit(system, { ...actor, userId }, { action: 'auth.login.succeeded', targetType: 'user', targetId: userId, data: { via } }),
  );
}

/** Why a password sign-in failed, for the page to say. */
export type PasswordOutcome = { ok: true; user: SigningInUser } | { ok: false; reason: 'invalid' | 'otp_required' | 'otp_invalid' };

/**
 * Email + password (+ one-time code) of a member of `tenant`, counted against the sign-in limits of `/auth/login`
 * (per IP and per email; 429 beyond). A user who is not a member of the tenant is refused like a wrong password.
 */
export async function checkPassword(
  services: SignInServices,
  db: ScopedDb,
  request: { ip: string; actor: AuditActor },
  input: { email: string; password: string; otp?: string | undefined },
): Promise<PasswordOutcome> {
  const email = input.email.trim().toLowerCase();
  const attempt = await beginAttempt({ deps: services, actor: request.actor }, [`login:ip:${request.ip}`, `login:email:${email}`]);
  try {
    const user = await runAsSystem(services.database, (system) =>
      system.one<SigningInUser & { password_hash: string | null }>(
        `select ${userColumns}, password_hash from users where lower(email) = $1 and status = 'active'`,
        [email],
      ),
    );
    const passwordOk = await verifyPassword(user?.password_hash ?? null, input.password);
    const member = user && passwordOk ? await db.one('select 1 from tenant_accounts where user_id = $1', [user.id]) : undefined;
    if (!user || !passwordOk || !member) {
      await attempt.failed(user?.id ?? null, 'auth.login.failed', { email, via: 'page' });
      return { ok: false, reason: 'invalid' };
    }
    if (user.totp_enabled) {
      if (!input.otp) return { ok: false, reason: 'otp_required' };
      if (!(await secondFactorOk(services, user.id, input.otp))) {
        await attempt.failed(user.id, 'auth.login.failed', { email, reason: 'otp', via: 'page' });
        return { ok: false, reason: 'otp_invalid' };
      }
    }
    const { password_hash: _hash, ...signedIn } = user;
    await auditPageSignIn(services, request.actor, user.id, 'page');
    return { ok: true, user: signedIn };
  } finally {
    await attempt.end();
  }
}
