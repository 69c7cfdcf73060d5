import { commonErrors, NotFoundError, Redirect, toJson } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { recordHostAudit } from '../audit/audit.js';
import { userFields, type UserRow } from '../auth/auth.routes.js';
import { startSession } from '../auth/sessions.js';
import { runAsSystem } from '../db/scoped-db.js';
import { coreErrors } from '../http/core-errors.js';
import { Exact, NoContent, Nullable, Timestamp, TokenPair, User, Uuid } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { hasOtherSignInMethod, providerKinds } from './identity-providers.js';
import { beginFlow, finishFlow, OidcRefusal, redeemCompletion, safeReturnTo } from './oidc-flows.js';

/** `:provider`: a host provider's slug, or `sso-<tenant slug>`. */
const ProviderParams = Type.Object({ provider: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,79}$' }) });

const Kind = Type.Union(providerKinds.map((kind) => Type.Literal(kind)));

const noStore = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

export const listSignInProviders = defineRoute({
  method: 'GET',
  path: '/auth/providers',
  summary: 'The host’s enabled sign-in providers, for the sign-in page’s “Continue with …” buttons',
  tag: 'auth',
  public: true,
  schema: { response: Type.Array(Exact({ slug: Type.String(), name: Type.String(), kind: Kind })) },
  errors: [],
  async handler({ db }) {
    return db.query<{ slug: string; name: string; kind: (typeof providerKinds)[number] }>(
      'select slug, name, kind from identity_providers where enabled order by name, slug',
    );
  },
});

// Starting and calling back are limited as a flood guard only: a school behind one address signs many people in at once.
export const startOidc = defineRoute({
  method: 'GET',
  path: '/auth/oidc/:provider/start',
  summary: 'Start signing in with an identity provider: a redirect to it (`return_to`: a console path to come back to)',
  tag: 'auth',
  public: true,
  rateLimit: { per: 'ip', max: 600, windowSeconds: 900 },
  schema: {
    params: ProviderParams,
    query: Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 512 })) }, { additionalProperties: false }),
    response: Redirect(302, 'To the provider’s authorization page; to `/login?error=oidc_failed&reason=…` when the provider is unknown or unreachable'),
  },
  deps: { secretBox: kernelRefs.secretBox, publicUrl: kernelRefs.publicUrl, httpClient: kernelRefs.httpClient, logger: kernelRefs.logger },
  errors: [],
  async handler({ params, query, db, deps }) {
    try {
      const url = await beginFlow(db, deps, { key: params.provider, purpose: 'sign_in', userId: null, returnTo: safeReturnTo(query.return_to) });
      return Reply.redirect(url, 302, noStore);
    } catch (error) {
      if (!(error instanceof OidcRefusal)) throw error;
      return Reply.redirect(`${deps.publicUrl()}/login?error=oidc_failed&reason=${encodeURIComponent(error.reason)}`, 302, noStore);
    }
  },
});

const CallbackQuery = Type.Object(
  {
    state: Type.Optional(Type.String({ maxLength: 512 })),
    code: Type.Optional(Type.String({ maxLength: 4096 })),
    error: Type.Optional(Type.String({ maxLength: 256 })),
    error_description: Type.Optional(Type.String({ maxLength: 2048 })),
    error_uri: Type.Optional(Type.String({ maxLength: 2048 })),
    iss: Type.Optional(Type.String({ maxLength: 512 })),
  },
  // Providers add their own parameters (`scope`, `session_state`, `authuser`, `hd`, …): passed on, ignored.
  { additionalProperties: Type.String({ maxLength: 2048 }) },
);

