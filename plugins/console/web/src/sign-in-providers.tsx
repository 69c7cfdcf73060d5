import { call } from './api';
import { identityText as t, reasonText } from './identity-messages';
import type { Location } from './router';
import { useLoad } from './ui';
import './identity.css';

/** A host sign-in provider as `GET /auth/providers` lists it. */
export interface SignInProvider {
  slug: string;
  name: string;
  kind: 'oidc' | 'google' | 'microsoft' | 'github';
}

/** Where "Continue with …" starts: the provider's flow, coming back to the page the sign-in was for. */
export function providerStartHref(slug: string, location: Location): string {
  const next = location.query.get('next');
  const returnTo = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
  return `/api/v1/auth/oidc/${encodeURIComponent(slug)}/start?return_to=${encodeURIComponent(returnTo)}`;
}

/** "Continue with Google"… on the sign-in page (issue 23): plain links, since the provider's page is a full navigation. */
export function ProviderButtons({ location }: { location: Location }) {
  const providers = useLoad(async () => (await call<SignInProvider[]>('GET', '/auth/providers', { anonymous: true })).data, []);
  if (!providers.data || providers.data.length === 0) return null;
  return (
    <nav class="provider-buttons" aria-label={t('providersLabel')}>
      <p class="provider-divider" aria-hidden="true">
        <span>{t('or')}</span>
      </p>
      <ul>
        {providers.data.map((provider) => (
          <li key={provider.slug}>
            <a class="button secondary provider-button" data-kind={provider.kind} href={providerStartHref(provider.slug, location)}>
              {t('continueWith', { name: provider.name })}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The refusal a provider sign-in came back with (`/login?error=oidc_failed&reason=…`), as a banner. */
export function SignInErrorBanner({ location }: { location: Location }) {
  if (location.query.get('error') !== 'oidc_failed') return null;
  return (
    <p class="banner error" role="alert">
      {t('refused', { reason: reasonText(location.query.get('reason') ?? 'other') })}
    </p>
  );
}
