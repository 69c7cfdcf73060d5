import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passkeys as passkeysMigration } from '../../src/db/migrations/028-passkeys.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSignedIn, freshIp, systemQuery, trustProxyEnv, turnOnTwoFactor } from './auth-helpers.js';
import { SoftAuthenticator, type Answering, type CreationOptionsJson, type RequestOptionsJson } from './passkey-authenticator.js';

// Issue 23, passkeys: register, sign in without a password, list, rename, remove; a passkey as the second factor
// of a TOTP account. Assertions come from a software authenticator (passkey-authenticator.ts); each refusal is a
// 400 passkey_invalid with an `auth.passkey.refused` audit entry naming the reason, and changes nothing.

let t: TestKernel;
/** The page a browser would answer from: the kernel's public URL (its listening address here). */
let here: Answering;

beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
  here = { origin: new URL(t.url).origin };
});
afterAll(() => t.close());

const me = (user: Pick<TestUser, 'accessToken'>) => ({ ...asSignedIn(user), ...freshIp() });

/** Adds a passkey for `user` through the API, as the console does; returns the created passkey. */
async function addPasskey(user: TestUser, authenticator: SoftAuthenticator, name?: string) {
  const options = await t.request('POST', '/api/v1/me/passkeys/options', { headers: me(user), body: {} });
  expect(options.status, JSON.stringify(options.body)).toBe(200);
  const response = authenticator.register(options.body.data.options as CreationOptionsJson, here);
  const added = await t.request('POST', '/api/v1/me/passkeys', { headers: me(user), body: { response, ...(name ? { name } : {}) } });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  return added.body.data as { id: string; name: string };
}

async function signInOptions(purpose?: 'sign_in' | 'second_factor') {
  const answer = await t.request('POST', '/api/v1/auth/passkeys/options', { headers: freshIp(), body: purpose ? { purpose } : {} });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.data as { challenge_id: string; options: RequestOptionsJson & { userVerification: string; allowCredentials?: unknown[] } };
}

const verify = (body: unknown, headers: Record<string, string> = freshIp()) => t.request('POST', '/api/v1/auth/passkeys/verify', { headers, body });

/** The refusals audited for `reason` since the test began (the host audit log is shared by the file's tests). */
async function refusals(reason: string): Promise<{ target_id: string | null; data: { reason: string; during: string } }[]> {
  return systemQuery(t, "select target_id, data from host_audit_log where action = 'auth.passkey.refused' and data->>'reason' = $1", [reason]);
}

const sessionsOf = async (userId: string) =>
  (await systemQuery<{ n: number }>(t, 'select count(distinct family_id)::int as n from refresh_tokens where user_id = $1', [userId]))[0]!.n;
const passkeysOf = async (userId: string) =>
  (await systemQuery<{ n: number }>(t, 'select count(*)::int as n from passkeys where user_id = $1', [userId]))[0]!.n;

/** A user with one passkey, signed up and registered. */
async function userWithPasskey(): Promise<{ user: TestUser; authenticator: SoftAuthenticator; passkey: { id: string; name: string } }> {
  const user = await signUp(t);
  const authenticator = new SoftAuthenticator();
  return { user, authenticator, passkey: await addPasskey(user, authenticator) };
}