export const oidcCallback = defineRoute({
  method: 'GET',
  path: '/auth/oidc/:provider/callback',
  summary: 'Where the identity provider sends the browser back (the redirect URI to register at the provider)',
  tag: 'auth',
  public: true,
  rateLimit: { per: 'ip', max: 600, windowSeconds: 900 },
  schema: {
    params: ProviderParams,
    query: CallbackQuery,
    response: Redirect(
      302,
      'Signed in: to `/sign-in/complete#code=…` (a one-time code for `POST /auth/oidc/complete`). Linked: to `/account?linked=…`. Refused: to `/login?error=oidc_failed&reason=…` (or `/account?link_error=…`), audited',
    ),
  },
  deps: {
    database: kernelRefs.database,
    secretBox: kernelRefs.secretBox,
    publicUrl: kernelRefs.publicUrl,
    httpClient: kernelRefs.httpClient,
    tenantAccess: kernelRefs.tenantAccess,
    jobs: kernelRefs.jobs,
    logger: kernelRefs.logger,
    identity: kernelRefs.identity,
    accessTokens: kernelRefs.accessTokens,
    entitlements: kernelRefs.entitlements,
  },
  errors: [],
  async handler({ params, query, deps, actor }) {
    const outcome = await finishFlow(deps, params.provider, query as Record<string, string | undefined>, actor);
    return Reply.redirect(outcome.location, 302, noStore);
  },
});

export const completeOidc = defineRoute({
  method: 'POST',
  path: '/auth/oidc/complete',
  summary: 'Trade the one-time code of a provider sign-in (60 s, once) for the session’s tokens',
  tag: 'auth',
  public: true,
  rateLimit: { per: 'ip', max: 300, windowSeconds: 900 },
  schema: {
    body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
    response: Exact({ user: User, tokens: TokenPair, return_to: Type.String({ description: 'The console path the sign-in started from' }) }),
  },
  deps: { accessTokens: kernelRefs.accessTokens, identity: kernelRefs.identity, database: kernelRefs.database },
  errors: [coreErrors.oidc_failed],
  async handler({ body, db, deps, actor }) {
    let redeemed: Awaited<ReturnType<typeof redeemCompletion>>;
    try {
      redeemed = await redeemCompletion(db, body.code);
    } catch (error) {
      if (!(error instanceof OidcRefusal)) throw error;
      // Its own transaction: the entry must survive the 400 that rolls the request back.
      await runAsSystem(deps.database, (system) =>
        recordHostAudit(system, actor, { action: 'auth.oidc.refused', targetType: 'identity_provider', data: { reason: error.reason, step: 'complete' } }),
      );
      throw coreErrors.oidc_failed('This sign-in link is not valid or has expired; sign in again', { errors: { code: [error.reason] } });
    }
    const user = await db.one<UserRow & { token_version: number }>(`select ${userFields}, token_version from users where id = $1 and status = 'active'`, [
      redeemed.userId,
    ]);
    if (!user) throw coreErrors.oidc_failed('This sign-in link is not valid or has expired; sign in again', { errors: { code: ['account_disabled'] } });
    const tokens = await startSession(db, deps, user, { ...actor, userId: user.id }, redeemed.method);
    const { token_version: _version, ...publicUser } = user;
    return { user: toJson(publicUser), tokens, return_to: safeReturnTo(redeemed.returnTo) };
  },
});

const LinkedIdentity = Exact({
  id: Uuid,
  provider: Nullable(Exact({ slug: Type.String(), name: Type.String(), kind: Kind }), { description: 'A host provider (null for a tenant’s single sign-on)' }),
  tenant: Nullable(Exact({ slug: Type.String(), name: Type.String() }), { description: 'The tenant whose single sign-on this is (null for a host provider)' }),
  email: Nullable(Type.String()),
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
});

interface IdentityRow {
  id: string;
  provider_slug: string | null;
  provider_name: string | null;
  provider_kind: (typeof providerKinds)[number] | null;
  tenant_slug: string | null;
  tenant_name: string | null;
  email: string | null;
  created_at: Date;
  last_used_at: Date | null;
}

