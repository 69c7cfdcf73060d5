import { useState } from 'preact/hooks';
import { call } from './api';
import { preferenceText as t } from './notifications-preferences-messages';
import { ErrorBanner, errorsFor, Form, Submit, TextInput, useAction } from './ui';

/** The person's phone number, as the preferences answer it. */
export interface PhoneState {
  number: string | null;
  verified: boolean;
}

/** An E.164 number shown left to right whatever the page's direction. */
const ltr = (phone: string) => `\u2066${phone}\u2069`;

/**
 * The phone number SMS and WhatsApp notifications go to: added with a code sent to it (through the workspace's SMS
 * channel), verified, changed or removed.
 */
export function NotificationPhone({ tenant, phone }: { tenant: string; phone: PhoneState }) {
  const [current, setCurrent] = useState(phone);
  const [editing, setEditing] = useState(false);
  const [pending, setPending] = useState<string>();
  const [number, setNumber] = useState('');
  const [code, setCode] = useState('');
  const [done, setDone] = useState<string>();
  const send = useAction(async (to: string) => {
    setDone(undefined);
    await call('PUT', '/me/phone', { tenant, body: { phone: to } });
    // Set, not verified yet: nothing is sent to it until the code comes back.
    setCurrent({ number: to, verified: false });
    setPending(to);
    setCode('');
    setEditing(false);
  });
  const verify = useAction(async () => {
    setDone(undefined);
    const { data } = await call<PhoneState>('POST', '/me/phone/verify', { tenant, body: { code } });
    setCurrent(data);
    setPending(undefined);
    setNumber('');
    if (data.number) setDone(t('verifiedNow', { phone: ltr(data.number) }));
  });
  const remove = useAction(async () => {
    if (!current.number || !window.confirm(t('removeConfirm', { phone: ltr(current.number) }))) return;
    setDone(undefined);
    await call('DELETE', '/me/phone', { tenant });
    setCurrent({ number: null, verified: false });
    setDone(t('removed'));
  });
  const cancel = () => {
    setPending(undefined);
    setEditing(false);
    send.setError(undefined);
    verify.setError(undefined);
  };
  return (
    <div class="panel" id="phone">
      <h2>{t('phone')}</h2>
      <p class="muted">{t('phoneIntro')}</p>
      {done && (
        <p class="banner success" role="status">
          {done}
        </p>
      )}
      <ErrorBanner error={remove.error} />
      {pending ? (
        <Form noValidate onSubmit={verify.run}>
          <p role="status">{t('codeSent', { phone: ltr(pending) })}</p>
          <ErrorBanner error={verify.error ?? send.error} placed={['code']} />
          <TextInput
            id="phone-code"
            label={t('code')}
            hint={t('codeHint')}
            value={code}
            onInput={setCode}
            autoComplete="one-time-code"
            required
            errors={errorsFor(verify.error, 'code')}
          />
          <div class="form-actions">
            <Submit busy={verify.busy}>{t('verify')}</Submit>
            <button type="button" class="secondary" disabled={send.busy} onClick={() => void send.run(pending)}>
              {t('resend')}
            </button>
            <button type="button" class="secondary" onClick={cancel}>
              {t('cancel')}
            </button>
          </div>
        </Form>
      ) : current.number && !editing ? (
        <>
          <p class="phone-number">
            <bdi dir="ltr">{current.number}</bdi>{' '}
            {current.verified ? <span class="badge on">{t('verified')}</span> : <span class="badge warn">{t('notVerified')}</span>}
          </p>
          <ErrorBanner error={send.error} />
          <div class="form-actions">
            {!current.verified && (
              <button type="button" disabled={send.busy} onClick={() => void send.run(current.number!)}>
                {t('sendCode')}
              </button>
            )}
            <button type="button" class="secondary" onClick={() => setEditing(true)}>
              {t('change')}
            </button>
            <button type="button" class="danger" disabled={remove.busy} onClick={() => void remove.run()}>
              {t('remove')}
            </button>
          </div>
        </>
      ) : (
        <Form noValidate onSubmit={() => send.run(number.trim())}>
          <ErrorBanner error={send.error} placed={['phone']} />
          <TextInput
            id="phone-number"
            label={t('phoneLabel')}
            hint={t('phoneHint', { example: ltr('+201001234567') })}
            type="tel"
            value={number}
            onInput={setNumber}
            autoComplete="tel"
            required
            errors={errorsFor(send.error, 'phone')}
          />
          <div class="form-actions">
            <Submit busy={send.busy}>{t('sendCode')}</Submit>
            {editing && (
              <button type="button" class="secondary" onClick={cancel}>
                {t('cancel')}
              </button>
            )}
          </div>
        </Form>
      )}
    </div>
  );
}
