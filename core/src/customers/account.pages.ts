import { html, pageReply, rawBody, RateLimitedError, Redirect, Reply, type RawReply, type SafeHtml, tenantPages } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { markEmailVerified } from '../auth/email-verification.js';
import { sha256 } from '../crypto/secrets.js';
import { runAsSystem } from '../db/scoped-db.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import { notificationMessages } from '../notifications/notification-messages.js';
import { accountMessages, type AccountMessage } from './account-messages.js';
import { linkIsLive, safeNext } from './customers.js';
import { pageCookieOf, pageSessionCookie, revokePageSession, startPageSession } from './page-sessions.js';
import { activeUser, auditPageSignIn, checkPassword, requestSignInLink, secondFactorOk } from './sign-in.js';

const TenantParams = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }) });
const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const SignInForm = Type.Object({ method: Text(20), email: Text(1000), password: Text(1024), otp: Text(64), next: Text(2000) });
const LinkForm = Type.Object({ token: Text(200), otp: Text(64) });
const form = { types: ['application/x-www-form-urlencoded' as const], limitBytes: 16_384 };
const pageAccess = { public: true as const, tenantParam: 'tenant', root: true, rootNotFound: tenantPages.notFound! };
const signInDeps = {
  accessTokens: kernelRefs.accessTokens,
  database: kernelRefs.database,
  identity: kernelRefs.identity,
  logger: kernelRefs.logger,
  mailer: kernelRefs.mailer,
  publicUrl: kernelRefs.publicUrl,
  rateLimiter: kernelRefs.rateLimiter,
  secretBox: kernelRefs.secretBox,
};
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A page of the tenant: its language and name. */
function accountPage(tenant: Tenant, input: { status?: number; title: string; body: SafeHtml; headers?: Record<string, string> }): RawReply {
  return pageReply({ locale: tenant.locale, brand: tenant.name, ...input });
}

const path = (tenant: Tenant, rest: string) => `/c/${encodeURIComponent(tenant.slug)}/account${rest}`;

interface SignInState {
  email?: string;
  next?: string;
  error?: AccountMessage;
  askOtp?: boolean;
}

function signInPage(tenant: Tenant, state: SignInState, status = 200): RawReply {
  const t = accountMessages.translator(tenant.locale);
  const next = html`<input type="hidden" name="next" value="${state.next ?? ''}" />`;
  const body = html` <h1>${t('signInTitle')}</h1>
    ${state.error ? html`<p class="notice error" role="alert">${t(state.error)}</p>` : html``}
    <p>${t('signInIntro')}</p>
    <form method="post" action="${path(tenant, '/sign-in')}">
      <input type="hidden" name="method" value="link" />
      ${next}
      <label for="link-email">${t('email')}</label>
      <input id="link-email" name="email" type="email" autocomplete="email" required value="${state.email ?? ''}" />
      <button type="submit">${t('sendLink')}</button>
    </form>
    <h2>${t('orPassword')}</h2>
    <form method="post" action="${path(tenant, '/sign-in')}">
      <input type="hidden" name="method" value="password" />
      ${next}
      <label for="password-email">${t('email')}</label>
      <input id="password-email" name="email" type="email" autocomplete="username" required value="${state.email ?? ''}" />
      <label for="password">${t('password')}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <label for="otp">${t('otp')}</label>
      <input id="otp" name="otp" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="64" ${state.askOtp ? html`required` : html``} />
      <button type="submit" class="secondary">${t('signInButton')}</button>
    </form>`;
  return accountPage(tenant, { status, title: t('signInTitle'), body });
}

function checkMailPage(tenant: Tenant, email: string): RawReply {
  const t = accountMessages.translator(tenant.locale);
  return accountPage(tenant, {
    status: 200,
    title: t('checkMailTitle'),
    body: html`<h1>${t('checkMailTitle')}</h1>
      <p>${t('checkMailBody', { email })}</p>`,
  });
}

function continuePage(tenant: Tenant, token: string, state: { askOtp?: boolean; error?: AccountMessage } = {}, status = 200): RawReply {
  const t = accountMessages.translator(tenant.locale);
  const body = html` <h1>${t('linkTitle', { tenant: tenant.name })}</h1>
    ${state.error ? html`<p class="notice error" role="alert">${t(state.error)}</p>` : html``}
    <p>${t('linkBody')}</p>
    <form method="post" action="${path(tenant, '/link')}">
      <input type="hidden" name="token" value="${token}" />
      ${
        state.askOtp
          ? html`<label for="otp">${t('otp')}</label>
              <input id="otp" name="otp" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="64" required />`
          : html``
      }
      <button type="submit">${t('continue')}</button>
    </form>`;
  return accountPage(tenant, { status, title: t('linkTitle', { tenant: tenant.name }), body });
}

