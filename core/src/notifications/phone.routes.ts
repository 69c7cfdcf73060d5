import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { commonErrors, ConflictError, Reply, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { runAsSystem, runInTenant } from '../db/scoped-db.js';
import { Exact, NoContent, Nullable, withStatus } from '../http/response-schemas.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { sendThroughChannel } from './channels.js';
import { readerLocale } from './inbox.js';
import { notificationMessages } from './notification-messages.js';
import { inboxOwner } from './notifications.routes.js';

// A person's phone number for SMS and WhatsApp notifications: set (unverified: nothing is sent to it), then verified
// with a six-digit code sent through the tenant's SMS channel. The code is stored hashed, works for ten minutes and
// five tries, and a new request replaces it.

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
export const e164 = '^\\+[1-9][0-9]{6,14}$';
const codeLifetimeMs = 10 * 60_000;
const maxAttempts = 5;

const hashCode = (verificationId: string, code: string) => createHash('sha256').update(`${verificationId}:${code}`).digest('hex');
const Phone = Exact({ number: Nullable(Type.String()), verified: Type.Boolean() });
const deps = { database: kernelRefs.database, plugins: kernelRefs.plugins, clock: kernelRefs.clock };

export const setPhone = defineRoute({
  method: 'PUT',
  path: '/me/phone',
  summary: 'Set your phone number (E.164, e.g. +201001234567): a six-digit code is sent to it by SMS through this tenant',
  tag: 'notifications',
  member: 'any',
  rateLimit: { per: 'principal', max: 5, windowSeconds: 3600 },
  deps,
  schema: {
    body: Type.Object({ phone: Type.String({ pattern: e164, description: 'E.164: +, country code, number; no spaces' }) }, { additionalProperties: false }),
    response: withStatus(Exact({ phone: Type.String(), expires_at: Type.String({ format: 'date-time' }) }), 202),
  },
  errors: [commonErrors.forbidden, commonErrors.conflict],
  async handler({ db, principal, tenant, deps, body }) {
    const userId = inboxOwner(principal);
    const expiresAt = new Date(deps.clock.now().getTime() + codeLifetimeMs);
    await db.query('update phone_verifications set used_at = now() where user_id = $1 and used_at is null', [userId]);
    const [verification] = await db.query<{ id: string }>(
      "insert into phone_verifications (user_id, phone, code_hash, expires_at) values ($1, $2, '', $3) returning id",
      [userId, body.phone, expiresAt],
    );
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await db.query('update phone_verifications set code_hash = $2 where id = $1', [verification!.id, hashCode(verification!.id, code)]);
    const t = notificationMessages.translator(await readerLocale(db, userId, tenant.locale));
    const sent = await sendThroughChannel(deps, tenant, db, {
      channel: 'sms',
      to: body.phone,
      text: t('phoneCode', { code }),
      idempotencyKey: verification!.id,
    });
    if (!sent) throw new ConflictError('This organisation has no SMS channel to send the code through');
    await runAsSystem(deps.database, (system) =>
      system.query('update users set phone = $2, phone_verified_at = null, updated_at = now() where id = $1 and phone is distinct from $2', [
        userId,
        body.phone,
      ]),
    );
    return Reply.accepted({ phone: body.phone, expires_at: expiresAt.toISOString() });
  },
});

export const verifyPhone = defineRoute({
  method: 'POST',
  path: '/me/phone/verify',
  summary: 'Verify your phone number with the code sent to it (five tries, ten minutes)',
  tag: 'notifications',
  member: 'any',
  deps,
  schema: {
    body: Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false }),
    response: Phone,
  },
  errors: [commonErrors.forbidden],
  async handler({ principal, tenant, deps, body }) {
    const userId = inboxOwner(principal);
    // The try is counted in a transaction of its own: a wrong code answers 422 and must still use up an attempt.
    const attempt = await runInTenant(deps.database, tenant.id, (db) =>
      db.one<{ id: string; phone: string; code_hash: string; attempts: number }>(
        `update phone_verifications set attempts = attempts + 1, updated_at = now()
          where id = (select id from phone_verifications where user_id = $1 and used_at is null and expires_at > $2 order by created_at desc limit 1 for update)
            and attempts < $3
          returning id, phone, code_hash, attempts`,
        [userId, deps.clock.now(), maxAttempts],
      ),
    );
    if (!attempt) throw new ValidationError({ code: ['no code is waiting (expired, used, or tried too often): ask for a new one'] });
    const expected = Buffer.from(attempt.code_hash);
    const given = Buffer.from(hashCode(attempt.id, body.code));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new ValidationError({ code: ['is not the code we sent'] });
    await runInTenant(deps.database, tenant.id, (db) => db.query('update phone_verifications set used_at = now() where id = $1', [attempt.id]));
    const [user] = await runAsSystem(deps.database, (system) =>
      system.query<{ phone: string }>('update users set phone = $2, phone_verified_at = now(), updated_at = now() where id = $1 returning phone', [
        userId,
        attempt.phone,
      ]),
    );
    return { number: user?.phone ?? null, verified: user !== undefined };
  },
});

export const deletePhone = defineRoute({
  method: 'DELETE',
  path: '/me/phone',
  summary: 'Remove your phone number: no more SMS or WhatsApp notifications',
  tag: 'notifications',
  member: 'any',
  deps,
  schema: { response: NoContent },
  errors: [commonErrors.forbidden],
  async handler({ principal, deps }) {
    const userId = inboxOwner(principal);
    await runAsSystem(deps.database, (system) =>
      system.query('update users set phone = null, phone_verified_at = null, updated_at = now() where id = $1', [userId]),
    );
    return Reply.noContent();
  },
});

/** The phone number routes. */
export const phoneRoutes: CoreRoute[] = [setPhone, verifyPhone, deletePhone];
