import { useState } from 'preact/hooks';
import { call, get } from './api';
import { LoadedList, Table } from './list';
import { navigate } from './router';
import { useSession } from './session';
import { sessionText as t } from './sessions-messages';
import { Dialog, DialogActions, ErrorBanner, errorsFor, Form, Submit, TextInput, useAction, useLoad, When } from './ui';
import { formatDateTime } from './format';

/** A session as `GET /me/sessions` lists it. */
export interface AccountSession {
  id: string;
  current: boolean;
  device: { browser: string | null; os: string | null; type: string | null };
  ip: string | null;
  method: 'password' | 'passkey' | 'oidc' | 'sso' | 'magic-link' | 'invitation' | 'registration';
  created_at: string;
  last_used_at: string;
}

const methodKeys = {
  password: 'methodPassword',
  passkey: 'methodPasskey',
  oidc: 'methodOidc',
  sso: 'methodSso',
  'magic-link': 'methodMagicLink',
  invitation: 'methodInvitation',
  registration: 'methodRegistration',
} as const;

/** "Chrome on Linux", "Safari", or "Unknown device". */
function deviceName(device: AccountSession['device']): string {
  if (device.browser && device.os) return t('deviceOn', { browser: device.browser, os: device.os });
  return device.browser ?? device.os ?? t('unknownDevice');
}

type Confirming = { kind: 'one'; session: AccountSession } | { kind: 'others'; count: number };

