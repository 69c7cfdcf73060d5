import { defineMessages } from '@plinth/sdk';
import type { Database } from '../db/database.js';
import { runAsSystem } from '../db/scoped-db.js';

/** The kernel's own mails (invitations, password resets), English and Arabic (ICU MessageFormat). */
export const coreMailMessages = defineMessages({
  en: {
    invitationSubject: 'You are invited to {tenant}',
    invitationBody: 'You have been invited to join {tenant}. Accept the invitation within {days, plural, one {# day} other {# days}}:\n\n{link}\n',
    resetSubject: 'Reset your Plinth password',
    resetBody:
      'Someone (hopefully you) asked to reset the password of this account.\n\nSet a new password within {hours, plural, one {one hour} other {# hours}}: {link}\n\nIf it was not you, ignore this mail; your password stays as it is.',
  },
  ar: {
    invitationSubject: 'أنت مدعو إلى {tenant}',
    invitationBody:
      'دُعيت للانضمام إلى {tenant}. اقبل الدعوة خلال {days, plural, zero {# يوم} one {يوم واحد} two {يومين} few {# أيام} many {# يومًا} other {# يوم}}:\n\n{link}\n',
    resetSubject: 'إعادة تعيين كلمة مرور Plinth',
    resetBody:
      'طلب أحدهم (ونأمل أن تكون أنت) إعادة تعيين كلمة مرور هذا الحساب.\n\nعيّن كلمة مرور جديدة خلال {hours, plural, zero {# ساعة} one {ساعة واحدة} two {ساعتين} few {# ساعات} many {# ساعة} other {# ساعة}}: {link}\n\nإن لم تكن أنت، فتجاهل هذه الرسالة؛ تبقى كلمة مرورك كما هي.',
  },
});

/** The language of a mail: the recipient's own locale if set, else the tenant's, else English. */
export function mailLocale(...candidates: (string | null | undefined)[]): string {
  return candidates.find((candidate): candidate is string => typeof candidate === 'string' && candidate.length > 0) ?? 'en';
}

/**
 * A user's own locale (`users.locale`), by id or email, or null: read as the system, since a tenant's transaction
 * cannot see users. Mails call it after the commit, off the request's path, so it costs the request nothing.
 */
export async function userLocale(database: Database, who: { id: string } | { email: string }): Promise<string | null> {
  const [where, value] = 'id' in who ? ['u.id = $1', who.id] : ['lower(u.email) = lower($1)', who.email];
  const row = await runAsSystem(database, (db) => db.one<{ locale: string | null }>(`select u.locale from users u where ${where}`, [value]));
  return row?.locale ?? null;
}