describe('adding a passkey', () => {
  it('offers a discoverable credential with user verification for the public URL’s host, then stores the verified key', async () => {
    const user = await signUp(t, { name: 'Layla Nasser' });
    const answer = await t.request('POST', '/api/v1/me/passkeys/options', { headers: me(user), body: {} });
    expect(answer.status).toBe(200);
    const { options } = answer.body.data;
    expect(options.rp).toEqual({ name: 'Plinth', id: new URL(t.url).hostname });
    expect(options.user).toMatchObject({ name: user.email, displayName: 'Layla Nasser', id: Buffer.from(user.id).toString('base64url') });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(options.attestation).toBe('none');
    expect(options.excludeCredentials).toEqual([]);

    const authenticator = new SoftAuthenticator();
    const response = authenticator.register(options, here);
    const added = await t.request('POST', '/api/v1/me/passkeys', { headers: me(user), body: { response, name: 'Work laptop' } });
    expect(added.status).toBe(201);
    expect(added.body.data).toEqual({
      id: expect.any(String),
      name: 'Work laptop',
      device_type: 'singleDevice',
      backed_up: false,
      created_at: expect.any(String),
      last_used_at: null,
    });
    const [stored] = await systemQuery<{ credential_id: string; counter: number; transports: string[] }>(
      t,
      'select credential_id, counter, transports from passkeys where user_id = $1',
      [user.id],
    );
    expect(stored).toEqual({ credential_id: authenticator.credentialId, counter: 0, transports: ['internal'] });
    const audit = await systemQuery(t, "select target_id from host_audit_log where action = 'auth.passkey.added' and actor_user_id = $1", [user.id]);
    expect(audit).toEqual([{ target_id: added.body.data.id }]);

    // The next options exclude it, so the same authenticator is not registered twice.
    const next = await t.request('POST', '/api/v1/me/passkeys/options', { headers: me(user), body: {} });
    expect(next.body.data.options.excludeCredentials).toEqual([{ id: authenticator.credentialId, type: 'public-key', transports: ['internal'] }]);
    const list = await t.request('GET', '/api/v1/me/passkeys', { headers: me(user) });
    expect(list.body.data.map((passkey: { name: string }) => passkey.name)).toEqual(['Work laptop']);
  });

  it('refuses a registration response answering another user’s challenge: nothing stored, audited, and the challenge still theirs', async () => {
    const owner = await signUp(t);
    const intruder = await signUp(t);
    const ownerOptions = await t.request('POST', '/api/v1/me/passkeys/options', { headers: me(owner), body: {} });
    const authenticator = new SoftAuthenticator();
    const response = authenticator.register(ownerOptions.body.data.options, here);
    const refused = await t.request('POST', '/api/v1/me/passkeys', { headers: me(intruder), body: { response } });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('passkey_invalid');
    expect(await passkeysOf(intruder.id)).toBe(0);
    expect(await refusals('challenge_other_user')).toContainEqual({ target_id: intruder.id, data: { reason: 'challenge_other_user', during: 'register' } });
    // The owner's challenge was not spent by the intruder's try.
    const added = await t.request('POST', '/api/v1/me/passkeys', { headers: me(owner), body: { response } });
    expect(added.status).toBe(201);
  });

  it('refuses a response from another origin or for another RP ID, a replayed one, and one without user verification', async () => {
    const user = await signUp(t);
    const cases: [Answering, string][] = [
      [{ origin: 'https://evil.example' }, 'origin'],
      [{ ...here, rpId: 'evil.example' }, 'rp_id'],
      [{ ...here, userVerified: false }, 'user_verification'],
    ];
    for (const [as, reason] of cases) {
      const options = await t.request('POST', '/api/v1/me/passkeys/options', { headers: me(user), body: {} });
      const response = new SoftAuthenticator().register(options.body.data.options, as);
      const refused = await t.request('POST', '/api/v1/me/passkeys', { headers: me(user), body: { response } });
      expect(refused.status, reason).toBe(400);
      expect(refused.body.code).toBe('passkey_invalid');
      expect(await refusals(reason), reason).toContainEqual({ target_id: user.id, data: { reason, during: 'register' } });
    }
    expect(await passkeysOf(user.id)).toBe(0);

    const options = await t.request('POST', '/api/v1/me/passkeys/options', { headers: me(user), body: {} });
    const response = new SoftAuthenticator().register(options.body.data.options, here);
    expect((await t.request('POST', '/api/v1/me/passkeys', { headers: me(user), body: { response } })).status).toBe(201);
    const replayed = await t.request('POST', '/api/v1/me/passkeys', { headers: me(user), body: { response } });
    expect(replayed.status).toBe(400);
    expect(replayed.body.message).toBe('The passkey request expired or was already used; try again');
    expect(await passkeysOf(user.id)).toBe(1);
  });
});