/** Where the account is signed in: end one session or all others (issue 23, H2). */
export function AccountSessions() {
  const sessions = useLoad(() => get<AccountSession[]>('/me/sessions'), []);
  const [confirming, setConfirming] = useState<Confirming>();
  const [done, setDone] = useState<string>();
  const end = useAction(async (what: Confirming) => {
    if (what.kind === 'one') {
      await call('DELETE', `/me/sessions/${what.session.id}`);
      // Signing this very session out is signing out here.
      if (what.session.current) {
        navigate('/login');
        return;
      }
      setDone(t('signedOutOne'));
    } else {
      await call('DELETE', '/me/sessions', { query: { others: 'true' } });
      setDone(t('signedOutOthers'));
    }
    setConfirming(undefined);
    sessions.reload();
  });
  const others = sessions.data?.filter((session) => !session.current).length ?? 0;
  return (
    <div class="panel" id="sessions">
      <h2>{t('sessions')}</h2>
      <p class="muted">{t('sessionsIntro')}</p>
      {done && (
        <p class="banner success" role="status">
          {done}
        </p>
      )}
      <LoadedList list={sessions} items={sessions.data} empty={t('onlyThis')}>
        {(items) => (
          <Table columns={[t('device'), t('method'), t('lastUsed')]} actions>
            {items.map((session) => {
              const name = deviceName(session.device);
              return (
                <tr key={session.id} data-session={session.id} aria-current={session.current ? 'true' : undefined}>
                  <td>
                    {name}
                    {session.current && (
                      <>
                        {' '}
                        <span class="badge">{t('thisDevice')}</span>
                      </>
                    )}
                    {session.ip && (
                      <div class="muted">
                        <span class="visually-hidden">{t('place')}: </span>
                        <bdi dir="ltr">{session.ip}</bdi>
                      </div>
                    )}
                  </td>
                  <td>{t(methodKeys[session.method])}</td>
                  <td>
                    <When value={session.last_used_at} />
                  </td>
                  <td class="row-actions">
                    <button
                      type="button"
                      class="secondary"
                      aria-label={t('signOutName', { device: name })}
                      onClick={() => {
                        setDone(undefined);
                        setConfirming({ kind: 'one', session });
                      }}
                    >
                      {t('signOut')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      </LoadedList>
      {others > 0 && (
        <p>
          <button
            type="button"
            class="danger"
            onClick={() => {
              setDone(undefined);
              setConfirming({ kind: 'others', count: others });
            }}
          >
            {t('signOutOthers')}
          </button>
        </p>
      )}
      {confirming && (
        <Dialog title={confirming.kind === 'one' ? t('confirmOneTitle') : t('confirmOthersTitle')} onClose={() => setConfirming(undefined)}>
          <Form noValidate onSubmit={() => end.run(confirming)}>
            <ErrorBanner error={end.error} />
            <p>
              {confirming.kind === 'one'
                ? t('confirmOne', {
                    device: deviceName(confirming.session.device),
                    when: formatDateTime(confirming.session.last_used_at, Intl.DateTimeFormat().resolvedOptions().timeZone),
                  })
                : t('confirmOthers', { count: confirming.count })}
            </p>
            <DialogActions onCancel={() => setConfirming(undefined)} busy={end.busy}>
              {confirming.kind === 'one' ? t('signOut') : t('signOutOthers')}
            </DialogActions>
          </Form>
        </Dialog>
      )}
    </div>
  );
}

/** On the account page: the address is not verified yet; send a new link. */
export function EmailVerificationNotice() {
  const { me } = useSession();
  const [sent, setSent] = useState(false);
  const resend = useAction(async () => {
    await call('POST', '/me/email/verification', { body: {} });
    setSent(true);
  });
  if (me.email_verified) return null;
  return (
    <div class="panel" id="verify-email">
      <h2>{t('unverifiedTitle')}</h2>
      <p>{t('unverified', { email: me.email })}</p>
      <ErrorBanner error={resend.error} />
      {sent ? (
        <p class="banner success" role="status">
          {t('resent', { email: me.email })}
        </p>
      ) : (
        <button type="button" disabled={resend.busy} aria-busy={resend.busy ? 'true' : undefined} onClick={() => void resend.run()}>
          {t('resend')}
        </button>
      )}
    </div>
  );
}

/**
 * On the account page: change the address. The form opens on demand; the new address gets a link, and replaces the
 * old one only once the link is used (the old address is told).
 */
export function EmailChange() {
  const { me } = useSession();
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState<string>();
  const change = useAction(async () => {
    const { data } = await call<{ pending_email: string }>('POST', '/me/email', { body: { email, current_password: password } });
    setPending(data.pending_email);
    setOpen(false);
    setEmail('');
    setPassword('');
  });
  return (
    <div class="panel" id="email-change">
      <h2>{t('changeEmail')}</h2>
      {pending && (
        <p class="banner success" role="status">
          {t('changeSent', { email: pending, current: me.email })}
        </p>
      )}
      {open ? (
        <Form noValidate onSubmit={change.run}>
          <ErrorBanner error={change.error} placed={['email', 'current_password']} />
          <TextInput
            id="new-email"
            label={t('newEmail')}
            type="email"
            value={email}
            onInput={setEmail}
            autoComplete="email"
            required
            errors={errorsFor(change.error, 'email')}
          />
          <TextInput
            id="email-change-password"
            label={t('currentPassword')}
            type="password"
            value={password}
            onInput={setPassword}
            autoComplete="current-password"
            required
            errors={errorsFor(change.error, 'current_password')}
          />
          <div class="dialog-actions">
            <button type="button" class="secondary" onClick={() => setOpen(false)}>
              {t('cancel')}
            </button>
            <Submit busy={change.busy}>{t('sendChangeLink')}</Submit>
          </div>
        </Form>
      ) : (
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setPending(undefined);
            setOpen(true);
          }}
        >
          {t('changeEmail')}
        </button>
      )}
    </div>
  );
}

/** The shell's slim banner while the signed-in user's address is not verified (the account page has its own notice). */
export function UnverifiedEmailBanner({ path }: { path: string }) {
  const { me } = useSession();
  if (me.email_verified || path === '/account') return null;
  return (
    <div class="banner warning unverified-banner" role="status">
      <p>
        {t('unverifiedBanner')} <a href="/account#verify-email">{t('verifyNow')}</a>
      </p>
    </div>
  );
}
