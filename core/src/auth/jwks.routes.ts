import { Reply } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { Exact, Nullable, Timestamp } from '../http/response-schemas.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { presentSigningKey, readSigningKeys, signingAlgs } from './signing-keys.js';

// How another service verifies a Plinth access token with a standard JOSE library and no shared secret: the public keys
// (JWKS) and a discovery document naming the issuer and where the keys are. Both are public documents, cacheable for five
// minutes; a verifier meeting an unknown `kid` fetches the keys again (rotations publish the new key at once).
// The host's operators list and rotate the keys under /admin (docs/identity.md, "Access tokens, keys and the JWKS").

const publicDocument = { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
const Alg = Type.Union(signingAlgs.map((alg) => Type.Literal(alg)));

const PublicJwk = Type.Object(
  { kid: Type.String(), alg: Alg, use: Type.Literal('sig'), kty: Type.String() },
  { additionalProperties: true, description: 'A public JWK (RFC 7517): `crv`/`x`(/`y`) or `n`/`e` by key type' },
);

export const getJwks = defineRoute({
  method: 'GET',
  path: '/.well-known/jwks.json',
  summary: 'The public keys that verify access tokens (RFC 7517): the active key and those retired within their grace',
  tag: 'identity',
  public: true,
  root: true,
  deps: { accessTokens: kernelRefs.accessTokens },
  schema: {
    response: Type.Object(
      { keys: Type.Array(PublicJwk) },
      { additionalProperties: false, contentMediaType: 'application/json', description: 'A JWK Set, outside the envelope' },
    ),
  },
  errors: [],
  async handler({ deps }) {
    const keys = await deps.accessTokens.publishedKeys();
    return Reply.raw(JSON.stringify({ keys }), { contentType: 'application/json', headers: publicDocument });
  },
});

export const getDiscovery = defineRoute({
  method: 'GET',
  path: '/.well-known/openid-configuration',
  summary: 'Discovery for verifying access tokens: the issuer, the JWKS URL and the signing algorithms (no authorization endpoints)',
  tag: 'identity',
  public: true,
  root: true,
  deps: { accessTokens: kernelRefs.accessTokens },
  schema: {
    response: Type.Object(
      {
        issuer: Type.String(),
        jwks_uri: Type.String(),
        id_token_signing_alg_values_supported: Type.Array(Alg, { description: 'The algorithms of the keys in the JWKS (and of new keys)' }),
        subject_types_supported: Type.Array(Type.Literal('public')),
        claims_supported: Type.Array(Type.String()),
      },
      { additionalProperties: false, contentMediaType: 'application/json', description: 'An OpenID-style discovery document, outside the envelope' },
    ),
  },
  errors: [],
  async handler({ deps }) {
    const { accessTokens } = deps;
    const issuer = accessTokens.issuer();
    const algs = [...new Set([accessTokens.algorithm, ...(await accessTokens.publishedKeys()).map((key) => key.alg)])];
    const document = {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: algs,
      subject_types_supported: ['public'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'sid', 'ver', 'typ'],
    };
    return Reply.raw(JSON.stringify(document), { contentType: 'application/json', headers: publicDocument });
  },
});

const SigningKey = Exact({
  kid: Type.String(),
  alg: Alg,
  state: Type.Union([Type.Literal('active'), Type.Literal('retired'), Type.Literal('expired')], {
    description: '`active` signs; `retired` still verifies until `verify_until`; `expired` verifies nothing (listed until deleted)',
  }),
  created_at: Timestamp,
  activated_at: Timestamp,
  retired_at: Nullable(Timestamp),
  verify_until: Nullable(Timestamp),
});

export const listSigningKeys = defineRoute({
  method: 'GET',
  path: '/admin/signing-keys',
  summary: 'The keys that sign and verify access tokens, newest first (no private parts)',
  tag: 'admin',
  superAdmin: true,
  deps: { clock: kernelRefs.clock },
  schema: { response: Type.Array(SigningKey) },
  errors: [],
  async handler({ db, deps, audit }) {
    const rows = await readSigningKeys(db);
    await audit({ action: 'admin.signing_keys.listed' });
    const now = deps.clock.now();
    return rows.map((row) => presentSigningKey(row, now));
  },
});

export const rotateSigningKey = defineRoute({
  method: 'POST',
  path: '/admin/signing-keys/rotate',
  summary:
    'Make a new signing key active (of PLINTH_TOKEN_ALG) and retire the active one: it keeps verifying until the tokens it signed have expired, so nobody is signed out',
  tag: 'admin',
  superAdmin: true,
  deps: { accessTokens: kernelRefs.accessTokens, clock: kernelRefs.clock },
  schema: { response: Exact({ active: SigningKey, retired: Nullable(SigningKey), pruned: Type.Integer({ minimum: 0 }) }) },
  errors: [],
  async handler({ db, deps, actor }) {
    const rotation = await deps.accessTokens.rotate(db, actor, 'api');
    const now = deps.clock.now();
    return {
      active: presentSigningKey(rotation.active, now),
      retired: rotation.retired ? presentSigningKey(rotation.retired, now) : null,
      pruned: rotation.pruned,
    };
  },
});

export const signingKeyRoutes: readonly CoreRoute[] = [getJwks, getDiscovery, listSigningKeys, rotateSigningKey];
