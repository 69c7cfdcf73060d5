import * as client from 'openid-client';
import type { AuditActor } from '../audit/audit.js';
import { recordHostAudit } from '../audit/audit.js';
import { randomToken, sha256 } from '../crypto/secrets.js';
import { runAsSystem, type ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import type { SignInMethod } from '../auth/sessions.js';
import { githubAuthorizationUrl, githubClaims } from './github.js';
import { hostProviderClient, signInThroughHost, linkHostIdentity } from './identity-providers.js';
import { signInThroughTenant, tenantSsoClient } from './tenant-sso.js';

/**
 * The OpenID Connect engine (issue 23): one flow for the host's providers (`:provider` = a provider's slug) and a
 * tenant's single sign-on (`sso-<tenant slug>`). A flow is a row of `oidc_flows`: the state (its hash), the nonce, the
 * PKCE verifier (sealed), single use, ten minutes. The callback validates the provider's answer with `openid-client`
 * (state, PKCE S256, the `id_token`'s issuer, audience, nonce, expiry and signature), then signs in or links; a
 * sign-in ends with a one-time code (60 s) the console trades for tokens (`POST /auth/oidc/complete`), so no token ever
 * travels in a URL. Every refusal is an {@link OidcRefusal}: audited (`auth.oidc.refused`), nothing linked or created.
 */

/** A provider as the engine needs it, from the host's providers or a tenant's single sign-on. */
export interface ProviderClient {
  /** The `:provider` of the routes: a host provider's slug, or `sso-<tenant slug>`. */
  key: string;
  /** OIDC: the issuer (discovery at `<issuer>/.well-known/openid-configuration`); github: the site's base URL. */
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  scopes: string[];
  /** `github`: OAuth 2 (no id_token): the authorize and token endpoints, then its REST API for the user and emails. */
  protocol: 'oidc' | 'github';
}

/** What the provider vouched for, once its answer is validated. */
export interface VerifiedClaims {
  providerKey: string;
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

/** A refused sign-in or link: `reason` goes to the login page (`?error=oidc_failed&reason=`) and the audit entry. */
export class OidcRefusal extends Error {
  override name = 'OidcRefusal';
  constructor(
    readonly reason: string,
    message = `Signing in with the identity provider was refused (${reason})`,
  ) {
    super(message);
  }
}

export type FlowPurpose = 'sign_in' | 'link';

/** The services the engine uses. */
export type OidcServices = Pick<
  KernelServices,
  'database' | 'secretBox' | 'publicUrl' | 'httpClient' | 'tenantAccess' | 'jobs' | 'logger' | 'identity' | 'accessTokens' | 'entitlements'
>;

/** How long a started flow may come back, and how long the one-time completion code lives. */
export const flowTtlSeconds = 600;
export const completionTtlSeconds = 60;

/** The redirect URI a provider must have registered for `key`. */
export function callbackUrl(publicUrl: string, key: string): string {
  return `${publicUrl}/api/v1/auth/oidc/${encodeURIComponent(key)}/callback`;
}

/** `return_to` as the console may be sent to: a same-site absolute path (not `//host`, not `/\host`), else `/`. */
export function safeReturnTo(value: string | undefined | null): string {
  if (!value || value.length > 512) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || [...value].some((c) => c.charCodeAt(0) < 0x20 || c === '\\')) return '/';
  return value;
}

/** A resolved provider: the client, and what it is (a host provider's id, or a tenant's slug). */
export interface ResolvedProvider {
  client: ProviderClient;
  providerId: string | null;
  tenantSlug: string | null;
}

/** The enabled provider a key names (system path), or undefined. */
export async function resolveProvider(db: ScopedDb, services: Pick<KernelServices, 'secretBox'>, key: string): Promise<ResolvedProvider | undefined> {
  if (key.startsWith('sso-')) {
    const tenantSlug = key.slice(4);
    const found = await tenantSsoClient(db, services, tenantSlug);
    return found ? { client: found, providerId: null, tenantSlug } : undefined;
  }
  const found = await hostProviderClient(db, services, key);
  return found ? { client: found.client, providerId: found.id, tenantSlug: null } : undefined;
}

/**
 * Starts a flow: stores its state, nonce and verifier and answers the provider's authorization URL. `db` is on the
 * system path. Throws {@link OidcRefusal} `unknown_provider` for a key no enabled provider has.
 */
export async function beginFlow(
  db: ScopedDb,
  services: Pick<OidcServices, 'secretBox' | 'publicUrl' | 'httpClient' | 'logger'>,
  options: { key: string; purpose: FlowPurpose; userId: string | null; returnTo: string },
): Promise<string> {
  const provider = await resolveProvider(db, services, options.key);
  if (!provider) throw new OidcRefusal('unknown_provider', 'This sign-in provider is not available');
  const state = randomToken(32);
  const nonce = randomToken(32);
  const verifier = client.randomPKCECodeVerifier();
  const challenge = await client.calculatePKCECodeChallenge(verifier);
  const redirectUri = callbackUrl(services.publicUrl(), provider.client.key);
  let url: string;
  try {
    if (provider.client.protocol === 'github') {
      url = githubAuthorizationUrl(provider.client, { redirectUri, state, challenge });
    } else {
      const config = await configurationFor(services, provider.client);
      url = client
        .buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: provider.client.scopes.join(' '),
          state,
          nonce,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        })
        .toString();
    }
  } catch (error) {
    if (error instanceof OidcRefusal) throw error;
    services.logger.warn({ err: error, provider: provider.client.key }, 'identity provider discovery failed');
    throw new OidcRefusal('provider_unreachable', 'The identity provider could not be reached; try again later');
  }
  await db.query("delete from oidc_flows where expires_at < now() - interval '1 day'");
  await db.query(
    `insert into oidc_flows (state_hash, nonce, code_verifier_enc, provider_key, purpose, user_id, return_to, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))`,
    [
      sha256(state),
      nonce,
      services.secretBox.seal(verifier),
      provider.client.key,
      options.purpose,
      options.userId,
      safeReturnTo(options.returnTo),
      flowTtlSeconds,
    ],
  );
  return url;
}

