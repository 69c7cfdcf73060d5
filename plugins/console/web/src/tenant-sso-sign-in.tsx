import { useEffect, useState } from 'preact/hooks';
import { ApiError, call } from './api';
import type { Location } from './router';
import { tenantPath } from './session';
import { ssoText as t } from './tenant-sso-messages';
import './tenant-sso.css';

/** Where an email's domain signs in (`POST /auth/sso/discover`). */
export interface SsoRoute {
  tenant: { slug: string; name: string };
  start_url: string;
  password_allowed: boolean;
}

/** A domain worth asking about: something after the `@` with a dot and a top-level label of two letters or more. */
function domainOf(email: string): string | undefined {
  const match = /^[^@\s]+@([^@\s]+\.[a-z]{2,})$/i.exec(email.trim());
  return match?.[1]?.toLowerCase();
}

const answers = new Map<string, SsoRoute | null>();

/**
 * The single sign-on the typed email's domain is routed to, or null: asked once per domain, after a short pause in
 * typing. A failed question (the rate limit, say) counts as no single sign-on: the password form still works.
 */
export function useSsoDiscovery(email: string): SsoRoute | null {
  const domain = domainOf(email);
  const [, setAnswered] = useState(0);
  useEffect(() => {
    if (!domain || answers.has(domain)) return;
    let live = true;
    const timer = setTimeout(() => {
      call<{ sso: SsoRoute | null }>('POST', '/auth/sso/discover', { body: { email: email.trim() }, anonymous: true }).then(
        ({ data }) => {
          answers.set(domain, data.sso);
          if (live) setAnswered((n) => n + 1);
        },
        () => undefined,
      );
    }, 350);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [domain]);
  return domain ? (answers.get(domain) ?? null) : null;
}

/** The single sign-on a `403 sso_required` answer names (when discovery had not answered yet). */
export function ssoOfError(error: unknown): SsoRoute | null {
  if (!(error instanceof ApiError) || error.code !== 'sso_required') return null;
  const startUrl = error.errors['sso.start_url']?.[0];
  const slug = error.errors['sso.tenant']?.[0];
  return startUrl && slug ? { tenant: { slug, name: '' }, start_url: startUrl, password_allowed: false } : null;
}

/** The address that starts the sign-in, coming back to `?next=` or to the organisation's workspace. */
export function ssoStartHref(sso: SsoRoute, location: Location): string {
  const next = location.query.get('next');
  const returnTo = next && next.startsWith('/') && !next.startsWith('//') ? next : tenantPath(sso.tenant.slug);
  return `${sso.start_url}?return_to=${encodeURIComponent(returnTo)}`;
}

/**
 * "Continue with <organisation> single sign-on" on the sign-in page, when the typed email's domain is routed to
 * one. When the organisation does not allow passwords the password step is hidden, with a way back to it (a
 * visitor of the domain who is not a member still signs in with a password).
 */
export function SsoSignIn(props: { sso: SsoRoute; location: Location; passwordHidden: boolean; onUsePassword(): void }) {
  const { sso, location, passwordHidden, onUsePassword } = props;
  const name = sso.tenant.name;
  return (
    <div class="sso-choice" role="status">
      {name && <p>{t(sso.password_allowed ? 'routed' : 'routedRequired', { tenant: name })}</p>}
      <a class={passwordHidden ? 'button' : 'button secondary'} href={ssoStartHref(sso, location)}>
        {name ? t('continueWith', { tenant: name }) : t('continueGeneric')}
      </a>
      {passwordHidden && (
        <button type="button" class="link-button" onClick={onUsePassword}>
          {t('usePassword')}
        </button>
      )}
    </div>
  );
}
