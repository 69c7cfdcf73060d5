import { useState } from 'preact/hooks';
import { call, hasSession, startSession, type Tokens } from './api';
import { AuthFrame, PasswordInput, type PageProps } from './auth';
import { navigate } from './router';
import { tenantPath } from './session';
import { ErrorBanner, errorsFor, Form, Submit, TextInput, useAction } from './ui';

/* The pages people reach from a mailed link: password reset, invitation. */

export function ForgotPasswordPage(_props: PageProps) {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction(async () => {
    await call('POST', '/auth/password/forgot', { body: { email }, anonymous: true });
    setSent(true);
  });
  return (
    <AuthFrame title="Reset your password" footer={<a href="/login">Back to sign in</a>}>
      {sent ? (
        <p class="banner success" role="status">
          If an account exists for {email}, a link to set a new password is on its way. It works for one hour.
        </p>
      ) : (
        <Form onSubmit={run}>
          <ErrorBanner error={error} placed={['email']} />
          <TextInput id="email" label="Email" type="email" value={email} onInput={setEmail} autoComplete="email" required errors={errorsFor(error, 'email')} />
          <Submit busy={busy}>Email me a link</Submit>
        </Form>
      )}
    </AuthFrame>
  );
}

export function ResetPasswordPage({ location }: PageProps) {
  const token = location.query.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction(async () => {
    await call('POST', '/auth/password/reset', { body: { token, password }, anonymous: true });
    setDone(true);
  });
  return (
    <AuthFrame title="Choose a new password" footer={<a href="/login">Back to sign in</a>}>
      {done ? (
        <p class="banner success" role="status">
          Your password is changed and every session was signed out. <a href="/login">Sign in</a> with the new password.
        </p>
      ) : (
        <Form onSubmit={run}>
          <ErrorBanner error={error} placed={['password']} />
          <PasswordInput label="New password" value={password} onInput={setPassword} error={error} />
          <Submit busy={busy}>Set password</Submit>
        </Form>
      )}
    </AuthFrame>
  );
}

export function AcceptInvitationPage({ location, onSignedIn }: PageProps) {
  const token = location.query.get('token') ?? '';
  const signedIn = hasSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction(async () => {
    const body = signedIn ? { token } : { token, name, password };
    const { data } = await call<{ tokens?: Tokens; tenant?: { slug: string }; membership?: { tenant?: { slug: string } } }>('POST', '/invitations/accept', {
      body,
      anonymous: !signedIn,
    });
    if (data.tokens) startSession(data.tokens);
    onSignedIn();
    const slug = data.tenant?.slug ?? data.membership?.tenant?.slug;
    navigate(slug ? tenantPath(slug) : '/', { replace: true });
  });
  const here = `/accept-invitation?token=${encodeURIComponent(token)}`;
  return (
    <AuthFrame title="Accept your invitation">
      {!token ? (
        <p class="banner error">This link has no invitation token; open the link from your invitation again.</p>
      ) : (
        <Form onSubmit={run}>
          <ErrorBanner error={error} placed={['name', 'password']} />
          {signedIn ? (
            <p>You are signed in; accepting adds this organisation to your account.</p>
          ) : (
            <>
              <p>
                Create your account to join, or <a href={`/login?next=${encodeURIComponent(here)}`}>sign in</a> if you already have one.
              </p>
              <TextInput id="name" label="Your name" value={name} onInput={setName} autoComplete="name" required errors={errorsFor(error, 'name')} />
              <PasswordInput label="Choose a password" value={password} onInput={setPassword} error={error} />
            </>
          )}
          <Submit busy={busy}>Accept invitation</Submit>
        </Form>
      )}
    </AuthFrame>
  );
}