describe('signing in with a passkey', () => {
  it('signs in with no password: options name no account, tokens work, the session says passkey, the counter is kept', async () => {
    const { user, authenticator, passkey } = await userWithPasskey();
    const { challenge_id, options } = await signInOptions();
    expect(options.rpId).toBe(new URL(t.url).hostname);
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials ?? []).toEqual([]);
    const signedIn = await verify({ challenge_id, response: authenticator.assert(options, here) });
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.data.user).toMatchObject({ id: user.id, email: user.email });
    const profile = await t.request('GET', '/api/v1/me', { headers: asSignedIn({ accessToken: signedIn.body.data.tokens.access_token }) });
    expect(profile.status).toBe(200);
    expect(profile.body.data.id).toBe(user.id);
    const [session] = await systemQuery<{ method: string }>(t, 'select method from refresh_tokens where user_id = $1 order by created_at desc limit 1', [
      user.id,
    ]);
    expect(session!.method).toBe('passkey');
    const [stored] = await systemQuery<{ counter: number; last_used_at: Date | null }>(t, 'select counter, last_used_at from passkeys where id = $1', [
      passkey.id,
    ]);
    expect(stored!.counter).toBe(1);
    expect(stored!.last_used_at).toBeInstanceOf(Date);
    const audit = await systemQuery<{ data: { method: string } }>(
      t,
      "select data from host_audit_log where action = 'auth.login.succeeded' and target_id = $1 order by created_at desc limit 1",
      [user.id],
    );
    expect(audit[0]!.data.method).toBe('passkey');
  });

  it('refuses an unknown credential, a replayed challenge, an expired challenge, a counter that did not grow, another origin or RP ID, no user verification', async () => {
    const { user, authenticator } = await userWithPasskey();
    const before = await sessionsOf(user.id);
    const refusedFor = async (reason: string, body: unknown) => {
      const answer = await verify(body);
      expect(answer.status, reason).toBe(400);
      expect(answer.body.code, reason).toBe('passkey_invalid');
      expect(await refusals(reason), reason).toEqual(expect.arrayContaining([expect.objectContaining({ data: { reason, during: 'sign_in' } })]));
    };

    let next = await signInOptions();
    await refusedFor('unknown_credential', { challenge_id: next.challenge_id, response: new SoftAuthenticator().assert(next.options, here) });

    next = await signInOptions();
    const good = { challenge_id: next.challenge_id, response: authenticator.assert(next.options, here) };
    expect((await verify(good)).status).toBe(200);
    const afterOne = await sessionsOf(user.id);
    await refusedFor('challenge_used', good);

    next = await signInOptions();
    await t.sql("update webauthn_challenges set expires_at = now() - interval '1 second' where id = $1", [next.challenge_id]);
    await refusedFor('challenge_expired', { challenge_id: next.challenge_id, response: authenticator.assert(next.options, here) });

    // A cloned authenticator answers with a counter the server has already seen.
    next = await signInOptions();
    await refusedFor('counter', {
      challenge_id: next.challenge_id,
      response: authenticator.assert(next.options, { ...here, counter: authenticator.counter - 1 }),
    });

    next = await signInOptions();
    await refusedFor('origin', { challenge_id: next.challenge_id, response: authenticator.assert(next.options, { origin: 'https://evil.example' }) });
    next = await signInOptions();
    await refusedFor('rp_id', { challenge_id: next.challenge_id, response: authenticator.assert(next.options, { ...here, rpId: 'evil.example' }) });
    next = await signInOptions();
    await refusedFor('user_verification', { challenge_id: next.challenge_id, response: authenticator.assert(next.options, { ...here, userVerified: false }) });

    // A second-factor challenge does not sign anyone in on its own.
    next = await signInOptions('second_factor');
    await refusedFor('challenge_purpose', { challenge_id: next.challenge_id, response: authenticator.assert(next.options, here) });

    expect(await sessionsOf(user.id)).toBe(afterOne);
    expect(afterOne).toBe(before + 1);
  });

  it('refuses a user handle that is not the credential’s owner', async () => {
    const { user, authenticator } = await userWithPasskey();
    const other = await signUp(t);
    const { challenge_id, options } = await signInOptions();
    authenticator.userHandle = Buffer.from(other.id).toString('base64url');
    const answer = await verify({ challenge_id, response: authenticator.assert(options, here) });
    expect(answer.status).toBe(400);
    expect(await refusals('other_user')).toContainEqual(expect.objectContaining({ target_id: user.id }));
    expect(await sessionsOf(other.id)).toBe(1);
  });

  it('answers 429 after 10 failures from one address, before checking anything', async () => {
    const ip = freshIp();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const { challenge_id, options } = await signInOptions();
      expect((await verify({ challenge_id, response: new SoftAuthenticator().assert(options, here) }, ip)).status).toBe(400);
    }
    const { challenge_id, options } = await signInOptions();
    const limited = await verify({ challenge_id, response: new SoftAuthenticator().assert(options, here) }, ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('never answers 500 to malformed assertions', async () => {
    const { authenticator } = await userWithPasskey();
    const breakings: ((response: ReturnType<SoftAuthenticator['assert']>) => unknown)[] = [
      (response) => ({ ...response, response: { ...response.response, clientDataJSON: 'bm90LWpzb24' } }),
      (response) => ({ ...response, response: { ...response.response, authenticatorData: 'AAAA' } }),
      (response) => ({ ...response, response: { ...response.response, signature: 'AAAA' } }),
      (response) => ({ ...response, rawId: 'different' }),
    ];
    for (const broken of breakings) {
      const { challenge_id, options } = await signInOptions();
      const answer = await verify({ challenge_id, response: broken(authenticator.assert(options, here)) });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('passkey_invalid');
    }
    const { challenge_id, options } = await signInOptions();
    expect((await verify({ challenge_id, response: { ...authenticator.assert(options, here), type: 'other' } })).status).toBe(422);
  });
});

