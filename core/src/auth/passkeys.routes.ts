import { commonErrors, NotFoundError, toJson, type Static } from '@plinth/sdk';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { Type } from '@sinclair/typebox';
import { recordHostAudit } from '../audit/audit.js';
import { returnedRow } from '../db/rows.js';
import type { ScopedDb } from '../db/scoped-db.js';
import { coreErrors } from '../http/core-errors.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { Exact, NoContent, TokenPair, User, Uuid, withStatus } from '../http/response-schemas.js';
import { kernelRefs } from '../kernel-refs.js';
import { userFields, type UserRow } from './auth.routes.js';
import { beginAttempt } from './login-limits.js';
import { AuthenticationResponse, CreationOptions, Passkey, PasskeyName, RegistrationResponse, RequestOptions } from './passkeys-schemas.js';
import { authenticationOptions, checked, PasskeyRefusal, registrationOptions, relyingParty, verifyAssertion, verifyRegistration } from './passkeys.js';
import { endOtherSessions, startSession } from './sessions.js';

const passkeyFields = 'id, name, device_type, backed_up, created_at, last_used_at';
type PasskeyRow = Omit<Static<typeof Passkey>, 'created_at' | 'last_used_at'> & { created_at: Date; last_used_at: Date | null };
const IdParams = Type.Object({ id: Uuid });

export const listPasskeys = defineRoute({
  method: 'GET',
  path: '/me/passkeys',
  summary: 'Your passkeys, oldest first',
  tag: 'auth',
  user: true,
  schema: { response: Type.Array(Passkey) },
  errors: [],
  async handler({ db, principal }) {
    const rows = await db.query<PasskeyRow>(`select ${passkeyFields} from passkeys where user_id = $1 order by created_at, id`, [principal.userId]);
    return toJson(rows);
  },
});

export const passkeyRegistrationOptions = defineRoute({
  method: 'POST',
  path: '/me/passkeys/options',
  summary:
    'Start adding a passkey: options for `navigator.credentials.create()` (a discoverable credential with user verification; your passkeys excluded), valid 5 minutes',
  tag: 'auth',
  user: true,
  schema: { body: Type.Object({}, { additionalProperties: false }), response: Exact({ options: CreationOptions }) },
  deps: { publicUrl: kernelRefs.publicUrl },
  rateLimit: { per: 'principal', max: 30, windowSeconds: 900 },
  errors: [],
  async handler({ db, deps, principal }) {
    const user = await db.one<{ id: string; email: string; name: string }>('select id, email, name from users where id = $1', [principal.userId]);
    if (!user) throw new NotFoundError('User not found');
    // The library's JSON types are wider than the schema (transports as a union type): the schema is what is answered.
    return { options: (await registrationOptions(db, relyingParty(deps.publicUrl()), user)) as Static<typeof CreationOptions> };
  },
});

export const addPasskey = defineRoute({
  method: 'POST',
  path: '/me/passkeys',
  summary:
    'Add a passkey: the browser’s answer to the options of POST /me/passkeys/options. A response for another user’s or a spent or expired challenge, from another origin, or not verified is 400 `passkey_invalid` (audited)',
  tag: 'auth',
  user: true,
  schema: {
    body: Type.Object({ response: RegistrationResponse, name: Type.Optional(PasskeyName) }, { additionalProperties: false }),
    response: withStatus(Passkey, 201),
  },
  deps: { database: kernelRefs.database, publicUrl: kernelRefs.publicUrl },
  errors: [coreErrors.passkey_invalid],
  async handler(input) {
    const { body, db, deps, principal, audit } = input;
    const rp = relyingParty(deps.publicUrl());
    const passkey = await checked(input, 'register', async () => {
      const verified = await verifyRegistration(deps, rp, principal.userId, body.response as unknown as RegistrationResponseJSON);
      const [count] = await db.query<{ n: number }>('select count(*)::int as n from passkeys where user_id = $1', [principal.userId]);
      const name = body.name?.trim() || (count!.n === 0 ? 'Passkey' : `Passkey ${count!.n + 1}`);
      const row = await db.one<PasskeyRow>(
        `insert into passkeys (user_id, credential_id, public_key, counter, transports, device_type, backed_up, name)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (credential_id) do nothing returning ${passkeyFields}`,
        [
          principal.userId,
          verified.credentialId,
          Buffer.from(verified.publicKey),
          verified.counter,
          verified.transports,
          verified.deviceType,
          verified.backedUp,
          name,
        ],
      );
      if (!row) throw new PasskeyRefusal('duplicate', principal.userId);
      return row;
    });
    await audit({ action: 'auth.passkey.added', targetType: 'passkey', targetId: passkey.id, data: { name: passkey.name } });
    return Reply.created(toJson(passkey));
  },
});

export const renamePasskey = defineRoute({
  method: 'PATCH',
  path: '/me/passkeys/:id',
  summary: 'Rename one of your passkeys',
  tag: 'auth',
  user: true,
  schema: { params: IdParams, body: Type.Object({ name: PasskeyName }, { additionalProperties: false }), response: Passkey },
  errors: [],
  async handler({ params, body, db, principal, audit }) {
    const row = await db.one<PasskeyRow>(`update passkeys set name = $3 where id = $1 and user_id = $2 returning ${passkeyFields}`, [
      params.id,
      principal.userId,
      body.name.trim() || 'Passkey',
    ]);
    if (!row) throw new NotFoundError('Passkey not found');
    await audit({ action: 'auth.passkey.renamed', targetType: 'passkey', targetId: row.id, data: { name: row.name } });
    return toJson(row);
  },
});

