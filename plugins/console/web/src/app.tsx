import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { call, get, hasSession, onSignedOut } from './api';
import { browserLanguages, pickLanguage, setLanguage, setRegionalLocale, storedLanguage, useLanguage } from './i18n';
import { LoginPage, SignUpPage } from './auth';
import { AcceptInvitationPage, ForgotPasswordPage, ResetPasswordPage } from './auth-links';
import { VerifyEmailPage } from './verify-email';
import { SignInCompletePage } from './sign-in-complete';
import { Shell } from './layout';
import { usePluginTranslations } from './plugin-text';
import { match, navigate, useLocation, type Location } from './router';
import { routeTenantPage } from './routes';
import { loadTenantState, permitsAnywhere, publishSession, SessionContext, tenantPath, type AppSession, type Me, type TenantSession } from './session';
import { ErrorBanner, Loading } from './ui';

const publicPages: Record<string, (props: { location: Location; onSignedIn(): void }) => preact.JSX.Element> = {
  '/login': LoginPage,
  '/signup': SignUpPage,
  '/forgot-password': ForgotPasswordPage,
  '/reset-password': ResetPasswordPage,
  '/accept-invitation': AcceptInvitationPage,
  '/verify-email': VerifyEmailPage,
  '/sign-in/complete': SignInCompletePage,
};

/**
 * The console: public pages, or the signed-in shell with the page of the location. It re-renders from here when
 * the language changes, so every page shows its words in the new language.
 */
export function App() {
  useLanguage();
  usePluginTranslations();
  const location = useLocation();
  // Set on sign-in: a language chosen on the sign-in page becomes the user's if they have none yet.
  const adoptStoredLanguage = useRef(false);
  const [me, setMe] = useState<Me | undefined>(undefined);
  const [checked, setChecked] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const reloadMe = useCallback(async () => {
    if (!hasSession()) {
      setMe(undefined);
      setChecked(true);
      return;
    }
    try {
      let found = await get<Me>('/me');
      const stored = storedLanguage();
      if (adoptStoredLanguage.current && found.locale === null && stored) {
        // Best effort: a refusal leaves the user without a choice, which is where they were.
        const saved = await call<{ locale: string | null }>('PATCH', '/me', { body: { locale: stored } }).catch(() => undefined);
        if (saved) found = { ...found, locale: saved.data.locale };
      }
      adoptStoredLanguage.current = false;
      // The console is for staff: a customer membership (a shop or school the person bought from) is not a workspace here.
      setMe({ ...found, memberships: found.memberships.filter((membership) => membership.kind === 'staff') });
      setError(undefined);
    } catch (caught) {
      if (hasSession()) setError(caught);
      else setMe(undefined);
    } finally {
      setChecked(true);
    }
  }, []);

  useEffect(() => {
    void reloadMe();
    return onSignedOut(() => {
      setMe(undefined);
      navigate(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`, { replace: true });
    });
  }, [reloadMe]);

  const PublicPage = publicPages[location.path];
  useLayoutEffect(() => {
    // Signed out (or not yet known): the language chosen on this browser, else the browser's.
    if (!me) {
      setRegionalLocale(undefined);
      setLanguage(pickLanguage(storedLanguage(), ...browserLanguages()));
    }
  }, [me]);
  // Until the new session's user is loaded, show progress rather than bounce back to sign-in.
  const onSignedIn = () => {
    adoptStoredLanguage.current = true;
    setChecked(false);
    void reloadMe();
  };
  if (PublicPage) return <PublicPage location={location} onSignedIn={onSignedIn} />;
  if (!checked) return <Loading />;
  if (!me) {
    if (error) return <ErrorBanner error={error} />;
    return <Redirect to={`/login?next=${encodeURIComponent(location.path + window.location.search)}`} />;
  }
  return <SignedIn me={me} reloadMe={reloadMe} location={location} />;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** The signed-in part: the tenant of `/t/:slug/…` loaded, then the shell and the page. */
function SignedIn({ me, reloadMe, location }: { me: Me; reloadMe(): Promise<void>; location: Location }) {
  const slug = match('/t/:slug/*', location.path)?.slug ?? match('/t/:slug', location.path)?.slug;
  const [tenantState, setTenantState] = useState<{ slug: string; state?: Awaited<ReturnType<typeof loadTenantState>>; error?: unknown }>();

  const loadTenant = useCallback(async (which: string) => {
    try {
      const state = await loadTenantState(which);
      setTenantState({ slug: which, state });
    } catch (error) {
      setTenantState({ slug: which, error });
    }
  }, []);

  useEffect(() => {
    if (slug && tenantState?.slug !== slug) {
      setTenantState({ slug });
      void loadTenant(slug);
    }
  }, [slug, tenantState?.slug, loadTenant]);

  const tenant = useMemo<TenantSession | undefined>(() => {
    if (!slug || tenantState?.slug !== slug || !tenantState.state) return undefined;
    const membership = me.memberships.find((candidate) => candidate.tenant.slug === slug);
    const state = tenantState.state;
    return {
      slug,
      name: membership?.tenant.name ?? slug,
      ...state,
      can: (permission) => !permission || permitsAnywhere(state, permission),
      reload: () => loadTenant(slug),
    };
  }, [slug, tenantState, me, loadTenant]);

  // The user's choice, else the tenant's locale, else the browser's languages, else English. Pages outside a
  // tenant (the account page) keep the locale of the tenant last shown.
  const lastTenantLocale = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    if (tenant) lastTenantLocale.current = tenant.locale;
    const region = lastTenantLocale.current;
    setRegionalLocale(region);
    setLanguage(pickLanguage(me.locale, region, ...browserLanguages()));
  }, [me.locale, tenant?.locale]);

  const session = useMemo<AppSession>(() => ({ me, reloadMe, tenant }), [me, reloadMe, tenant]);
  // The shared elements (`<plinth-fields>`) render outside this tree: they read the session published here.
  useLayoutEffect(() => publishSession(session), [session]);
  useEffect(() => () => publishSession(undefined), []);
  if (location.path === '/') {
    const first = me.memberships[0];
    return <Redirect to={first ? tenantPath(first.tenant.slug) : me.is_super_admin ? '/admin' : '/tenants/new'} />;
  }
  let page;
  if (slug && tenantState?.error) page = <ErrorBanner error={tenantState.error} />;
  else if (slug && !tenant) page = <Loading />;
  else page = routeTenantPage(location, session);
  return (
    <SessionContext.Provider value={session}>
      <Shell location={location}>{page}</Shell>
    </SessionContext.Provider>
  );
}
