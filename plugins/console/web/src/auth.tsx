import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, call, startSession, type Tokens } from './api';
import { SignUpPlanPicker, type PlanChoice } from './billing-signup';
import { navigate, type Location } from './router';
import { ProviderButtons, SignInErrorBanner } from './sign-in-providers';
import { PasskeyInstead, PasskeySignIn } from './sign-in-passkey';
import { defineMessages } from './i18n';
import { SignedOutLanguagePicker } from './language-picker';
import { tenantPath } from './session';
import { SsoSignIn, ssoOfError, ssoStartHref, useSsoDiscovery } from './tenant-sso-sign-in';
import { ErrorBanner, errorsFor, Form, Submit, TextInput, useAction, useTitle } from './ui';

const t = defineMessages({
  en: {
    twoFactorTitle: 'Two-factor code',
    signIn: 'Sign in',
    forgot: 'Forgot your password?',
    createAnAccount: 'Create an account',
    otp: 'Code from your authenticator app (or a recovery code)',
    email: 'Email',
    password: 'Password',
    verify: 'Verify',
    createTitle: 'Create your account',
    haveAccount: 'Already have an account? Sign in',
    yourName: 'Your name',
    passwordHint: 'At least 10 characters; avoid common passwords.',
    organisation: 'Your organisation (optional — you can create one later)',
    organisationName: 'Organisation name',
    slug: 'Address (slug)',
    slugHint: 'Lower-case letters, digits and hyphens.',
    createAccount: 'Create account',
  },
  ar: {
    twoFactorTitle: 'رمز التحقق بخطوتين',
    signIn: 'تسجيل الدخول',
    forgot: 'نسيت كلمة المرور؟',
    createAnAccount: 'إنشاء حساب',
    otp: 'الرمز من تطبيق المصادقة (أو رمز استرداد)',
    email: 'البريد الإلكتروني',
    password: 'كلمة المرور',
    verify: 'تحقّق',
    createTitle: 'أنشئ حسابك',
    haveAccount: 'لديك حساب بالفعل؟ سجّل الدخول',
    yourName: 'اسمك',
    passwordHint: '10 أحرف على الأقل؛ وتجنّب كلمات المرور الشائعة.',
    organisation: 'مؤسستك (اختياري — يمكنك إنشاؤها لاحقًا)',
    organisationName: 'اسم المؤسسة',
    slug: 'العنوان (المعرّف في الرابط)',
    slugHint: 'أحرف لاتينية صغيرة وأرقام وشرطات.',
    createAccount: 'إنشاء الحساب',
  },
});

export interface PageProps {
  location: Location;
  onSignedIn(): void;
}

/** The frame of the signed-out pages. */
export function AuthFrame({ title, children, footer }: { title: string; children: ComponentChildren; footer?: ComponentChildren }) {
  useTitle(title);
  return (
    <main class="auth" id="main">
      <div class="auth-card">
        <div class="auth-top">
          <p class="brand">Plinth</p>
          <SignedOutLanguagePicker />
        </div>
        <h1>{title}</h1>
        {children}
        {footer && <div class="auth-footer">{footer}</div>}
      </div>
    </main>
  );
}

/** The password input of the signed-out pages: a new password unless `current` (signing in). */
export function PasswordInput(props: { label: string; value: string; onInput(value: string): void; error: unknown; current?: boolean; hint?: string }) {
  const { current = false, error, ...rest } = props;
  return (
    <TextInput
      id="password"
      type="password"
      autoComplete={current ? 'current-password' : 'new-password'}
      required
      errors={errorsFor(error, 'password')}
      {...rest}
    />
  );
}

