import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, decodeJwt, type JWTPayload, type CryptoKey } from 'jose';

/**
 * A real OpenID provider (`oidc-provider` from npm) on 127.0.0.1 for tests: discovery, authorization with PKCE, the token
 * endpoint, userinfo and JWKS are the library's own. Only the login step is the peer's: either the test says who signs in
 * next (`nextLogin(sub)`: the authorization request completes without any page), or a browser fills the peer's small
 * login form (`/interaction/<uid>`: an account select, "Sign in" and "Cancel"). Knobs break the next `id_token` the
 * token endpoint returns (wrong nonce, issuer, audience, expired, or any claims) so the relying party's checks can be tested.
 */
export interface OidcPeerClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  /** Default `client_secret_basic` (the provider's default); `client_secret_post` is also accepted. */
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post';
}

export interface OidcPeerAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface OidcPeerOptions {
  clients?: OidcPeerClient[];
  accounts?: OidcPeerAccount[];
  /** Put the scope claims (email, name) in the id_token (default true); false leaves them to the userinfo endpoint. */
  claimsInIdToken?: boolean;
}

export interface OidcPeer {
  /** `http://127.0.0.1:<port>` — the issuer identifier (discovery at `/.well-known/openid-configuration`). */
  issuer: string;
  /** Adds (or replaces) a client; e.g. once the relying party's redirect URI is known. */
  addClient(client: OidcPeerClient): void;
  /** Adds (or replaces) an account. */
  addAccount(account: OidcPeerAccount): void;
  /** The next authorization request signs this account in without a page (once). */
  nextLogin(sub: string): void;
  /** The next authorization request is refused by the "user" (`error=access_denied`), without a page (once). */
  nextDeny(): void;
  /** The next id_token is re-signed (with the provider's own key) with these claims changed (once); `undefined` removes one. */
  nextIdToken(patch: Record<string, unknown> | ((claims: JWTPayload) => JWTPayload)): void;
  nextWrongNonce(): void;
  nextWrongIssuer(): void;
  nextWrongAudience(): void;
  /** The next id_token expired five minutes ago (beyond any clock tolerance). */
  nextExpired(): void;
  /** The next id_token is signed by a key the provider does not publish (same `kid`, other key). */
  nextForeignSignature(): void;
  /**
   * Follows an authorization URL (the relying party's 302 target) through the provider with a private cookie jar, the
   * login done by `sub` (or by `nextLogin`/`nextDeny` set before), and returns the redirect back to the relying party
   * (its callback URL with `code`/`state` or `error`), not followed.
   */
  authorize(url: string, options?: { sub?: string; deny?: boolean }): Promise<string>;
  /** How many token requests the provider has answered (e.g. to see that a refused callback never redeemed a code). */
  tokenRequests(): number;
  close(): Promise<void>;
}

type Patch = Record<string, unknown> | ((claims: JWTPayload) => JWTPayload);

