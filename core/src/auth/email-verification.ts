import { defineMessages } from '@plinth/sdk';
import { randomToken, sha256 } from '../crypto/secrets.js';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import { mailLocale, userLocale } from '../mail/mail-messages.js';

/** A verification link lives a day. */
export const verificationTtlSeconds = 24 * 3600;

/** Links one account may be sent, and one address may receive, per hour (registration's first mail counts too). */
export const verificationMailLimit = { perHour: 5, windowMs: 3600_000 };

/** The verification mails, English and Arabic (ICU MessageFormat). */
export const verificationMessages = defineMessages({
  en: {
    subject: 'Confirm your email address',
    body: 'Hello {name},\n\nConfirm that {email} is your email address by opening this link within {hours, plural, one {one hour} other {# hours}}:\n\n{link}\n\nIf you did not create an account, ignore this mail.',
    changeSubject: 'Confirm your new email address',
    changeBody:
      'Hello {name},\n\nYou asked to use {email} for your account. Open this link within {hours, plural, one {one hour} other {# hours}} to confirm it; until then your account keeps its current address:\n\n{link}\n\nIf it was not you, ignore this mail.',
    changedSubject: 'Your email address was changed',
    changedBody:
      'Hello {name},\n\nYour account now uses {email} instead of this address. If you did not ask for this, reset your password through {email} or contact the operators of this service.',
  },
  ar: {
    subject: 'أكِّد عنوان بريدك الإلكتروني',
    body: 'مرحبًا {name}،\n\nأكِّد أن {email} هو عنوان بريدك الإلكتروني بفتح هذا الرابط خلال {hours, plural, zero {# ساعة} one {ساعة واحدة} two {ساعتين} few {# ساعات} many {# ساعة} other {# ساعة}}:\n\n{link}\n\nإن لم تنشئ حسابًا، فتجاهل هذه الرسالة.',
    changeSubject: 'أكِّد عنوان بريدك الإلكتروني الجديد',
    changeBody:
      'مرحبًا {name}،\n\nطلبت استخدام {email} لحسابك. افتح هذا الرابط خلال {hours, plural, zero {# ساعة} one {ساعة واحدة} two {ساعتين} few {# ساعات} many {# ساعة} other {# ساعة}} لتأكيده؛ وإلى ذلك الحين يبقى لحسابك عنوانه الحالي:\n\n{link}\n\nإن لم تكن أنت، فتجاهل هذه الرسالة.',
    changedSubject: 'تم تغيير عنوان بريدك الإلكتروني',
    changedBody:
      'مرحبًا {name}،\n\nيستخدم حسابك الآن {email} بدلًا من هذا العنوان. إن لم تطلب ذلك، فأعد تعيين كلمة مرورك عبر {email} أو تواصل مع مشغّلي هذه الخدمة.',
  },
});

type MailServices = Pick<KernelServices, 'database' | 'logger' | 'mailer' | 'publicUrl'>;

/** The rate-limit keys of verification mails for an account and an address. */
export function verificationMailKeys(userId: string, email: string): string[] {
  return [`email-verification:user:${userId}`, `email-verification:email:${email.toLowerCase()}`];
}

/** What a link proves: the account's own address (`verify`), or a new one it asked to change to (`change`). */
export type VerificationPurpose = 'verify' | 'change';

/**
 * Issues a single-use link proving `address` (valid {@link verificationTtlSeconds}), stored as its hash on the system
 * path (`db`), and mails `${publicUrl}/verify-email?token=…` to it once `db` commits, before the request answers (a
 * failure is logged: the user can ask for another). `language` is the mail's language when the user chose none.
 */
export async function sendVerification(
  db: ScopedDb,
  services: MailServices,
  user: { id: string; email: string; name: string },
  language: string,
  change?: { to: string },
): Promise<void> {
  const token = randomToken(32);
  const address = change?.to ?? user.email;
  await db.query(
    'insert into email_verifications (user_id, email, purpose, token_hash, expires_at) values ($1, $2, $3, $4, now() + make_interval(secs => $5))',
    [user.id, address, change ? 'change' : 'verify', sha256(token), verificationTtlSeconds],
  );
  const link = `${services.publicUrl()}/verify-email?token=${encodeURIComponent(token)}`;
  const mail = async () => {
    const t = verificationMessages.translator(mailLocale(await userLocale(services.database, { id: user.id }), language));
    const values = { name: user.name, email: address, hours: verificationTtlSeconds / 3600, link };
    await services.mailer.send(
      change ? { to: address, subject: t('changeSubject'), text: t('changeBody', values) } : { to: address, subject: t('subject'), text: t('body', values) },
    );
  };
  db.afterCommit(() => mail().catch((error: unknown) => services.logger.error({ err: error, userId: user.id }, 'could not send an email verification mail')));
}