function deadLinkPage(tenant: Tenant, status: number): RawReply {
  const t = accountMessages.translator(tenant.locale);
  const body = html` <h1>${t('linkDeadTitle')}</h1>
    <p>${t('linkDeadBody')}</p>
    <form method="post" action="${path(tenant, '/sign-in')}">
      <input type="hidden" name="method" value="link" />
      <label for="link-email">${t('email')}</label>
      <input id="link-email" name="email" type="email" autocomplete="email" required />
      <button type="submit">${t('sendNewLink')}</button>
    </form>`;
  return accountPage(tenant, { status, title: t('linkDeadTitle'), body });
}

function tooManyPage(tenant: Tenant, error: RateLimitedError): RawReply {
  const t = accountMessages.translator(tenant.locale);
  return accountPage(tenant, {
    status: 429,
    title: t('signInTitle'),
    body: html`<h1>${t('signInTitle')}</h1>
      <p class="notice error" role="alert">${t('tooMany')}</p>`,
    headers: { 'retry-after': error.headers['Retry-After'] ?? '60' },
  });
}

/** Signs the user in on the tenant's pages: a page session, its cookie, and a 303 to `next` (a page of the tenant). */
function signedInRedirect(tenant: Tenant, publicUrl: string, secret: string, next: string | undefined): RawReply {
  return Reply.redirect(safeNext(tenant.slug, next), 303, { 'set-cookie': pageSessionCookie(tenant.slug, secret, publicUrl), 'cache-control': 'no-store' });
}

export const signInPageRoute = defineRoute({
  method: 'GET',
  path: '/c/:tenant/account/sign-in',
  summary: "Page: sign in to a tenant's pages (emailed link, or email and password)",
  tag: 'account',
  ...pageAccess,
  schema: {
    params: TenantParams,
    query: Type.Object({ next: Text(2000) }),
    response: rawBody('text/html', 'The sign-in page (an unknown tenant: a 404 page)'),
  },
  errors: [],
  async handler({ tenant, query }) {
    return signInPage(tenant, { next: safeNext(tenant.slug, query.next) });
  },
});

export const signInSubmitRoute = defineRoute({
  method: 'POST',
  path: '/c/:tenant/account/sign-in',
  summary: 'Page: email a sign-in link (same answer for any email), or sign in with email and password (303 to `next`)',
  tag: 'account',
  ...pageAccess,
  body: form,
  rateLimit: { per: 'ip', max: 30, windowSeconds: 900 },
  schema: {
    params: TenantParams,
    body: SignInForm,
    response: rawBody(
      'text/html',
      'The "check your email" page; 303 once signed in; the form again with what is wrong (HTML, status 401, 422 or 429)',
      [200, 303],
    ),
  },
  deps: signInDeps,
  errors: [],
  async handler({ tenant, body, db, deps, ctx, actor }) {
    const email = (body.email ?? '').trim();
    const next = safeNext(tenant.slug, body.next);
    if (!EMAIL.test(email) || email.length > 254) return signInPage(tenant, { email, next, error: 'badEmail' }, 422);
    if (body.method !== 'password') {
      await requestSignInLink(deps, db, tenant, { email, next });
      return checkMailPage(tenant, email);
    }
    if (!body.password) return signInPage(tenant, { email, next, error: 'badPassword' }, 422);
    let outcome;
    try {
      outcome = await checkPassword(deps, db, { ip: ctx.ip, actor }, { email, password: body.password, otp: body.otp || undefined });
    } catch (error) {
      if (error instanceof RateLimitedError) return tooManyPage(tenant, error);
      throw error;
    }
    if (!outcome.ok) {
      const error = outcome.reason === 'invalid' ? 'badPassword' : outcome.reason === 'otp_required' ? 'needOtp' : 'badOtp';
      return signInPage(tenant, { email, next, error, askOtp: outcome.reason !== 'invalid' }, 401);
    }
    const secret = await startPageSession(db, { userId: outcome.user.id, tokenVersion: outcome.user.token_version, ip: ctx.ip, userAgent: actor.userAgent });
    return signedInRedirect(tenant, deps.publicUrl(), secret, next);
  },
});

export const linkPageRoute = defineRoute({
  method: 'GET',
  path: '/c/:tenant/account/link',
  summary: 'Page: a sign-in link; shows a Continue button (opening it uses nothing up), or offers a fresh link when it is used or expired',
  tag: 'account',
  ...pageAccess,
  schema: {
    params: TenantParams,
    query: Type.Object({ token: Text(200) }),
    response: rawBody('text/html', 'The Continue page; a used, expired or unknown link: an HTML page offering a fresh one, status 410'),
  },
  errors: [],
  async handler({ tenant, query, db }) {
    const token = query.token ?? '';
    if (!token || !(await linkIsLive(db, token))) return deadLinkPage(tenant, 410);
    return continuePage(tenant, token);
  },
});

