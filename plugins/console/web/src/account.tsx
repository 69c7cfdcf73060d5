import { useState } from 'preact/hooks';
import { call } from './api';
import { defineMessages, languageOf, setLanguage, storeLanguage } from './i18n';
import { AccountIdentities } from './account-identities';
import { AccountPasskeys } from './account-passkeys';
import { AccountSessions, EmailChange, EmailVerificationNotice } from './account-sessions';
import { LanguageOptions } from './language-picker';
import { AccountNotifications } from './notifications-account';
import { useSession } from './session';
import { CopyButton, ErrorBanner, errorsFor, Field, Form, PageHeader, Submit, TextInput, useAction } from './ui';

const t = defineMessages({
  en: {
    title: 'Your account',
    profile: 'Profile',
    saved: 'Saved.',
    name: 'Name',
    save: 'Save',
    language: 'Language',
    yourLanguage: 'Your language',
    automatic: 'Automatic',
    languageHint: 'The language of the console and of its messages. Automatic: the workspace’s language, else your browser’s.',
    twoFactor: 'Two-factor sign-in',
    codesShown: '<strong>Two-factor sign-in is on.</strong> Keep these recovery codes somewhere safe; each works once, and they are shown only now:',
    copyCodes: 'Copy codes',
    turnOffIntro: 'Two-factor sign-in is on. To turn it off, confirm with your password and a current code (or a recovery code).',
    password: 'Password',
    code: 'Code',
    turnOff: 'Turn off',
    addKey: 'Add this key to your authenticator app (or open the link on your phone), then enter the 6-digit code it shows.',
    key: 'Key:',
    openApp: 'Open in an authenticator app',
    turnOn: 'Turn on',
    protect: 'Protect your account with a code from an authenticator app at each sign-in.',
    setUp: 'Set up two-factor sign-in',
  },
  ar: {
    title: 'حسابك',
    profile: 'الملف الشخصي',
    saved: 'تم الحفظ.',
    name: 'الاسم',
    save: 'حفظ',
    language: 'اللغة',
    yourLanguage: 'لغتك',
    automatic: 'تلقائي',
    languageHint: 'لغة وحدة التحكم ورسائلها. تلقائي: لغة مساحة العمل، وإلا فلغة متصفحك.',
    twoFactor: 'تسجيل الدخول بخطوتين',
    codesShown: '<strong>تسجيل الدخول بخطوتين مفعّل.</strong> احفظ رموز الاسترداد هذه في مكان آمن؛ كل رمز يعمل مرة واحدة، ولن تظهر إلا الآن:',
    copyCodes: 'نسخ الرموز',
    turnOffIntro: 'تسجيل الدخول بخطوتين مفعّل. لإيقافه، أكّد بكلمة المرور ورمز حالي (أو رمز استرداد).',
    password: 'كلمة المرور',
    code: 'الرمز',
    turnOff: 'إيقاف',
    addKey: 'أضف هذا المفتاح إلى تطبيق المصادقة (أو افتح الرابط على هاتفك)، ثم أدخل الرمز المكوّن من 6 أرقام الذي يظهره.',
    key: 'المفتاح:',
    openApp: 'افتح في تطبيق مصادقة',
    turnOn: 'تفعيل',
    protect: 'احمِ حسابك برمز من تطبيق مصادقة عند كل تسجيل دخول.',
    setUp: 'إعداد تسجيل الدخول بخطوتين',
  },
});

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
      <PageHeader title={t('title')} />
      <p class="muted">{me.email}</p>
      <EmailVerificationNotice />
      <Form
        class="panel"
        noValidate
        onSubmit={() => {
          setSaved(false);
          void profile.run();
        }}
      >
        <h2>{t('profile')}</h2>
        <ErrorBanner error={profile.error} placed={['name']} />
        {saved && (
          <p class="banner success" role="status">
            {t('saved')}
          </p>
        )}
        <TextInput id="profile-name" label={t('name')} value={name} onInput={setName} required errors={errorsFor(profile.error, 'name')} />
        <Submit busy={profile.busy}>{t('save')}</Submit>
      </Form>
      <EmailChange />
      <LanguageChoice />
      <AccountNotifications />
      <TwoFactor />
      <AccountPasskeys />
      <AccountIdentities />
      <AccountSessions />
    </section>
  );
}

/** The user's console language: applied as soon as it is chosen, and saved to the user (it follows them everywhere). */
function LanguageChoice() {
  const { me, reloadMe } = useSession();
  const [choice, setChoice] = useState<string>(languageOf(me.locale) ?? '');
  const save = useAction(async (value: string) => {
    const chosen = languageOf(value);
    setChoice(value);
    if (chosen) setLanguage(chosen);
    await call('PATCH', '/me', { body: { locale: chosen ?? null } });
    // This browser's sign-in page speaks it too; `Automatic` forgets it.
    storeLanguage(chosen);
    await reloadMe();
  });
  const errors = errorsFor(save.error, 'locale');
  return (
    <div class="panel">
      <h2>{t('yourLanguage')}</h2>
      <ErrorBanner error={save.error} placed={['locale']} />
      <Field id="account-language" label={t('language')} hint={t('languageHint')} errors={errors}>
        <select
          id="account-language"
          value={choice}
          aria-busy={save.busy ? 'true' : undefined}
          aria-invalid={errors.length > 0 ? 'true' : undefined}
          aria-describedby={errors.length > 0 ? 'account-language-error' : 'account-language-hint'}
          onChange={(event) => void save.run((event.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">{t('automatic')}</option>
          <LanguageOptions />
        </select>
      </Field>
    </div>
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
      <h2>{t('twoFactor')}</h2>
      {codes && (
        <div class="banner success" role="status">
          <p>{t.rich('codesShown', { strong: (chunks: string[]) => <strong>{chunks}</strong> })}</p>
          <pre id="recovery-codes">{codes.join('\n')}</pre>
          <CopyButton text={codes.join('\n')} label={t('copyCodes')} />
        </div>
      )}
      {me.totp_enabled ? (
        <Form noValidate onSubmit={disable.run}>
          <p>{t('turnOffIntro')}</p>
          <ErrorBanner error={disable.error} placed={['password', 'otp']} />
          <TextInput
            id="disable-password"
            label={t('password')}
            type="password"
            value={password}
            onInput={setPassword}
            autoComplete="current-password"
            errors={errorsFor(disable.error, 'password')}
          />
          <TextInput id="disable-otp" label={t('code')} value={otp} onInput={setOtp} autoComplete="one-time-code" errors={errorsFor(disable.error, 'otp')} />
          <Submit busy={disable.busy}>{t('turnOff')}</Submit>
        </Form>
      ) : setup ? (
        <Form noValidate onSubmit={enable.run}>
          <p>{t('addKey')}</p>
          <p>
            {t('key')} <code id="totp-secret">{setup.secret}</code> <CopyButton text={setup.secret} />
          </p>
          <p>
            <a href={setup.otpauth_url}>{t('openApp')}</a>
          </p>
          <ErrorBanner error={enable.error} placed={['otp']} />
          <TextInput id="enable-otp" label={t('code')} value={otp} onInput={setOtp} autoComplete="one-time-code" errors={errorsFor(enable.error, 'otp')} />
          <Submit busy={enable.busy}>{t('turnOn')}</Submit>
        </Form>
      ) : (
        <>
          <p>{t('protect')}</p>
          <ErrorBanner error={start.error} />
          <button type="button" disabled={start.busy} onClick={() => void start.run()}>
            {t('setUp')}
          </button>
        </>
      )}
    </div>
  );
}