/** Tells the old address that the account moved to `to` (after `db` commits; a failure is logged). */
export function notifyEmailChanged(db: ScopedDb, services: MailServices, user: { id: string; name: string; from: string; to: string }, language: string): void {
  const mail = async () => {
    const t = verificationMessages.translator(mailLocale(await userLocale(services.database, { id: user.id }), language));
    await services.mailer.send({ to: user.from, subject: t('changedSubject'), text: t('changedBody', { name: user.name, email: user.to }) });
  };
  db.afterCommit(() => mail().catch((error: unknown) => services.logger.error({ err: error, userId: user.id }, 'could not tell the old address of a change')));
}

/**
 * Marks the user's current address verified (`db` on the system path), when something mailed to it was used: a
 * verification link, an invitation, a sign-in link, a password reset. Answers whether it changed (was unverified).
 * With `identity`, the user's cached state is dropped once `db` commits.
 */
export async function markEmailVerified(db: ScopedDb, userId: string, identity?: Pick<KernelServices['identity'], 'forget'>): Promise<boolean> {
  const changed = await db.query('update users set email_verified_at = now(), updated_at = now() where id = $1 and email_verified_at is null returning id', [
    userId,
  ]);
  if (changed.length > 0 && identity) db.afterCommit(() => identity.forget(userId));
  return changed.length > 0;
}

/** Why a verification link was refused (the audit entry's `reason`). */
export type VerificationRefusal = 'unknown' | 'used' | 'expired' | 'stale' | 'taken';

/** What using a link found: the account and address it verified (`previous`: the address it replaced), or why it was refused. */
export type VerificationOutcome =
  { ok: true; userId: string; name: string; email: string; previous: string | null } | { ok: false; reason: VerificationRefusal; userId: string | null };

/**
 * Uses a verification token (`db` on the system path): single-use by a conditional update, so of concurrent uses one
 * wins. A `verify` link for an address the account no longer has (`stale`) verifies nothing; a `change` link swaps
 * its address in (verified), unless another account took that address meanwhile (`taken`). On success every other
 * open link of the account for the same address is spent too.
 */
export async function useVerification(db: ScopedDb, token: string): Promise<VerificationOutcome> {
  const row = await db.one<{
    id: string;
    user_id: string;
    name: string;
    email: string;
    purpose: VerificationPurpose;
    current_email: string;
    used: boolean;
    expired: boolean;
  }>(
    `select v.id, v.user_id, u.name, v.email, v.purpose, u.email as current_email, v.used_at is not null as used, v.expires_at <= now() as expired
       from email_verifications v join users u on u.id = v.user_id
      where v.token_hash = $1`,
    [sha256(token)],
  );
  if (!row) return { ok: false, reason: 'unknown', userId: null };
  if (row.used) return { ok: false, reason: 'used', userId: row.user_id };
  if (row.expired) return { ok: false, reason: 'expired', userId: row.user_id };
  const moving = row.email.toLowerCase() !== row.current_email.toLowerCase();
  if (moving && row.purpose !== 'change') return { ok: false, reason: 'stale', userId: row.user_id };
  if (moving && (await db.one('select 1 from users where lower(email) = lower($1) and id <> $2', [row.email, row.user_id]))) {
    return { ok: false, reason: 'taken', userId: row.user_id };
  }
  const spent = await db.query('update email_verifications set used_at = now() where id = $1 and used_at is null returning id', [row.id]);
  if (spent.length === 0) return { ok: false, reason: 'used', userId: row.user_id };
  await db.query('update email_verifications set used_at = now() where user_id = $1 and used_at is null and lower(email) = lower($2)', [
    row.user_id,
    row.email,
  ]);
  if (moving) {
    await db.query('update users set email = $2, email_verified_at = now(), updated_at = now() where id = $1', [row.user_id, row.email]);
    return { ok: true, userId: row.user_id, name: row.name, email: row.email, previous: row.current_email };
  }
  return { ok: true, userId: row.user_id, name: row.name, email: row.current_email, previous: null };
}