export const listMyIdentities = defineRoute({
  method: 'GET',
  path: '/me/identities',
  summary: 'The accounts at identity providers linked to mine',
  tag: 'me',
  user: true,
  schema: { response: Type.Array(LinkedIdentity) },
  errors: [],
  async handler({ db, principal }) {
    const rows = await db.query<IdentityRow>(
      `select i.id, p.slug as provider_slug, p.name as provider_name, p.kind as provider_kind, t.slug as tenant_slug, t.name as tenant_name,
              i.email, i.created_at, i.last_used_at
         from user_identities i left join identity_providers p on p.id = i.provider_id left join tenants t on t.id = i.sso_tenant_id
        where i.user_id = $1 order by i.created_at, i.id`,
      [principal.userId],
    );
    return rows.map((row) =>
      toJson({
        id: row.id,
        provider: row.provider_slug ? { slug: row.provider_slug, name: row.provider_name!, kind: row.provider_kind! } : null,
        tenant: row.tenant_slug ? { slug: row.tenant_slug, name: row.tenant_name! } : null,
        email: row.email,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
      }),
    );
  },
});

export const linkIdentity = defineRoute({
  method: 'POST',
  path: '/me/identities',
  summary: 'Start linking an account at a host provider: answers the provider’s authorization URL to open',
  tag: 'me',
  user: true,
  rateLimit: { per: 'principal', max: 30, windowSeconds: 900 },
  schema: {
    body: Type.Object({ provider: Type.String({ pattern: '^[a-z][a-z0-9-]{1,30}$' }) }, { additionalProperties: false }),
    response: Exact({
      url: Type.String({ description: 'Open it in the browser; the provider sends the browser back to `/account?linked=…` or `?link_error=…`' }),
    }),
  },
  deps: { secretBox: kernelRefs.secretBox, publicUrl: kernelRefs.publicUrl, httpClient: kernelRefs.httpClient, logger: kernelRefs.logger },
  errors: [coreErrors.oidc_failed, commonErrors.not_found],
  async handler({ body, db, deps, principal }) {
    if (body.provider.startsWith('sso-')) throw new NotFoundError('Sign-in provider not found');
    try {
      const url = await beginFlow(db, deps, { key: body.provider, purpose: 'link', userId: principal.userId, returnTo: '/account' });
      return { url };
    } catch (error) {
      if (!(error instanceof OidcRefusal)) throw error;
      if (error.reason === 'unknown_provider') throw new NotFoundError('Sign-in provider not found');
      throw coreErrors.oidc_failed(undefined, { errors: { provider: [error.reason] } });
    }
  },
});

export const unlinkIdentity = defineRoute({
  method: 'DELETE',
  path: '/me/identities/:id',
  summary: 'Unlink an account at an identity provider (not the last way to sign in)',
  tag: 'me',
  user: true,
  schema: { params: Type.Object({ id: Uuid }), response: NoContent },
  deps: { identity: kernelRefs.identity },
  errors: [coreErrors.last_sign_in_method],
  async handler({ params, db, principal, actor }) {
    // The user row is locked so two unlinks (or an unlink and a passkey removal) cannot both leave nothing.
    await db.query('select 1 from users where id = $1 for update', [principal.userId]);
    const identity = await db.one<{ id: string; provider_id: string | null; tenant_id: string | null }>(
      'select id, provider_id, sso_tenant_id as tenant_id from user_identities where id = $1 and user_id = $2',
      [params.id, principal.userId],
    );
    if (!identity) throw new NotFoundError('Linked account not found');
    if (!(await hasOtherSignInMethod(db, principal.userId, identity.id))) throw coreErrors.last_sign_in_method();
    await db.query('delete from user_identities where id = $1', [identity.id]);
    await recordHostAudit(db, actor, {
      action: 'auth.oidc.unlinked',
      targetType: 'user',
      targetId: principal.userId,
      ...(identity.tenant_id ? { tenantId: identity.tenant_id } : {}),
      data: { identity_id: identity.id, provider_id: identity.provider_id, tenant_id: identity.tenant_id },
    });
    return Reply.noContent();
  },
});

export const oidcRoutes: CoreRoute[] = [listSignInProviders, startOidc, oidcCallback, completeOidc, listMyIdentities, linkIdentity, unlinkIdentity];
