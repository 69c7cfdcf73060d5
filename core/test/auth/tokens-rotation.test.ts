import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeysRotate } from '../../src/cli/keys.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createTestDatabase, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { freshIp, systemQuery, trustProxyEnv } from './auth-helpers.js';
import { algOf, kidOf, verifyElsewhere } from './tokens-helpers.js';

const grace = (900 + 60) * 1000;
const encryptionKey = 'test-encryption-key-test-encryption-key-0123';

const me = (kernel: TestKernel, token: string) => kernel.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
const refresh = (kernel: TestKernel, refreshToken: string) => kernel.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: refreshToken } });
/** A new sign-in of `user` on `kernel`: a fresh access token, never presented before. */
async function signIn(kernel: TestKernel, user: TestUser): Promise<{ access_token: string; refresh_token: string }> {
  const response = await kernel.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password }, headers: freshIp() });
  expect(response.status).toBe(200);
  return response.body.data.tokens;
}
async function makeSuperAdmin(kernel: TestKernel, user: TestUser): Promise<void> {
  await systemQuery(kernel, 'update users set is_super_admin = true where id = $1', [user.id]);
  await kernel.kernel.services.identity.forget(user.id);
}
const jwksKids = async (kernel: TestKernel) =>
  ((await kernel.request('GET', '/.well-known/jwks.json')).body as { keys: { kid: string }[] }).keys.map((key) => key.kid).sort();
const refusals = (kernel: TestKernel, kid: string) =>
  systemQuery<{ data: Record<string, unknown> }>(kernel, "select data from host_audit_log where action = 'auth.token.refused' and target_id = $1", [kid]);

