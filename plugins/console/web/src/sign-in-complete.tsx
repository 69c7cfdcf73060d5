import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, startSession, type Tokens } from './api';
import { AuthFrame } from './auth';
import { identityText as t, reasonText } from './identity-messages';
import { navigate, type Location } from './router';
import { ErrorBanner, Loading } from './ui';

/** The fragment's one-time code, read once: it is taken out of the address bar (and history) before anything else. */
function takeCode(): string | null {
  const code = new URLSearchParams(window.location.hash.slice(1)).get('code');
  if (window.location.hash) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return code;
}

/**
 * Where a provider sign-in lands (`/sign-in/complete#code=…`, issue 23): trades the one-time code (60 s, once) for
 * the session's tokens, as the sign-in form does, then goes where the sign-in started.
 */
export function SignInCompletePage({ onSignedIn }: { location: Location; onSignedIn(): void }) {
  const [code] = useState(takeCode);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!code) {
      setError(new Error(reasonText('code')));
      return;
    }
    let cancelled = false;
    call<{ tokens: Tokens; return_to: string }>('POST', '/auth/oidc/complete', { body: { code }, anonymous: true }).then(
      ({ data }) => {
        if (cancelled) return;
        startSession(data.tokens);
        onSignedIn();
        navigate(data.return_to.startsWith('/') && !data.return_to.startsWith('//') ? data.return_to : '/', { replace: true });
      },
      (caught: unknown) => {
        if (cancelled) return;
        const reason = caught instanceof ApiError ? caught.errors.code?.[0] : undefined;
        setError(reason ? new Error(t('refused', { reason: reasonText(reason) })) : caught);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [code]);
  return (
    <AuthFrame title={t('completeTitle')}>
      {error ? (
        <>
          <ErrorBanner error={error} />
          <p>
            <a href="/login">{t('backToSignIn')}</a>
          </p>
        </>
      ) : (
        <Loading label={t('completing')} />
      )}
    </AuthFrame>
  );
}