interface FlowRow {
  id: string;
  nonce: string;
  code_verifier_enc: string;
  provider_key: string;
  purpose: FlowPurpose;
  user_id: string | null;
  return_to: string;
  expired: boolean;
  used_at: Date | null;
}

/** Where the callback sends the browser, and what happened (for the caller's logs and tests). */
export interface CallbackOutcome {
  location: string;
  purpose: FlowPurpose;
  userId: string | null;
  refused: string | null;
}

/**
 * Handles the provider's redirect back (`query` is the callback's query). Never throws for what the provider or the
 * browser sent: a refusal is audited and answered as a redirect to the login page (sign-in) or the account page (link).
 */
export async function finishFlow(services: OidcServices, key: string, query: Record<string, string | undefined>, actor: AuditActor): Promise<CallbackOutcome> {
  const publicUrl = services.publicUrl();
  let flow: FlowRow | undefined;
  try {
    const state = query.state;
    if (!state) throw new OidcRefusal('state', 'The sign-in answer carries no state');
    // Claimed in its own transaction: once the provider's answer is seen, the flow is spent, whatever follows.
    flow = await runAsSystem(services.database, async (db) => {
      const row = await db.one<FlowRow>(
        `select id, nonce, code_verifier_enc, provider_key, purpose, user_id, return_to, expires_at <= now() as expired, used_at
           from oidc_flows where state_hash = $1 for update`,
        [sha256(state)],
      );
      if (!row || row.provider_key !== key) throw new OidcRefusal('state', 'The sign-in answer does not match a sign-in started here');
      if (row.used_at) throw new OidcRefusal('replayed', 'This sign-in answer was already used');
      await db.query('update oidc_flows set used_at = now() where id = $1', [row.id]);
      return row;
    });
    if (flow.expired) throw new OidcRefusal('flow_expired', 'The sign-in took too long; start again');
    const started = flow;
    const claims = await verifiedClaims(services, key, query, started);
    return await runAsSystem(services.database, async (db) => {
      const provider = await resolveProvider(db, services, key);
      if (!provider) throw new OidcRefusal('unknown_provider', 'This sign-in provider is not available');
      if (started.purpose === 'link') {
        if (!started.user_id || provider.providerId === null) throw new OidcRefusal('not_allowed', 'Only host providers can be linked');
        await linkHostIdentity(db, provider.providerId, started.user_id, claims, actor);
        return { location: `${publicUrl}/account?linked=${encodeURIComponent(key)}`, purpose: 'link', userId: started.user_id, refused: null };
      }
      let userId: string;
      let method: SignInMethod;
      if (provider.tenantSlug !== null) {
        ({ userId } = await signInThroughTenant(db, services, provider.tenantSlug, claims, actor));
        method = 'sso';
      } else {
        ({ userId } = await signInThroughHost(db, provider.providerId!, claims, actor));
        method = 'oidc';
      }
      const code = randomToken(32);
      await db.query(
        `update oidc_flows set completion_code_hash = $2, completion_expires_at = now() + make_interval(secs => $3), result_user_id = $4, method = $5
          where id = $1`,
        [started.id, sha256(code), completionTtlSeconds, userId, method],
      );
      return { location: `${publicUrl}/sign-in/complete#code=${code}`, purpose: 'sign_in', userId, refused: null };
    });
  } catch (error) {
    const refusal = error instanceof OidcRefusal ? error : undefined;
    if (!refusal) services.logger.warn({ err: error, provider: key }, 'OpenID Connect callback failed');
    const reason = refusal?.reason ?? 'provider_error';
    await runAsSystem(services.database, (db) =>
      recordHostAudit(
        db,
        { ...actor, userId: flow?.user_id ?? actor.userId ?? null },
        {
          action: 'auth.oidc.refused',
          targetType: 'identity_provider',
          targetId: key.slice(0, 200),
          data: { reason, purpose: flow?.purpose ?? null, ...(refusal ? {} : { error: String(error instanceof Error ? error.message : error).slice(0, 300) }) },
        },
      ),
    );
    const purpose = flow?.purpose ?? 'sign_in';
    const location =
      purpose === 'link'
        ? `${publicUrl}/account?link_error=${encodeURIComponent(reason)}`
        : `${publicUrl}/login?error=oidc_failed&reason=${encodeURIComponent(reason)}`;
    return { location, purpose, userId: null, refused: reason };
  }
}