/** Only same-site app paths are followed after signing in. */
export function nextPath(location: Location, fallback = '/'): string {
  const next = location.query.get('next');
  // A session that lapsed on the sign-in page itself comes back with `next=/login`: that is nowhere to go on to.
  return next && next.startsWith('/') && !next.startsWith('//') && !/^\/login(?:[/?#]|$)/.test(next) ? next : fallback;
}

export function LoginPage({ location, onSignedIn }: PageProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [otp, setOtp] = useState('');
  const [needsOtp, setNeedsOtp] = useState(false);
  const [usePassword, setUsePassword] = useState(false);
  const { busy, error, run } = useAction(async () => {
    try {
      const { data } = await call<{ tokens: Tokens }>('POST', '/auth/login', { body: { email, password, ...(needsOtp ? { otp } : {}) }, anonymous: true });
      startSession(data.tokens);
      onSignedIn();
      navigate(nextPath(location), { replace: true });
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'otp_required') {
        setNeedsOtp(true);
        return;
      }
      throw caught;
    }
  });
  // Single sign-on: the typed email's organisation may send its people to its own identity provider.
  const sso = useSsoDiscovery(email) ?? ssoOfError(error);
  const passwordHidden = !needsOtp && sso !== null && !sso.password_allowed && !usePassword;
  return (
    <AuthFrame
      title={needsOtp ? t('twoFactorTitle') : t('signIn')}
      footer={
        <>
          <a href="/forgot-password">{t('forgot')}</a> · <a href={`/signup${window.location.search}`}>{t('createAnAccount')}</a>
        </>
      }
    >
      <Form onSubmit={passwordHidden && sso ? () => window.location.assign(ssoStartHref(sso, location)) : run}>
        {!error && <SignInErrorBanner location={location} />}
        <ErrorBanner error={error} placed={['email', 'password', 'otp', 'sso.start_url', 'sso.tenant']} />
        {needsOtp ? (
          <TextInput id="otp" label={t('otp')} value={otp} onInput={setOtp} autoComplete="one-time-code" required autoFocus errors={errorsFor(error, 'otp')} />
        ) : (
          <>
            <TextInput
              id="email"
              label={t('email')}
              type="email"
              value={email}
              onInput={setEmail}
              autoComplete="username"
              required
              errors={errorsFor(error, 'email')}
            />
            {!passwordHidden && <PasswordInput label={t('password')} value={password} onInput={setPassword} current error={error} />}
          </>
        )}
        {!needsOtp && sso && <SsoSignIn sso={sso} location={location} passwordHidden={passwordHidden} onUsePassword={() => setUsePassword(true)} />}
        {!passwordHidden && <Submit busy={busy}>{needsOtp ? t('verify') : t('signIn')}</Submit>}
      </Form>
      {needsOtp && <PasskeyInstead email={email} password={password} location={location} onSignedIn={onSignedIn} />}
      {!needsOtp && (
        <>
          <PasskeySignIn location={location} onSignedIn={onSignedIn} />
          <ProviderButtons location={location} />
        </>
      )}
    </AuthFrame>
  );
}

/** `Acme Corp` → `acme-corp`. */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

export function SignUpPage({ location, onSignedIn }: PageProps) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tenantName, setTenantName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [plan, setPlan] = useState<PlanChoice>();
  const { busy, error, run } = useAction(async () => {
    const tenant = tenantName.trim() ? { name: tenantName.trim(), slug } : undefined;
    const { data } = await call<{ tokens: Tokens; tenant?: { slug: string }; checkout_url?: string }>('POST', '/auth/register', {
      body: { name, email, password, ...(tenant ? { tenant } : {}), ...(tenant && plan ? { plan } : {}) },
      anonymous: true,
    });
    startSession(data.tokens);
    // A paid plan without a trial: its first payment on the provider's page, which comes back to the workspace.
    if (data.checkout_url) return window.location.assign(data.checkout_url);
    onSignedIn();
    const next = nextPath(location, '/tenants/new');
    navigate(data.tenant ? tenantPath(data.tenant.slug) : next === '/' ? '/tenants/new' : next, { replace: true });
  });
  return (
    <AuthFrame title={t('createTitle')} footer={<a href={`/login${window.location.search}`}>{t('haveAccount')}</a>}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={['name', 'email', 'password', 'tenant.name', 'tenant.slug']} />
        <TextInput id="name" label={t('yourName')} value={name} onInput={setName} autoComplete="name" required errors={errorsFor(error, 'name')} />
        <TextInput
          id="email"
          label={t('email')}
          type="email"
          value={email}
          onInput={setEmail}
          autoComplete="email"
          required
          errors={errorsFor(error, 'email')}
        />
        <PasswordInput label={t('password')} value={password} onInput={setPassword} hint={t('passwordHint')} error={error} />
        <fieldset>
          <legend>{t('organisation')}</legend>
          <TextInput
            id="tenant-name"
            label={t('organisationName')}
            value={tenantName}
            onInput={(value) => {
              setTenantName(value);
              if (!slugEdited) setSlug(slugify(value));
            }}
            autoComplete="organization"
            errors={errorsFor(error, 'tenant.name')}
          />
          <TextInput
            id="tenant-slug"
            label={t('slug')}
            value={slug}
            onInput={(value) => {
              setSlug(value);
              setSlugEdited(true);
            }}
            hint={t('slugHint')}
            errors={errorsFor(error, 'tenant.slug')}
          />
          <SignUpPlanPicker onChange={setPlan} />
        </fieldset>
        <Submit busy={busy}>{t('createAccount')}</Submit>
      </Form>
    </AuthFrame>
  );
}
