import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { call, startSession, type Tokens } from './api';
import { nextPath } from './auth';
import { passkeyText as t } from './passkeys-messages';
import { navigate, type Location } from './router';
import { ErrorBanner, useAction } from './ui';
import './passkeys.css';

/** What the browser's WebAuthn prompt threw, in the console's words: closed or timed out, a device already registered. */
function promptError(error: unknown): unknown {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError') return new Error(t('cancelled'));
  if (name === 'InvalidStateError') return new Error(t('alreadyRegistered'));
  if (name === 'NotSupportedError') return new Error(t('unsupported'));
  return error;
}

/** Asks the browser for an assertion answering a challenge of `purpose`; returns what to send with it. */
export async function passkeyAssertion(purpose: 'sign_in' | 'second_factor'): Promise<{ challenge_id: string; response: AuthenticationResponseJSON }> {
  if (!browserSupportsWebAuthn()) throw new Error(t('unsupported'));
  const { data } = await call<{ challenge_id: string; options: PublicKeyCredentialRequestOptionsJSON }>('POST', '/auth/passkeys/options', {
    body: { purpose },
    anonymous: true,
  });
  try {
    return { challenge_id: data.challenge_id, response: await startAuthentication({ optionsJSON: data.options }) };
  } catch (error) {
    throw promptError(error);
  }
}

/** Asks the browser to create a passkey for the signed-in user; returns the registration response to send. */
export async function passkeyRegistration(): Promise<RegistrationResponseJSON> {
  if (!browserSupportsWebAuthn()) throw new Error(t('unsupported'));
  const { data } = await call<{ options: PublicKeyCredentialCreationOptionsJSON }>('POST', '/me/passkeys/options', { body: {} });
  try {
    return await startRegistration({ optionsJSON: data.options });
  } catch (error) {
    throw promptError(error);
  }
}

/** "Continue with a passkey" on the sign-in page: no email, no password; the browser offers the passkeys it has for this site. */
export function PasskeySignIn({ location, onSignedIn }: { location: Location; onSignedIn(): void }) {
  const { busy, error, run } = useAction(async () => {
    const assertion = await passkeyAssertion('sign_in');
    const { data } = await call<{ tokens: Tokens }>('POST', '/auth/passkeys/verify', { body: assertion, anonymous: true });
    startSession(data.tokens);
    onSignedIn();
    navigate(nextPath(location), { replace: true });
  });
  return (
    <div class="passkey-sign-in">
      <p class="divider">
        <span>{t('or')}</span>
      </p>
      <ErrorBanner error={error} />
      <button type="button" class="secondary wide" disabled={busy} aria-busy={busy ? 'true' : undefined} onClick={() => void run()}>
        {t('signInWithPasskey')}
      </button>
    </div>
  );
}

/**
 * The one-time-code step's "Use a passkey instead": the password was right and the account has two-factor sign-in;
 * a passkey of the account answers a second-factor challenge in place of the code.
 */
export function PasskeyInstead(props: { email: string; password: string; location: Location; onSignedIn(): void }) {
  const { busy, error, run } = useAction(async () => {
    const passkey = await passkeyAssertion('second_factor');
    const { data } = await call<{ tokens: Tokens }>('POST', '/auth/login', {
      body: { email: props.email, password: props.password, passkey },
      anonymous: true,
    });
    startSession(data.tokens);
    props.onSignedIn();
    navigate(nextPath(props.location), { replace: true });
  });
  return (
    <>
      <ErrorBanner error={error} />
      <button type="button" class="secondary passkey-instead" disabled={busy} aria-busy={busy ? 'true' : undefined} onClick={() => void run()}>
        {t('usePasskeyInstead')}
      </button>
    </>
  );
}
