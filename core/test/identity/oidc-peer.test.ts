import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startOidcPeer, type OidcPeer } from '../../src/testing/oidc-peer.js';

// The test peer itself: a real OpenID provider a standard relying party (openid-client) signs in against, and its knobs
// break exactly the check they name.
describe('startOidcPeer', () => {
  let peer: OidcPeer;
  const redirect = 'http://127.0.0.1:9/callback';
  beforeAll(async () => {
    peer = await startOidcPeer({
      clients: [{ client_id: 'rp', client_secret: 'rp-secret', redirect_uris: [redirect] }],
      accounts: [{ sub: 'alice', email: 'alice@example.test', email_verified: true, name: 'Alice' }],
    });
  });
  afterAll(() => peer.close());

  async function begin() {
    const config = await client.discovery(new URL(peer.issuer), 'rp', 'rp-secret', client.ClientSecretBasic('rp-secret'), {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirect,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    client.enableNonRepudiationChecks(config);
    return { config, verifier, state, nonce, url };
  }

  it('signs an account in and issues a valid id_token with its claims', async () => {
    const { config, verifier, state, nonce, url } = await begin();
    const back = await peer.authorize(url.href, { sub: 'alice' });
    expect(back.startsWith(redirect)).toBe(true);
    const tokens = await client.authorizationCodeGrant(config, new URL(back), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', email: 'alice@example.test', email_verified: true, name: 'Alice' });
  });

  it('denies when asked', async () => {
    const { url } = await begin();
    const back = new URL(await peer.authorize(url.href, { deny: true }));
    expect(back.searchParams.get('error')).toBe('access_denied');
  });

  for (const [knob, pattern] of [
    ['nextWrongNonce', /claim nonce/],
    ['nextWrongIssuer', /claim iss/],
    ['nextWrongAudience', /claim aud/],
    ['nextExpired', /claim exp/],
    ['nextForeignSignature', /signature verification failed/],
  ] as const) {
    it(`${knob} makes the relying party refuse the id_token`, async () => {
      const { config, verifier, state, nonce, url } = await begin();
      const back = await peer.authorize(url.href, { sub: 'alice' });
      peer[knob]();
      const error = await client.authorizationCodeGrant(config, new URL(back), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(Error);
      expect(describeError(error)).toMatch(pattern);
    });
  }
});

/** The failing claim openid-client names in its error chain (`cause.cause.claim`), with the codes on the way. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const e = current as { code?: string; claim?: string; cause?: unknown };
    if (e.code) parts.push(e.code);
    if ((e as { message?: string }).message) parts.push(String((e as { message?: string }).message));
    if (e.claim) parts.push(`claim ${e.claim}`);
    current = e.cause;
  }
  return parts.join(' ');
}