/** Starts a real OpenID provider on a free loopback port. */
export async function startOidcPeer(options: OidcPeerOptions = {}): Promise<OidcPeer> {
  const { default: Provider } = await import('oidc-provider');
  const clients = new Map<string, OidcPeerClient>();
  const accounts = new Map<string, OidcPeerAccount>();
  for (const client of options.clients ?? []) clients.set(client.client_id, client);
  for (const account of options.accounts ?? []) accounts.set(account.sub, account);
  let pendingLogin: { sub: string } | { deny: true } | null = null;
  let pendingPatch: Patch | null = null;
  let pendingForeign = false;
  let tokenCount = 0;

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(8).toString('hex');
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const { privateKey: foreignKey } = await generateKeyPair('RS256');

  const clientMetadata = () =>
    [...clients.values()].map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: c.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: c.token_endpoint_auth_method ?? 'client_secret_basic',
    }));

  // Clients are read through an adapter so `addClient` works after the provider started (static clients are fixed).
  const stores = new Map<string, Map<string, { payload: Record<string, unknown>; expiresAt: number | null }>>();
  class MemoryAdapter {
    private store: Map<string, { payload: Record<string, unknown>; expiresAt: number | null }>;
    constructor(private readonly model: string) {
      this.store = stores.get(model) ?? new Map();
      stores.set(model, this.store);
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      this.store.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
    }
    async find(id: string) {
      if (this.model === 'Client') return clientMetadata().find((c) => c.client_id === id);
      const entry = this.store.get(id);
      if (!entry || (entry.expiresAt !== null && entry.expiresAt < Date.now())) return undefined;
      return entry.payload;
    }
    async findByUserCode() {
      return undefined;
    }
    async findByUid(uid: string) {
      for (const [, entry] of this.store) if (entry.payload.uid === uid) return entry.payload;
      return undefined;
    }
    async consume(id: string) {
      const entry = this.store.get(id);
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      this.store.delete(id);
    }
    async revokeByGrantId(grantId: string) {
      for (const [id, entry] of this.store) if (entry.payload.grantId === grantId) this.store.delete(id);
    }
  }

  const claimsInIdToken = options.claimsInIdToken ?? true;
  const provider = new Provider(issuer, {
    adapter: MemoryAdapter,
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: !claimsInIdToken,
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          ...(account.email !== undefined ? { email: account.email } : {}),
          ...(account.email_verified !== undefined ? { email_verified: account.email_verified } : {}),
          ...(account.name !== undefined ? { name: account.name } : {}),
        }),
      };
    },
    // Every request for a client the account signed in to is consented (tests do not exercise consent).
    loadExistingGrant: async (ctx: {
      oidc: {
        result?: { consent?: { grantId?: string } };
        session: { accountId: string; grantIdFor(clientId: string): string | undefined };
        client: { clientId: string };
        provider: { Grant: GrantClass };
      };
    }) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      if (grantId) {
        const found = await oidc.provider.Grant.find(grantId);
        if (found) return found;
      }
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><title>Provider error</title></head><body><main><h1>Provider error</h1><pre>${escapeHtml(
        JSON.stringify(out),
      )}</pre></main></body></html>`;
    },
  });

  // Token endpoint: count requests, and break the id_token when a knob asks for it.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token') return;
    tokenCount += 1;
    const body = ctx.body as { id_token?: string } | undefined;
    if ((!pendingPatch && !pendingForeign) || !body?.id_token) return;
    const patch = pendingPatch ?? {};
    const key = pendingForeign ? foreignKey : privateKey;
    pendingPatch = null;
    pendingForeign = false;
    let claims: JWTPayload = decodeJwt(body.id_token);
    if (typeof patch === 'function') claims = patch(claims);
    else {
      claims = { ...claims };
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) delete (claims as Record<string, unknown>)[key];
        else (claims as Record<string, unknown>)[key] = value;
      }
    }
    body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key as CryptoKey);
    ctx.body = body;
  });

  const handleProvider = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    const match = /^\/interaction\/([^/]+)(\/(login|abort))?$/.exec(url.pathname);
    if (!match) {
      handleProvider(req, res);
      return;
    }
    handleInteraction(req, res, match[3] ?? null).catch((error: unknown) => {
      if (!res.headersSent) {
        res.statusCode = 400;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
      }
      res.end(`interaction failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  async function handleInteraction(req: IncomingMessage, res: ServerResponse, action: string | null): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (action === 'abort' && req.method === 'POST') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user cancelled.' },
        {
          mergeWithLastSubmission: false,
        },
      );
      return;
    }
    if (action === 'login' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const sub = form.get('sub') ?? '';
      if (!accounts.has(sub)) throw new Error(`unknown account ${sub}`);
      await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
      return;
    }
    if (pendingLogin) {
      const pending = pendingLogin;
      pendingLogin = null;
      const result = 'deny' in pending ? { error: 'access_denied', error_description: 'The user cancelled.' } : { login: { accountId: pending.sub } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    // A login page a browser test drives.
    const options = [...accounts.values()]
      .map((a) => `<option value="${escapeHtml(a.sub)}">${escapeHtml(a.name ?? a.sub)} (${escapeHtml(a.email ?? a.sub)})</option>`)
      .join('');
    const uid = escapeHtml(details.uid);
    res.statusCode = 200;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider sign-in</title></head><body><main>
<h1>Test provider</h1>
<form method="post" action="/interaction/${uid}/login">
<label for="sub">Account</label> <select id="sub" name="sub">${options}</select>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>
</main></body></html>`);
  }

  async function authorize(start: string, opts: { sub?: string; deny?: boolean } = {}): Promise<string> {
    if (opts.deny) pendingLogin = { deny: true };
    else if (opts.sub) pendingLogin = { sub: opts.sub };
    const jar = new Map<string, string>();
    let current = new URL(start);
    for (let hop = 0; hop < 10; hop += 1) {
      if (current.origin !== issuer) return current.toString();
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const response = await fetch(current, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq).trim();
        const value = pair!.slice(eq + 1).trim();
        if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
        else jar.set(name, value);
      }
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        throw new Error(`the provider answered ${response.status} at ${current.pathname}: ${await response.text()}`);
      }
      await response.arrayBuffer();
      current = new URL(location, current);
    }
    throw new Error('too many redirects at the provider');
  }

  return {
    issuer,
    addClient(client) {
      clients.set(client.client_id, client);
    },
    addAccount(account) {
      accounts.set(account.sub, account);
    },
    nextLogin(sub) {
      pendingLogin = { sub };
    },
    nextDeny() {
      pendingLogin = { deny: true };
    },
    nextIdToken(patch) {
      pendingPatch = patch;
    },
    nextWrongNonce() {
      pendingPatch = { nonce: randomBytes(16).toString('base64url') };
    },
    nextWrongIssuer() {
      pendingPatch = { iss: 'https://issuer.invalid' };
    },
    nextWrongAudience() {
      pendingPatch = { aud: 'someone-else' };
    },
    nextExpired() {
      const now = Math.floor(Date.now() / 1000);
      pendingPatch = { iat: now - 3600, exp: now - 300 };
    },
    nextForeignSignature() {
      pendingForeign = true;
    },
    authorize,
    tokenRequests: () => tokenCount,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface GrantInstance {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface GrantClass {
  new (init: { clientId: string; accountId: string }): GrantInstance;
  find(id: string): Promise<GrantInstance | undefined>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
