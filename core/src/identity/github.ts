import type { KernelServices } from '../kernel.js';
import { OidcRefusal, type ProviderClient, type VerifiedClaims } from './oidc-flows.js';

/**
 * GitHub's sign-in is OAuth 2, not OpenID Connect: no id_token, so who signed in comes from its REST API (`GET /user`,
 * `GET /user/emails`), and the email counts only when it is the *verified primary* address. The subject is the
 * numeric user id (a login can be renamed and reused). The provider's `issuer` is the site: `https://github.com`, or a
 * GitHub Enterprise Server's base URL (its API under `/api/v3`, as a test stand-in serves it too).
 */
export function githubEndpoints(base: string): { authorize: string; token: string; api: string } {
  const site = base.replace(/\/+$/, '');
  return {
    authorize: `${site}/login/oauth/authorize`,
    token: `${site}/login/oauth/access_token`,
    api: site === 'https://github.com' ? 'https://api.github.com' : `${site}/api/v3`,
  };
}

/** The authorization URL of a GitHub flow (state, and PKCE S256, which GitHub accepts). */
export function githubAuthorizationUrl(provider: ProviderClient, options: { redirectUri: string; state: string; challenge: string }): string {
  const url = new URL(githubEndpoints(provider.issuer).authorize);
  url.searchParams.set('client_id', provider.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('scope', provider.scopes.join(' '));
  url.searchParams.set('state', options.state);
  url.searchParams.set('code_challenge', options.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('allow_signup', 'false');
  return url.toString();
}

interface GithubUser {
  id?: unknown;
  login?: unknown;
  name?: unknown;
}

interface GithubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

/** Trades the code for a token (with the PKCE verifier), then reads the user and their verified primary email. */
export async function githubClaims(
  services: Pick<KernelServices, 'httpClient'>,
  provider: ProviderClient,
  options: { code: string; redirectUri: string; verifier: string },
): Promise<VerifiedClaims> {
  const endpoints = githubEndpoints(provider.issuer);
  const call = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => {
    try {
      return await services.httpClient.fetch(url, init);
    } catch {
      throw new OidcRefusal('provider_unreachable', 'GitHub could not be reached; try again later');
    }
  };
  const form = new URLSearchParams({
    client_id: provider.clientId,
    client_secret: provider.clientSecret ?? '',
    code: options.code,
    redirect_uri: options.redirectUri,
    code_verifier: options.verifier,
  });
  const tokenResponse = await call(endpoints.token, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const token = (await tokenResponse.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown };
  if (!tokenResponse.ok || typeof token.access_token !== 'string' || token.error) {
    throw new OidcRefusal(token.error === 'bad_verification_code' ? 'code_rejected' : 'provider_error', 'GitHub did not accept the sign-in code');
  }
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${token.access_token}`,
    'user-agent': 'Plinth',
    'x-github-api-version': '2022-11-28',
  };
  const userResponse = await call(`${endpoints.api}/user`, { headers });
  const user = (await userResponse.json().catch(() => ({}))) as GithubUser;
  if (!userResponse.ok || (typeof user.id !== 'number' && typeof user.id !== 'string')) {
    throw new OidcRefusal('provider_error', 'GitHub did not say who signed in');
  }
  const emailsResponse = await call(`${endpoints.api}/user/emails`, { headers });
  const emails = emailsResponse.ok ? ((await emailsResponse.json().catch(() => [])) as GithubEmail[]) : [];
  const primary = Array.isArray(emails) ? emails.find((entry) => entry.primary === true && typeof entry.email === 'string') : undefined;
  const name = typeof user.name === 'string' && user.name.trim() ? user.name.trim() : typeof user.login === 'string' ? user.login : null;
  return {
    providerKey: provider.key,
    issuer: provider.issuer,
    subject: String(user.id),
    email: primary ? String(primary.email).trim().toLowerCase() : null,
    emailVerified: primary?.verified === true,
    name,
  };
}