export const linkRedeemRoute = defineRoute({
  method: 'POST',
  path: '/c/:tenant/account/link',
  summary: 'Page: use a sign-in link: a page session cookie and a 303 to where the link leads',
  tag: 'account',
  ...pageAccess,
  body: form,
  rateLimit: { per: 'ip', max: 30, windowSeconds: 900 },
  schema: {
    params: TenantParams,
    body: LinkForm,
    response: rawBody('text/html', '303 to the page the link leads to, signed in; a used, expired or unknown link: an HTML page, status 410', [200, 303]),
  },
  deps: signInDeps,
  errors: [],
  async handler({ tenant, body, db, deps, ctx, actor }) {
    const token = body.token ?? '';
    const link = token
      ? await db.one<{ id: string; user_id: string; next: string }>(
          'select id, user_id, next from sign_in_links where token_hash = $1 and used_at is null and expires_at > now() for update',
          [sha256(token)],
        )
      : undefined;
    const user = link ? await activeUser(deps, link.user_id) : undefined;
    if (!link || !user) return deadLinkPage(tenant, 410);
    if (user.totp_enabled) {
      if (!body.otp) return continuePage(tenant, token, { askOtp: true });
      if (!(await secondFactorOk(deps, user.id, body.otp))) return continuePage(tenant, token, { askOtp: true, error: 'badOtp' }, 401);
    }
    await db.query('update sign_in_links set used_at = now(), updated_at = now() where id = $1', [link.id]);
    // The link was mailed to the address: using it proves the address.
    await runAsSystem(deps.database, (system) => markEmailVerified(system, user.id, deps.identity));
    await auditPageSignIn(deps, actor, user.id, 'page-link');
    const secret = await startPageSession(db, { userId: user.id, tokenVersion: user.token_version, ip: ctx.ip, userAgent: ctx.get('user-agent') || null });
    return signedInRedirect(tenant, deps.publicUrl(), secret, link.next);
  },
});

export const signOutRoute = defineRoute({
  method: 'POST',
  path: '/c/:tenant/account/sign-out',
  summary: "Page: sign out of the tenant's pages (the session ends at once); 303 to the sign-in page",
  tag: 'account',
  ...pageAccess,
  body: form,
  schema: { params: TenantParams, response: Redirect(303, 'To the sign-in page, the cookie cleared') },
  deps: { publicUrl: kernelRefs.publicUrl },
  errors: [],
  async handler({ tenant, db, deps, ctx, principal }) {
    const secret = pageCookieOf(ctx.get('cookie') || undefined);
    if (secret && principal?.kind === 'user') {
      const session = await db.one<{ id: string }>('select id from page_sessions where token_hash = $1', [sha256(secret)]);
      if (session) await revokePageSession(db, session.id);
    }
    return Reply.redirect(path(tenant, '/sign-in'), 303, {
      'set-cookie': pageSessionCookie(tenant.slug, undefined, deps.publicUrl()),
      'cache-control': 'no-store',
    });
  },
});

export const accountPageRoute = defineRoute({
  method: 'GET',
  path: '/c/:tenant/account',
  summary: 'Page: who is signed in, with a sign-out button (303 to the sign-in page when nobody is)',
  tag: 'account',
  ...pageAccess,
  schema: { params: TenantParams, response: rawBody('text/html', 'The account page; 303 to sign in', [200, 303]) },
  deps: { database: kernelRefs.database },
  errors: [],
  async handler({ tenant, principal, deps }) {
    const here = path(tenant, '');
    const user = principal?.kind === 'user' ? await activeUser(deps, principal.userId) : undefined;
    if (!user) return Reply.redirect(`${path(tenant, '/sign-in')}?next=${encodeURIComponent(here)}`, 303, { 'cache-control': 'no-store' });
    const t = accountMessages.translator(tenant.locale);
    const notices = notificationMessages.translator(tenant.locale);
    const body = html` <h1>${t('accountTitle')}</h1>
      <p>${t('signedInAs', { name: user.name, email: user.email })}</p>
      <p>
        <a href="${path(tenant, '/notifications')}">${notices('inboxTitle')}</a> ·
        <a href="${path(tenant, '/notification-preferences')}">${notices('preferencesTitle')}</a>
      </p>
      <form method="post" action="${path(tenant, '/sign-out')}">
        <button type="submit" class="secondary">${t('signOut')}</button>
      </form>`;
    return accountPage(tenant, { title: t('accountTitle'), body });
  },
});

/** Core's customer pages at `/c/:tenant/account/…` (ADR 0007). */
export const accountPageRoutes: CoreRoute[] = [signInPageRoute, signInSubmitRoute, linkPageRoute, linkRedeemRoute, signOutRoute, accountPageRoute];
