import { useState } from 'preact/hooks';
import { call } from './api';
import { useSession } from './session';
import { CopyButton, ErrorBanner, errorsFor, Form, PageHeader, Submit, TextInput, useAction } from './ui';

/** The signed-in user's profile and two-factor sign-in. */
export function AccountPage() {
  const { me, reloadMe } = useSession();
  const [name, setName] = useState(me.name);
  const [saved, setSaved] = useState(false);
  const profile = useAction(async () => {
    await call('PATCH', '/me', { body: { name } });
    await reloadMe();
    setSaved(true);
  });
  return (
    <section class="narrow">
      <PageHeader title="Your account" />
      <p class="muted">{me.email}</p>
      <Form
        class="panel"
        noValidate
        onSubmit={() => {
          setSaved(false);
          void profile.run();
        }}
      >
        <h2>Profile</h2>
        <ErrorBanner error={profile.error} placed={['name']} />
        {saved && (
          <p class="banner success" role="status">
            Saved.
          </p>
        )}
        <TextInput id="profile-name" label="Name" value={name} onInput={setName} required errors={errorsFor(profile.error, 'name')} />
        <Submit busy={profile.busy}>Save</Submit>
      </Form>
      <TwoFactor />
    </section>
  );
}

function TwoFactor() {
  const { me, reloadMe } = useSession();
  const [setup, setSetup] = useState<{ secret: string; otpauth_url: string }>();
  const [codes, setCodes] = useState<string[]>();
  const [otp, setOtp] = useState('');
  const [password, setPassword] = useState('');
  const start = useAction(async () => {
    setSetup((await call<{ secret: string; otpauth_url: string }>('POST', '/auth/2fa/setup', { body: {} })).data);
  });
  const enable = useAction(async () => {
    const { data } = await call<{ recovery_codes: string[] }>('POST', '/auth/2fa/enable', { body: { otp } });
    setCodes(data.recovery_codes);
    setSetup(undefined);
    setOtp('');
    await reloadMe();
  });
  const disable = useAction(async () => {
    await call('POST', '/auth/2fa/disable', { body: { password, otp } });
    setOtp('');
    setPassword('');
    await reloadMe();
  });
  return (
    <div class="panel">
      <h2>Two-factor sign-in</h2>
      {codes && (
        <div class="banner success" role="status">
          <p>
            <strong>Two-factor sign-in is on.</strong> Keep these recovery codes somewhere safe; each works once, and they are shown only now:
          </p>
          <pre id="recovery-codes">{codes.join('\n')}</pre>
          <CopyButton text={codes.join('\n')} label="Copy codes" />
        </div>
      )}
      {me.totp_enabled ? (
        <Form noValidate onSubmit={disable.run}>
          <p>Two-factor sign-in is on. To turn it off, confirm with your password and a current code (or a recovery code).</p>
          <ErrorBanner error={disable.error} placed={['password', 'otp']} />
          <TextInput
            id="disable-password"
            label="Password"
            type="password"
            value={password}
            onInput={setPassword}
            autoComplete="current-password"
            errors={errorsFor(disable.error, 'password')}
          />
          <TextInput id="disable-otp" label="Code" value={otp} onInput={setOtp} autoComplete="one-time-code" errors={errorsFor(disable.error, 'otp')} />
          <Submit busy={disable.busy}>Turn off</Submit>
        </Form>
      ) : setup ? (
        <Form noValidate onSubmit={enable.run}>
          <p>Add this key to your authenticator app (or open the link on your phone), then enter the 6-digit code it shows.</p>
          <p>
            Key: <code id="totp-secret">{setup.secret}</code> <CopyButton text={setup.secret} />
          </p>
          <p>
            <a href={setup.otpauth_url}>Open in an authenticator app</a>
          </p>
          <ErrorBanner error={enable.error} placed={['otp']} />
          <TextInput id="enable-otp" label="Code" value={otp} onInput={setOtp} autoComplete="one-time-code" errors={errorsFor(enable.error, 'otp')} />
          <Submit busy={enable.busy}>Turn on</Submit>
        </Form>
      ) : (
        <>
          <p>Protect your account with a code from an authenticator app at each sign-in.</p>
          <ErrorBanner error={start.error} />
          <button type="button" disabled={start.busy} onClick={() => void start.run()}>
            Set up two-factor sign-in
          </button>
        </>
      )}
    </div>
  );
}