/** Whether the user could still sign in without this passkey: a password, a linked identity or another passkey. */
async function otherWayToSignIn(db: ScopedDb, userId: string, passkeyId: string): Promise<boolean> {
  const ways = await returnedRow<{ password: boolean; passkeys: number; identities: boolean }>(
    db,
    `select u.password_hash is not null as password,
            (select count(*)::int from passkeys p where p.user_id = u.id and p.id <> $2) as passkeys,
            to_regclass('user_identities') is not null as identities
       from users u where u.id = $1`,
    [userId, passkeyId],
  );
  if (ways.password || ways.passkeys > 0) return true;
  if (!ways.identities) return false;
  // Linked sign-in providers (the OpenID Connect part of issue 23).
  return (await db.query('select 1 from user_identities where user_id = $1 limit 1', [userId])).length > 0;
}

export const removePasskey = defineRoute({
  method: 'DELETE',
  path: '/me/passkeys/:id',
  summary:
    'Remove one of your passkeys; your other sessions end. 409 `last_sign_in_method` when it is your only way to sign in (no password, no linked provider, no other passkey)',
  tag: 'auth',
  user: true,
  schema: { params: IdParams, response: NoContent },
  deps: { identity: kernelRefs.identity },
  errors: [coreErrors.last_sign_in_method],
  async handler({ params, db, deps, principal, audit }) {
    // The user's row is locked first: two removals at once cannot each leave the other passkey as the last way in.
    await db.query('select id from users where id = $1 for update', [principal.userId]);
    const passkey = await db.one<{ id: string; name: string }>('select id, name from passkeys where id = $1 and user_id = $2', [params.id, principal.userId]);
    if (!passkey) throw new NotFoundError('Passkey not found');
    if (!(await otherWayToSignIn(db, principal.userId, passkey.id))) {
      throw coreErrors.last_sign_in_method();
    }
    await db.query('delete from passkeys where id = $1', [passkey.id]);
    const ended = await endOtherSessions(db, deps, principal.userId, principal.sessionId);
    await audit({ action: 'auth.passkey.removed', targetType: 'passkey', targetId: passkey.id, data: { name: passkey.name, ended_sessions: ended } });
    return Reply.noContent();
  },
});

export const passkeySignInOptions = defineRoute({
  method: 'POST',
  path: '/auth/passkeys/options',
  summary:
    'Options for `navigator.credentials.get()`: to sign in with a passkey (`sign_in`, the default), or to confirm a password sign-in with one (`second_factor`, then POST /auth/login with `passkey`). Discoverable credentials: the options name no account. Valid 5 minutes',
  tag: 'auth',
  public: true,
  schema: {
    body: Type.Object(
      { purpose: Type.Optional(Type.Union([Type.Literal('sign_in'), Type.Literal('second_factor')], { default: 'sign_in' })) },
      { additionalProperties: false },
    ),
    response: Exact({ challenge_id: Uuid, options: RequestOptions }),
  },
  deps: { publicUrl: kernelRefs.publicUrl },
  rateLimit: { per: 'ip', max: 60, windowSeconds: 900 },
  errors: [],
  async handler({ body, db, deps }) {
    const { challengeId, options } = await authenticationOptions(db, relyingParty(deps.publicUrl()), body.purpose ?? 'sign_in');
    return { challenge_id: challengeId, options: options as Static<typeof RequestOptions> };
  },
});

export const passkeySignIn = defineRoute({
  method: 'POST',
  path: '/auth/passkeys/verify',
  summary:
    'Sign in with a passkey, no password: the browser’s assertion for a `sign_in` challenge. An unknown credential, a spent or expired challenge, a counter that did not grow or another origin is 400 `passkey_invalid` (audited); 429 past 10 failures in 15 minutes',
  tag: 'auth',
  public: true,
  schema: {
    body: Type.Object({ challenge_id: Uuid, response: AuthenticationResponse }, { additionalProperties: false }),
    response: Exact({ user: User, tokens: TokenPair }),
  },
  deps: { accessTokens: kernelRefs.accessTokens, database: kernelRefs.database, publicUrl: kernelRefs.publicUrl, rateLimiter: kernelRefs.rateLimiter },
  errors: [coreErrors.passkey_invalid, commonErrors.rate_limited],
  async handler(input) {
    const { body, db, deps, actor, ctx } = input;
    const attempt = await beginAttempt(input, [`login:ip:${ctx.ip}`, `passkey:credential:${body.response.id}`]);
    try {
      const user = await checked(
        input,
        'sign_in',
        async () => {
          const { userId, passkeyId } = await verifyAssertion(db, deps, relyingParty(deps.publicUrl()), {
            challengeId: body.challenge_id,
            response: body.response as unknown as AuthenticationResponseJSON,
            purpose: 'sign_in',
          });
          const row = await returnedRow<UserRow & { token_version: number }>(db, `select ${userFields}, token_version from users where id = $1`, [userId]);
          if (row.status !== 'active') throw new PasskeyRefusal('account_disabled', userId);
          return { row, passkeyId };
        },
        attempt,
      );
      const signedIn = { ...actor, userId: user.row.id };
      await recordHostAudit(db, signedIn, {
        action: 'auth.login.succeeded',
        targetType: 'user',
        targetId: user.row.id,
        data: { method: 'passkey', passkey_id: user.passkeyId },
      });
      const tokens = await startSession(db, deps, user.row, signedIn, 'passkey');
      const { token_version: _version, ...publicUser } = user.row;
      return { user: toJson(publicUser), tokens };
    } finally {
      await attempt.end();
    }
  },
});

/** Routes for passkeys: the signed-in user's list, add, rename and remove; signing in with one. */
export const passkeyRoutes: readonly CoreRoute[] = [
  listPasskeys,
  passkeyRegistrationOptions,
  addPasskey,
  renamePasskey,
  removePasskey,
  passkeySignInOptions,
  passkeySignIn,
];