describe('a passkey as the second factor of a password sign-in', () => {
  const login = (user: TestUser, extra: Record<string, unknown> = {}) =>
    t.request('POST', '/api/v1/auth/login', { headers: freshIp(), body: { email: user.email, password: user.password, ...extra } });

  it('stands in for the one-time code of a TOTP account; another account’s passkey is refused and nothing signs in', async () => {
    const { user, authenticator } = await userWithPasskey();
    await turnOnTwoFactor(t, user);
    expect((await login(user)).body.code).toBe('otp_required');

    const second = await signInOptions('second_factor');
    expect(second.options.userVerification).toBe('preferred');
    const signedIn = await login(user, { passkey: { challenge_id: second.challenge_id, response: authenticator.assert(second.options, here) } });
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.data.user.id).toBe(user.id);

    const { authenticator: othersKey } = await userWithPasskey();
    const sessions = await sessionsOf(user.id);
    const next = await signInOptions('second_factor');
    const refused = await login(user, { passkey: { challenge_id: next.challenge_id, response: othersKey.assert(next.options, here) } });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('passkey_invalid');
    expect(refused.body.message).toBe('This passkey belongs to another account');
    expect(await sessionsOf(user.id)).toBe(sessions);
    expect(await refusals('other_user')).toContainEqual({ target_id: user.id, data: { reason: 'other_user', during: 'second_factor' } });
    const failed = await systemQuery(t, "select 1 from host_audit_log where action = 'auth.passkey.refused' and target_id = $1", [user.id]);
    expect(failed.length).toBeGreaterThan(0);
  });

  it('a passwordless passkey sign-in (user verified) asks a TOTP account for no code', async () => {
    const { user, authenticator } = await userWithPasskey();
    await turnOnTwoFactor(t, user);
    const { challenge_id, options } = await signInOptions();
    const signedIn = await verify({ challenge_id, response: authenticator.assert(options, here) });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.data.user).toMatchObject({ id: user.id, totp_enabled: true });
  });

  it('still needs the right password first', async () => {
    const { user, authenticator } = await userWithPasskey();
    await turnOnTwoFactor(t, user);
    const second = await signInOptions('second_factor');
    const wrong = await t.request('POST', '/api/v1/auth/login', {
      headers: freshIp(),
      body: {
        email: user.email,
        password: `${user.password}x`,
        passkey: { challenge_id: second.challenge_id, response: authenticator.assert(second.options, here) },
      },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('unauthenticated');
  });
});

