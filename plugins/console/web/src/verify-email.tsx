import { useEffect, useState } from 'preact/hooks';
import { call, hasSession } from './api';
import { AuthFrame } from './auth';
import type { Location } from './router';
import { navigate } from './router';
import { sessionText as t } from './sessions-messages';
import { ErrorBanner, Loading, useAction } from './ui';

/**
 * Where the verification link lands (`/verify-email?token=`): the token is sent once, and the page says whether the
 * address is verified. A link that cannot verify (used, expired, unknown) says why; signed in, "Send a new link" mails
 * another, signed out, the way is to sign in and ask from the account page.
 */
export function VerifyEmailPage({ location, onSignedIn }: { location: Location; onSignedIn(): void }) {
  const token = location.query.get('token') ?? '';
  const signedIn = hasSession();
  const [verified, setVerified] = useState<string>();
  const [resent, setResent] = useState<string>();
  const verify = useAction(async () => {
    const { data } = await call<{ email: string }>('POST', '/auth/email/verify', { body: { token }, anonymous: true });
    setVerified(data.email);
  });
  const resend = useAction(async () => {
    const { data } = await call<{ email: string }>('POST', '/me/email/verification', { body: {} });
    setResent(data.email);
  });
  const [started, setStarted] = useState(false);
  useEffect(() => {
    if (!token) return;
    setStarted(true);
    void verify.run();
  }, [token]);

  const goOn = () => {
    if (signedIn) {
      // The signed-in user is reloaded: the banner asking to verify goes.
      onSignedIn();
      navigate('/', { replace: true });
    } else navigate('/login', { replace: true });
  };

  return (
    <AuthFrame title={t('verifyTitle')}>
      {!token ? (
        <p class="banner error">{t('noToken')}</p>
      ) : verified ? (
        <>
          <p class="banner success" role="status">
            {t('verified', { email: verified })}
          </p>
          <button type="button" onClick={goOn}>
            {signedIn ? t('continue') : t('signIn')}
          </button>
        </>
      ) : !started || verify.busy ? (
        <Loading label={t('verifying')} />
      ) : verify.error ? (
        <>
          <p>{t('linkFailed')}</p>
          <ErrorBanner error={verify.error} />
          {signedIn ? (
            resent ? (
              <p class="banner success" role="status">
                {t('resent', { email: resent })}
              </p>
            ) : (
              <>
                <ErrorBanner error={resend.error} />
                <button type="button" disabled={resend.busy} aria-busy={resend.busy ? 'true' : undefined} onClick={() => void resend.run()}>
                  {t('resend')}
                </button>
              </>
            )
          ) : (
            <p>
              <a href={`/login?next=${encodeURIComponent('/account')}`}>{t('askNew')}</a>
            </p>
          )}
        </>
      ) : (
        <Loading label={t('verifying')} />
      )}
    </AuthFrame>
  );
}