describe('rotating the signing key', () => {
  let clockOffsetMs = 0;
  let t: TestKernel;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestKernel({ env: trustProxyEnv, services: { clock: () => ({ now: () => new Date(Date.now() + clockOffsetMs) }) } });
    admin = await signUp(t);
    await makeSuperAdmin(t, admin);
  });
  afterAll(() => t.close());
  const rotate = (headers: Record<string, string>) => t.request('POST', '/api/v1/admin/signing-keys/rotate', { headers });
  /** The operator signed in now: a token of the key active at this moment. */
  const asAdmin = async () => ({ authorization: `Bearer ${(await signIn(t, admin)).access_token}` });

  it('is for host operators only', async () => {
    const user = await signUp(t);
    expect((await rotate({})).status).toBe(401);
    expect((await rotate(user.headers)).status).toBe(403);
    expect((await t.request('GET', '/api/v1/admin/signing-keys', { headers: user.headers })).status).toBe(403);
  });

  it('signs nobody out; a retired key verifies until its grace ends, then its tokens are refused and audited', { timeout: 30_000 }, async () => {
    const user = await signUp(t);
    const used = user.accessToken;
    expect((await me(t, used)).status).toBe(200);
    const unused = await signIn(t, user);
    // Signed by the old key too, and never presented until its grace has ended.
    const neverShown = (await signIn(t, user)).access_token;
    const oldKid = kidOf(used);

    const rotated = await rotate(admin.headers);
    expect(rotated.status).toBe(200);
    const { active, retired } = rotated.body.data;
    expect(active).toMatchObject({ alg: 'EdDSA', state: 'active', retired_at: null, verify_until: null });
    expect(retired).toMatchObject({ kid: oldKid, state: 'retired' });
    expect(active.kid).not.toBe(oldKid);
    expect(Date.parse(retired.verify_until) - Date.parse(retired.retired_at)).toBe(grace);
    const audited = await systemQuery<{ data: Record<string, unknown>; actor_user_id: string }>(
      t,
      "select data, actor_user_id from host_audit_log where action = 'admin.signing_keys.rotated' and target_id = $1",
      [active.kid],
    );
    expect(audited).toEqual([{ actor_user_id: admin.id, data: { source: 'api', alg: 'EdDSA', retired_kid: oldKid, pruned: 0 } }]);
    const [erased] = await systemQuery(t, 'select private_key_enc from signing_keys where kid = $1', [oldKid]);
    expect(erased).toEqual({ private_key_enc: null });

    // Tokens signed before the rotation still work, remembered or not; a refresh gets the new key's token.
    expect((await me(t, used)).status).toBe(200);
    expect((await me(t, unused.access_token)).status).toBe(200);
    const renewed = await refresh(t, unused.refresh_token);
    expect(renewed.status).toBe(200);
    expect(kidOf(renewed.body.data.access_token)).toBe(active.kid);
    expect((await me(t, renewed.body.data.access_token)).status).toBe(200);
    expect(await jwksKids(t)).toEqual([oldKid, active.kid].sort());
    const listed = await t.request('GET', '/api/v1/admin/signing-keys', { headers: admin.headers });
    expect(listed.body.data.map((key: { kid: string; state: string }) => [key.kid, key.state])).toEqual([
      [active.kid, 'active'],
      [oldKid, 'retired'],
    ]);
    expect(JSON.stringify(listed.body.data)).not.toMatch(/private|"d"/);

    const late = await signIn(t, user); // signed with the new key
    clockOffsetMs = grace + 1000;
    try {
      for (const token of [used, neverShown, neverShown]) {
        const response = await me(t, token);
        expect(response.status).toBe(401);
        expect(response.body).toMatchObject({ code: 'unauthenticated', message: 'Access token expired' });
      }
      // One entry, however often the key's tokens come back (per key and process, at most once a minute).
      expect(await refusals(t, oldKid)).toEqual([{ data: { reason: 'retired_key', kid: oldKid, alg: 'EdDSA', claimed_sub: user.id } }]);
      expect((await me(t, late.access_token)).status).toBe(200);
      expect(await jwksKids(t)).toEqual([active.kid]);
      const states = await t.request('GET', '/api/v1/admin/signing-keys', { headers: await asAdmin() });
      expect(states.body.data.find((key: { kid: string }) => key.kid === oldKid).state).toBe('expired');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('deletes keys expired for more than 30 days on the next rotation', async () => {
    const before = await systemQuery<{ kid: string }>(t, 'select kid from signing_keys where retired_at is not null');
    expect(before.length).toBeGreaterThan(0);
    clockOffsetMs = 31 * 86_400_000 + 2 * grace;
    try {
      const rotated = await rotate(await asAdmin());
      expect(rotated.status).toBe(200);
      expect(rotated.body.data.pruned).toBe(before.length);
      const left = await systemQuery<{ kid: string }>(t, 'select kid from signing_keys order by kid');
      expect(left.map((row) => row.kid).sort()).toEqual([rotated.body.data.active.kid, rotated.body.data.retired.kid].sort());
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('`plinth keys rotate` rotates from the command line; the running kernel serves the new key', { timeout: 30_000 }, async () => {
    const user = await signUp(t);
    const config = await loadConfig({
      env: {
        DATABASE_URL: t.database.url,
        LOG_LEVEL: 'silent',
        PLINTH_JWT_SECRET: 'cli-test-secret-cli-test-secret-012345',
        PLINTH_ENCRYPTION_KEY: encryptionKey,
      },
    });
    const lines: string[] = [];
    const { kid, retiredKid } = await runKeysRotate(config, (line) => lines.push(line));
    expect(retiredKid).toBe(kidOf(user.accessToken));
    expect(lines[0]).toBe(`Active signing key: ${kid} (EdDSA).`);
    const [audited] = await systemQuery<{ data: Record<string, unknown> }>(
      t,
      "select data from host_audit_log where action = 'admin.signing_keys.rotated' and target_id = $1",
      [kid],
    );
    expect(audited!.data).toMatchObject({ source: 'cli', retired_kid: retiredKid });
    // The JWKS is read fresh; the kernel then signs with the new key, and the old key's tokens still work.
    expect(await jwksKids(t)).toContain(kid);
    const after = await signIn(t, user);
    expect(kidOf(after.access_token)).toBe(kid);
    expect((await me(t, after.access_token)).status).toBe(200);
    expect((await me(t, user.accessToken)).status).toBe(200);
  });
});

describe('several kernels on one database (processes of one host)', () => {
  const publicUrl = 'https://plinth.example.test';
  let a: TestKernel;
  let b: TestKernel;
  let c: TestKernel | undefined;
  beforeAll(async () => {
    a = await createTestKernel({ env: { ...trustProxyEnv, PLINTH_PUBLIC_URL: publicUrl } });
    b = await createTestKernel({ env: { ...trustProxyEnv, PLINTH_PUBLIC_URL: publicUrl }, database: a.database });
  });
  afterAll(async () => {
    await c?.close();
    await b?.close();
    await a?.close();
  });

  it('share the keys: a token from one verifies on the other, and a rotation on one is followed by the other without a restart', async () => {
    const user = await signUp(a);
    expect(decodeJwt(user.accessToken).iss).toBe(publicUrl);
    expect((await me(b, user.accessToken)).status).toBe(200);
    expect(kidOf((await signIn(b, user)).access_token)).toBe(kidOf(user.accessToken));

    const admin = await signUp(a);
    await makeSuperAdmin(a, admin);
    await b.kernel.services.identity.forget(admin.id);
    const rotated = await a.request('POST', '/api/v1/admin/signing-keys/rotate', { headers: admin.headers });
    expect(rotated.status).toBe(200);
    const fromA = await signIn(a, user);
    expect(kidOf(fromA.access_token)).toBe(rotated.body.data.active.kid);
    // B has never seen this kid: it re-reads the keys, verifies, and signs with the new key from then on.
    expect((await me(b, fromA.access_token)).status).toBe(200);
    expect(kidOf((await signIn(b, user)).access_token)).toBe(rotated.body.data.active.kid);
    expect((await me(b, user.accessToken)).status).toBe(200);
  });

  it('sign with the configured algorithm: a process started with another one rotates to it, and every token keeps verifying', { timeout: 60_000 }, async () => {
    const user = await signUp(a);
    const eddsa = user.accessToken;
    expect(algOf(eddsa)).toBe('EdDSA');
    for (const alg of ['ES256', 'RS256'] as const) {
      await c?.close();
      c = await createTestKernel({ env: { ...trustProxyEnv, PLINTH_PUBLIC_URL: publicUrl, PLINTH_TOKEN_ALG: alg }, database: a.database });
      const token = (await signIn(c, user)).access_token;
      expect(algOf(token)).toBe(alg);
      const [entry] = await systemQuery<{ data: Record<string, unknown> }>(
        a,
        "select data from host_audit_log where action = 'admin.signing_keys.rotated' and target_id = $1",
        [kidOf(token)],
      );
      expect(entry!.data).toMatchObject({ source: 'algorithm', alg });
      for (const [name, kernel] of Object.entries({ a, b, c })) {
        expect([name, (await me(kernel, token)).status]).toEqual([name, 200]);
        expect([name, (await me(kernel, eddsa)).status]).toEqual([name, 200]);
      }
      // And outside Plinth, by the JWKS alone.
      expect(await verifyElsewhere(c, publicUrl, [token, eddsa])).toEqual([
        { ok: true, sub: user.id, sid: expect.any(String), alg, kid: kidOf(token) },
        { ok: true, sub: user.id, sid: expect.any(String), alg: 'EdDSA', kid: kidOf(eddsa) },
      ]);
    }
  });
});

describe('a process whose PLINTH_ENCRYPTION_KEY is not the one that sealed the active key', () => {
  it('replaces the key at start in development (audited), signing nobody out', { timeout: 60_000 }, async () => {
    const env = { ...trustProxyEnv, PLINTH_PUBLIC_URL: 'https://plinth.example.test' };
    const first = await createTestKernel({ env });
    let second: TestKernel | undefined;
    try {
      const user = await signUp(first);
      second = await createTestKernel({
        env: { ...env, PLINTH_ENCRYPTION_KEY: 'another-encryption-key-another-encryption-key' },
        database: first.database,
      });
      const token = (await signIn(second, user)).access_token;
      expect(kidOf(token)).not.toBe(kidOf(user.accessToken));
      const [entry] = await systemQuery<{ data: Record<string, unknown> }>(
        first,
        "select data from host_audit_log where action = 'admin.signing_keys.rotated' and target_id = $1",
        [kidOf(token)],
      );
      expect(entry!.data).toMatchObject({ source: 'unreadable', retired_kid: kidOf(user.accessToken) });
      expect((await me(second, user.accessToken)).status).toBe(200);
      expect((await me(first, token)).status).toBe(200);
    } finally {
      await second?.close();
      await first.close();
    }
  });
});

describe('processes starting together on a new database', () => {
  it('make one key between them', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase();
    const kernels = await Promise.allSettled([1, 2, 3].map(() => createTestKernel({ database, env: trustProxyEnv })));
    try {
      expect(kernels.map((kernel) => kernel.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      const [first, ...others] = kernels.map((kernel) => (kernel as PromiseFulfilledResult<TestKernel>).value);
      expect(await first!.sql('select kid from signing_keys')).toHaveLength(1);
      const user = await signUp(first!);
      for (const other of others) expect(kidOf((await signIn(other!, user)).access_token)).toBe(kidOf(user.accessToken));
    } finally {
      for (const kernel of kernels) if (kernel.status === 'fulfilled') await kernel.value.close();
      await database.drop();
    }
  });
});
