import { base64url, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKeys } from '../../src/db/migrations/024-signing-keys.js';
import { createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';
import { systemQuery, trustProxyEnv } from './auth-helpers.js';
import { kidOf, verifyElsewhere } from './tokens-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
});
afterAll(() => t.close());

describe('GET /.well-known/jwks.json', () => {
  it('publishes the active public key with its kid, algorithm and use, no private part, cacheable for five minutes', async () => {
    const response = await t.request('GET', '/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const [active] = await systemQuery<{ kid: string }>(t, 'select kid from signing_keys where retired_at is null');
    expect(response.body).toEqual({ keys: [{ kid: active!.kid, alg: 'EdDSA', use: 'sig', kty: 'OKP', crv: 'Ed25519', x: expect.any(String) }] });
    expect(base64url.decode(response.body.keys[0].x)).toHaveLength(32);
  });
});

describe('GET /.well-known/openid-configuration', () => {
  it('names the issuer of the tokens, where their keys are, and the algorithms', async () => {
    const response = await t.request('GET', '/.well-known/openid-configuration');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.body).toMatchObject({
      issuer: t.url,
      jwks_uri: `${t.url}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['EdDSA'],
      subject_types_supported: ['public'],
    });
    const user = await signUp(t);
    expect(decodeJwt(user.accessToken).iss).toBe(response.body.issuer);
  });

  it('both documents are in the OpenAPI document', async () => {
    const document = await t.request('GET', '/api/v1/openapi.json');
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/.well-known/jwks.json', '/.well-known/openid-configuration']));
  });
});

describe('a service that is not Plinth', () => {
  it('verifies a Plinth access token with jose and the JWKS URL alone, and refuses a tampered one', { timeout: 30_000 }, async () => {
    const user = await signUp(t);
    const other = await signUp(t);
    const [header, payload, signature] = user.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${base64url.encode(JSON.stringify({ ...claims, sub: other.id }))}.${signature}`;
    const resigned = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
    const results = await verifyElsewhere(t, t.url, [user.accessToken, tampered, resigned]);
    expect(results[0]).toEqual({ ok: true, sub: user.id, sid: claims.sid, alg: 'EdDSA', kid: kidOf(user.accessToken) });
    expect(results[1]).toEqual({ ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    expect(results[2]).toEqual({ ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    // Another issuer's expectations are not met by a Plinth token.
    expect(await verifyElsewhere(t, 'https://someone-else.example', [user.accessToken])).toEqual([{ ok: false, code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' }]);
  });
});

describe('the signing_keys table', () => {
  it('is a host table: the runtime role cannot read it', async () => {
    const { database } = t.kernel.services;
    const client = await database.acquire();
    try {
      await client.query('begin');
      await client.query('set local role plinth_app');
      await expect(client.query('select kid from signing_keys limit 1')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.query('rollback');
      await database.release(client);
    }
  });

  it('holds one active key at most, and a retired key keeps no private part', async () => {
    const [active] = await t.sql<{ kid: string; public_jwk: object }>('select kid, public_jwk from signing_keys where retired_at is null');
    const copy = ['kid', 'alg', 'public_jwk', 'private_key_enc', 'activated_at'];
    await expect(
      t.sql(
        `insert into signing_keys (${copy.join(', ')}) select kid || '-2', alg, public_jwk, private_key_enc, activated_at from signing_keys where kid = $1`,
        [active!.kid],
      ),
    ).rejects.toMatchObject({ code: '23505' });
    await expect(t.sql('update signing_keys set retired_at = now(), verify_until = now() where kid = $1', [active!.kid])).rejects.toMatchObject({
      code: '23514',
    });
  });

  it('migration 024 is undone by its down and redone by its up', async () => {
    const { knex } = t.kernel.services.database;
    const tableExists = async (trx: typeof knex) => (await trx.raw("select to_regclass('signing_keys') as found")).rows[0].found !== null;
    await knex
      .transaction(async (trx) => {
        await signingKeys.down(trx);
        expect(await tableExists(trx)).toBe(false);
        await signingKeys.up(trx);
        expect(await tableExists(trx)).toBe(true);
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
  });
});