describe('renaming and removing passkeys', () => {
  it('renames one’s own passkey; another user’s is not found', async () => {
    const { user, passkey } = await userWithPasskey();
    const renamed = await t.request('PATCH', `/api/v1/me/passkeys/${passkey.id}`, { headers: me(user), body: { name: 'Phone' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.name).toBe('Phone');
    const other = await signUp(t);
    expect((await t.request('PATCH', `/api/v1/me/passkeys/${passkey.id}`, { headers: me(other), body: { name: 'Mine' } })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/me/passkeys/${passkey.id}`, { headers: me(other) })).status).toBe(404);
    expect(await passkeysOf(user.id)).toBe(1);
  });

  it('removing one ends the user’s other sessions, not this one', async () => {
    const { user, passkey } = await userWithPasskey();
    const elsewhere = await t.request('POST', '/api/v1/auth/login', { headers: freshIp(), body: { email: user.email, password: user.password } });
    const otherToken = elsewhere.body.data.tokens.access_token as string;
    expect((await t.request('GET', '/api/v1/me', { headers: asSignedIn({ accessToken: otherToken }) })).status).toBe(200);
    const removed = await t.request('DELETE', `/api/v1/me/passkeys/${passkey.id}`, { headers: me(user) });
    expect(removed.status).toBe(204);
    expect(await passkeysOf(user.id)).toBe(0);
    expect((await t.request('GET', '/api/v1/me', { headers: asSignedIn({ accessToken: otherToken }) })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/me', { headers: me(user) })).status).toBe(200);
    const audit = await systemQuery<{ data: { ended_sessions: number } }>(
      t,
      "select data from host_audit_log where action = 'auth.passkey.removed' and target_id = $1",
      [passkey.id],
    );
    expect(audit[0]!.data.ended_sessions).toBe(1);
  });

  it('refuses to remove the only way to sign in (409 last_sign_in_method), and allows it once another passkey exists', async () => {
    const { user, passkey } = await userWithPasskey();
    await t.sql('update users set password_hash = null where id = $1', [user.id]);
    const refused = await t.request('DELETE', `/api/v1/me/passkeys/${passkey.id}`, { headers: me(user) });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('last_sign_in_method');
    expect(await passkeysOf(user.id)).toBe(1);
    await addPasskey(user, new SoftAuthenticator(), 'Backup key');
    expect((await t.request('DELETE', `/api/v1/me/passkeys/${passkey.id}`, { headers: me(user) })).status).toBe(204);
    const left = await t.request('GET', '/api/v1/me/passkeys', { headers: me(user) });
    expect(left.body.data.map((item: { name: string }) => item.name)).toEqual(['Backup key']);
  });
});

describe('storage', () => {
  it('keeps passkeys and challenges in host tables a tenant’s transaction cannot read', async () => {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      for (const table of ['passkeys', 'webauthn_challenges']) {
        await client.query('begin; set local role plinth_app');
        await expect(client.query(`select 1 from "${table}" limit 1`), table).rejects.toMatchObject({ code: '42501' });
        await client.query('rollback');
      }
    } finally {
      await client.end();
    }
  });

  it('migration 028 is undone by its down and redone by its up', async () => {
    const { knex } = t.kernel.services.database;
    const tables = async (trx: typeof knex) =>
      (await trx.raw("select to_regclass('passkeys') is not null as passkeys, to_regclass('webauthn_challenges') is not null as challenges")).rows[0];
    await knex
      .transaction(async (trx) => {
        await passkeysMigration.down(trx);
        expect(await tables(trx)).toEqual({ passkeys: false, challenges: false });
        await passkeysMigration.up(trx);
        expect(await tables(trx)).toEqual({ passkeys: true, challenges: true });
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
  });
});
