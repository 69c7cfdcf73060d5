import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small stand-in for GitHub's OAuth app sign-in on 127.0.0.1 (real HTTP), laid out as a GitHub Enterprise Server:
 * `GET /login/oauth/authorize` (a page with "Authorize" and "Cancel", or no page after `nextLogin`),
 * `POST /login/oauth/access_token` (form or JSON in, JSON out with `Accept: application/json`, errors as 200
 * `{ error }` like GitHub; the PKCE verifier is checked when a challenge was sent), and under `/api/v3` the REST
 * API's `GET /user` and `GET /user/emails` for a bearer token. Codes live 10 minutes and are spent once, as GitHub's.
 */
export interface GithubPeerUser {
  id: number;
  login: string;
  name?: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface GithubPeer {
  /** The site's base URL (the provider's `issuer`): endpoints under it, the API under `/api/v3`. */
  url: string;
  addClient(client: { client_id: string; client_secret: string; redirect_uri: string }): void;
  addUser(user: GithubPeerUser): void;
  nextLogin(login: string): void;
  nextDeny(): void;
  /** Follows the authorization URL, authorizing as `login` (or denying), and returns the redirect back, not followed. */
  authorize(url: string, options?: { login?: string; deny?: boolean }): Promise<string>;
  close(): Promise<void>;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  login: string;
  challenge: string | null;
  expiresAt: number;
}

export async function startGithubPeer(
  options: { clients?: { client_id: string; client_secret: string; redirect_uri: string }[]; users?: GithubPeerUser[] } = {},
): Promise<GithubPeer> {
  const clients = new Map<string, { client_id: string; client_secret: string; redirect_uri: string }>();
  const users = new Map<string, GithubPeerUser>();
  for (const client of options.clients ?? []) clients.set(client.client_id, client);
  for (const user of options.users ?? []) users.set(user.login, user);
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, string>();
  let pending: { login: string } | { deny: true } | null = null;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function json(res: ServerResponse, status: number, body: unknown) {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }

  function redirectBack(res: ServerResponse, redirectUri: string, params: Record<string, string>) {
    const target = new URL(redirectUri);
    for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
    res.statusCode = 302;
    res.setHeader('location', target.toString());
    res.end();
  }

  function issueCode(res: ServerResponse, query: URLSearchParams, login: string) {
    const code = randomBytes(10).toString('hex');
    codes.set(code, {
      clientId: query.get('client_id')!,
      redirectUri: query.get('redirect_uri')!,
      login,
      challenge: query.get('code_challenge'),
      expiresAt: Date.now() + 600_000,
    });
    redirectBack(res, query.get('redirect_uri')!, { code, state: query.get('state') ?? '' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const requestUrl = new URL(req.url ?? '/', url);
    const path = requestUrl.pathname;
    if (path === '/login/oauth/authorize' && req.method === 'GET') {
      const query = requestUrl.searchParams;
      const client = clients.get(query.get('client_id') ?? '');
      if (!client || query.get('redirect_uri') !== client.redirect_uri) {
        res.statusCode = 400;
        res.end('The redirect_uri MUST match the registered callback URL for this application.');
        return;
      }
      if (pending) {
        const next = pending;
        pending = null;
        if ('deny' in next)
          redirectBack(res, client.redirect_uri, {
            error: 'access_denied',
            error_description: 'The user has denied your application access.',
            state: query.get('state') ?? '',
          });
        else issueCode(res, query, next.login);
        return;
      }
      const options = [...users.values()].map((u) => `<option value="${escapeHtml(u.login)}">${escapeHtml(u.login)}</option>`).join('');
      const hidden = [...query].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize application</title></head><body><main>
<h1>Authorize application</h1>
<form method="post" action="/login/oauth/authorize/decide">${hidden}
<label for="login">Account</label> <select id="login" name="login">${options}</select>
<button type="submit" name="decision" value="authorize">Authorize</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form></main></body></html>`);
      return;
    }
    if (path === '/login/oauth/authorize/decide' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const client = clients.get(form.get('client_id') ?? '');
      if (!client || form.get('redirect_uri') !== client.redirect_uri) {
        res.statusCode = 400;
        res.end('bad request');
        return;
      }
      if (form.get('decision') !== 'authorize') {
        redirectBack(res, client.redirect_uri, { error: 'access_denied', state: form.get('state') ?? '' });
        return;
      }
      issueCode(res, form, form.get('login') ?? '');
      return;
    }
    if (path === '/login/oauth/access_token' && req.method === 'POST') {
      const raw = await readBody(req);
      const form = (req.headers['content-type'] ?? '').includes('json')
        ? new URLSearchParams(JSON.parse(raw) as Record<string, string>)
        : new URLSearchParams(raw);
      const client = clients.get(form.get('client_id') ?? '');
      if (!client || client.client_secret !== form.get('client_secret')) return json(res, 200, { error: 'incorrect_client_credentials' });
      const code = form.get('code') ?? '';
      const grant = codes.get(code);
      codes.delete(code);
      if (!grant || grant.expiresAt < Date.now() || grant.clientId !== client.client_id) return json(res, 200, { error: 'bad_verification_code' });
      if (form.get('redirect_uri') && form.get('redirect_uri') !== grant.redirectUri) return json(res, 200, { error: 'redirect_uri_mismatch' });
      if (grant.challenge) {
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return json(res, 200, { error: 'bad_verification_code' });
      }
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.set(token, grant.login);
      return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    if ((path === '/api/v3/user' || path === '/api/v3/user/emails') && req.method === 'GET') {
      const token = /^(?:Bearer|token) (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const user = token ? users.get(tokens.get(token) ?? '') : undefined;
      if (!user) return json(res, 401, { message: 'Bad credentials' });
      if (path === '/api/v3/user') return json(res, 200, { id: user.id, login: user.login, name: user.name ?? null, email: null });
      return json(
        res,
        200,
        user.emails.map((e) => ({ ...e, visibility: e.primary ? 'private' : null })),
      );
    }
    json(res, 404, { message: 'Not Found' });
  }

  async function authorize(start: string, opts: { login?: string; deny?: boolean } = {}): Promise<string> {
    if (opts.deny) pending = { deny: true };
    else if (opts.login) pending = { login: opts.login };
    const response = await fetch(start, { redirect: 'manual' });
    const location = response.headers.get('location');
    await response.arrayBuffer();
    if (!location) throw new Error(`the GitHub stand-in answered ${response.status}`);
    return location;
  }

  return {
    url,
    addClient(client) {
      clients.set(client.client_id, client);
    },
    addUser(user) {
      users.set(user.login, user);
    },
    nextLogin(login) {
      pending = { login };
    },
    nextDeny() {
      pending = { deny: true };
    },
    authorize,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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