/** Trades the provider's answer for verified claims: the id_token (OIDC) or GitHub's API. Refusals are {@link OidcRefusal}s. */
async function verifiedClaims(services: OidcServices, key: string, query: Record<string, string | undefined>, flow: FlowRow): Promise<VerifiedClaims> {
  if (query.error) {
    throw new OidcRefusal(query.error === 'access_denied' ? 'denied' : 'provider_error', `The identity provider answered ${query.error.slice(0, 60)}`);
  }
  const provider = await runAsSystem(services.database, (db) => resolveProvider(db, services, key));
  if (!provider) throw new OidcRefusal('unknown_provider', 'This sign-in provider is not available');
  const redirectUri = callbackUrl(services.publicUrl(), key);
  const verifier = services.secretBox.open(flow.code_verifier_enc);
  if (provider.client.protocol === 'github') {
    if (!query.code) throw new OidcRefusal('provider_error', 'The identity provider sent no code');
    return githubClaims(services, provider.client, { code: query.code, redirectUri, verifier });
  }
  const config = await configurationFor(services, provider.client).catch(() => {
    throw new OidcRefusal('provider_unreachable', 'The identity provider could not be reached; try again later');
  });
  const current = new URL(redirectUri);
  for (const [name, value] of Object.entries(query)) if (value !== undefined) current.searchParams.set(name, value);
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(
      config,
      current,
      { pkceCodeVerifier: verifier, expectedState: query.state, expectedNonce: flow.nonce, idTokenExpected: true },
      { redirect_uri: redirectUri },
    );
  } catch (error) {
    throw new OidcRefusal(refusalReason(error), 'The identity provider’s answer did not pass the checks');
  }
  const idClaims = tokens.claims();
  if (!idClaims) throw new OidcRefusal('invalid_token', 'The identity provider sent no id_token');
  let email = typeof idClaims.email === 'string' ? idClaims.email : null;
  let emailVerified = idClaims.email_verified === true;
  let name = typeof idClaims.name === 'string' ? idClaims.name : null;
  if (!emailVerified && email) emailVerified = entraVouchesForEmail(provider.client.issuer, idClaims);
  if (!email && config.serverMetadata().userinfo_endpoint) {
    // Providers that keep the scope claims to the userinfo endpoint (OIDC's default for the code flow).
    try {
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      email = typeof info.email === 'string' ? info.email : null;
      emailVerified = info.email_verified === true;
      name ??= typeof info.name === 'string' ? info.name : null;
    } catch (error) {
      throw new OidcRefusal(refusalReason(error), 'The identity provider’s user information did not pass the checks');
    }
  }
  return {
    providerKey: key,
    issuer: typeof idClaims.iss === 'string' ? idClaims.iss : provider.client.issuer,
    subject: idClaims.sub,
    email: email ? email.trim().toLowerCase() : null,
    emailVerified,
    name: name?.trim() || null,
  };
}

/**
 * Microsoft Entra ID sends no `email_verified`: its `email` may be any address a directory admin typed. It vouches
 * for the address only with the optional claim `xms_edov` ("email domain owner verified", added in the app
 * registration's token configuration); without it, a Microsoft email never links or creates an account by itself.
 */
export function entraVouchesForEmail(issuer: string, claims: Record<string, unknown>): boolean {
  let origin: string;
  try {
    origin = new URL(issuer).origin;
  } catch {
    return false;
  }
  const edov = claims.xms_edov;
  return origin === 'https://login.microsoftonline.com' && (edov === true || edov === 1 || edov === '1' || edov === 'true');
}

/** The refusal reason an openid-client error stands for: the claim that failed, the provider's error, or the step. */
export function refusalReason(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 6; depth += 1) {
    const e = current as { code?: string; claim?: string; error?: string; message?: string; cause?: unknown };
    if (e.claim === 'nonce') return 'nonce';
    if (e.claim === 'iss') return 'issuer';
    if (e.claim === 'aud' || e.claim === 'azp') return 'audience';
    if (e.claim === 'exp') return 'expired';
    if (e.claim === 'iat' || e.claim === 'auth_time' || e.claim === 'nbf') return 'invalid_token';
    if (e.code === 'OAUTH_KEY_SELECTION_FAILED' || (typeof e.message === 'string' && /signature verification failed/i.test(e.message))) return 'signature';
    if (e.error === 'access_denied') return 'denied';
    if (e.error === 'invalid_grant') return 'code_rejected';
    if (typeof e.message === 'string' && /"iss" \(issuer\)|"iss" parameter|issuer/i.test(e.message) && e.code === 'OAUTH_INVALID_RESPONSE') return 'issuer';
    if (typeof e.message === 'string' && /"state"/.test(e.message)) return 'state';
    current = e.cause;
  }
  return 'invalid_token';
}

/**
 * Trades a one-time completion code for the user it signed in (once, within 60 s). `db` is on the system path.
 * Throws {@link OidcRefusal} `code` for an unknown, used or expired code.
 */
export async function redeemCompletion(db: ScopedDb, code: string): Promise<{ userId: string; method: SignInMethod; returnTo: string }> {
  const row = await db.one<{ result_user_id: string; method: SignInMethod; return_to: string }>(
    `update oidc_flows set completion_code_hash = null
      where completion_code_hash = $1 and completion_expires_at > now() and result_user_id is not null
      returning result_user_id, method, return_to`,
    [sha256(code)],
  );
  if (!row) throw new OidcRefusal('code', 'This sign-in link is not valid or has expired; sign in again');
  return { userId: row.result_user_id, method: row.method, returnTo: row.return_to };
}

// --- openid-client configuration, per provider -------------------------------------------------------------------

const configurations = new Map<string, { config: client.Configuration; at: number }>();
const configurationTtlMs = 5 * 60 * 1000;

/** Whether an issuer is on this machine over plain HTTP (tests, development): the only case insecure requests are allowed. */
export function isLoopbackHttp(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  } catch {
    return false;
  }
}

/** openid-client's fetch, through the kernel's guarded HTTP client (no requests to private addresses; loopback when allowed). */
function guardedFetch(services: Pick<KernelServices, 'httpClient'>): client.CustomFetch {
  return async (url, options) => {
    const headers: Record<string, string> = {};
    new Headers(options.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, name) => {
      headers[name] = value;
    });
    const body = options.body === undefined || options.body === null ? undefined : typeof options.body === 'string' ? options.body : String(options.body);
    return services.httpClient.fetch(url, {
      method: options.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  };
}

/** The discovered configuration of an OIDC provider (cached five minutes per issuer, client and secret). */
async function configurationFor(services: Pick<KernelServices, 'httpClient'>, provider: ProviderClient): Promise<client.Configuration> {
  const cacheKey = [provider.issuer, provider.clientId, sha256(provider.clientSecret ?? '')].join('\u0000');
  const cached = configurations.get(cacheKey);
  if (cached && Date.now() - cached.at < configurationTtlMs) return cached.config;
  const secret = provider.clientSecret;
  // The token endpoint's client authentication: Basic when the provider lists it (or lists nothing: the default), else Post.
  const basic = secret ? client.ClientSecretBasic(secret) : client.None();
  const post = secret ? client.ClientSecretPost(secret) : client.None();
  const auth: client.ClientAuth = (as, c, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    return (!methods || methods.includes('client_secret_basic') ? basic : post)(as, c, body, headers);
  };
  const insecure = isLoopbackHttp(provider.issuer);
  const config = await client.discovery(new URL(provider.issuer), provider.clientId, secret ?? undefined, auth, {
    [client.customFetch]: guardedFetch(services),
    ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
    timeout: 10,
  });
  config[client.customFetch] = guardedFetch(services);
  // The id_token's signature is checked against the provider's JWKS too (beside TLS to its token endpoint).
  client.enableNonRepudiationChecks(config);
  configurations.set(cacheKey, { config, at: Date.now() });
  if (configurations.size > 200) configurations.delete(configurations.keys().next().value!);
  return config;
}

/** Forgets cached provider configurations (a provider was changed). */
export function forgetConfigurations(): void {
  configurations.clear();
}
