import { useState } from 'preact/hooks';
import { call, hasSession, startSession, type Tokens } from './api';
import { AuthFrame, PasswordInput, type PageProps } from './auth';
import { navigate } from './router';
import { tenantPath } from './session';
import { defineMessages } from './i18n';
import { ErrorBanner, errorsFor, Form, Submit, TextInput, useAction } from './ui';

const t = defineMessages({
  en: {
    resetTitle: 'Reset your password',
    backToSignIn: 'Back to sign in',
    resetSent: 'If an account exists for {email}, a link to set a new password is on its way. It works for one hour.',
    email: 'Email',
    emailLink: 'Email me a link',
    newPasswordTitle: 'Choose a new password',
    passwordChanged: 'Your password is changed and every session was signed out. <link>Sign in</link> with the new password.',
    newPassword: 'New password',
    setPassword: 'Set password',
    acceptTitle: 'Accept your invitation',
    noToken: 'This link has no invitation token; open the link from your invitation again.',
    signedInAccept: 'You are signed in; accepting adds this organisation to your account.',
    createToJoin: 'Create your account to join, or <link>sign in</link> if you already have one.',
    yourName: 'Your name',
    choosePassword: 'Choose a password',
    accept: 'Accept invitation',
  },
  ar: {
    resetTitle: 'إعادة تعيين كلمة المرور',
    backToSignIn: 'العودة إلى تسجيل الدخول',
    resetSent: 'إذا كان هناك حساب للعنوان {email}، فرابط تعيين كلمة مرور جديدة في طريقه إليك. يعمل الرابط لمدة ساعة واحدة.',
    email: 'البريد الإلكتروني',
    emailLink: 'أرسل لي رابطًا',
    newPasswordTitle: 'اختر كلمة مرور جديدة',
    passwordChanged: 'تم تغيير كلمة المرور وتسجيل الخروج من كل الجلسات. <link>سجّل الدخول</link> بكلمة المرور الجديدة.',
    newPassword: 'كلمة المرور الجديدة',
    setPassword: 'تعيين كلمة المرور',
    acceptTitle: 'اقبل دعوتك',
    noToken: 'لا يحتوي هذا الرابط على رمز دعوة؛ افتح الرابط من رسالة الدعوة مرة أخرى.',
    signedInAccept: 'أنت مسجّل الدخول؛ قبول الدعوة يضيف هذه المؤسسة إلى حسابك.',
    createToJoin: 'أنشئ حسابك للانضمام، أو <link>سجّل الدخول</link> إن كان لديك حساب.',
    yourName: 'اسمك',
    choosePassword: 'اختر كلمة مرور',
    accept: 'قبول الدعوة',
  },
});

/* The pages people reach from a mailed link: password reset, invitation. */

export function ForgotPasswordPage(_props: PageProps) {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction(async () => {
    await call('POST', '/auth/password/forgot', { body: { email }, anonymous: true });
    setSent(true);
  });
  return (
    <AuthFrame title={t('resetTitle')} footer={<a href="/login">{t('backToSignIn')}</a>}>
      {sent ? (
        <p class="banner success" role="status">
          {t('resetSent', { email })}
        </p>
      ) : (
        <Form onSubmit={run}>
          <ErrorBanner error={error} placed={['email']} />
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
          <Submit busy={busy}>{t('emailLink')}</Submit>
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
    <AuthFrame title={t('newPasswordTitle')} footer={<a href="/login">{t('backToSignIn')}</a>}>
      {done ? (
        <p class="banner success" role="status">
          {t.rich('passwordChanged', { link: (chunks: string[]) => <a href="/login">{chunks}</a> })}
        </p>
      ) : (
        <Form onSubmit={run}>
          <ErrorBanner error={error} placed={['password']} />
          <PasswordInput label={t('newPassword')} value={password} onInput={setPassword} error={error} />
          <Submit busy={busy}>{t('setPassword')}</Submit>
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
    <AuthFrame title={t('acceptTitle')}>
      {!token ? (
        <p class="banner error">{t('noToken')}</p>
      ) : (
        <Form onSubmit={run}>
          <ErrorBanner error={error} placed={['name', 'password']} />
          {signedIn ? (
            <p>{t('signedInAccept')}</p>
          ) : (
            <>
              <p>{t.rich('createToJoin', { link: (chunks: string[]) => <a href={`/login?next=${encodeURIComponent(here)}`}>{chunks}</a> })}</p>
              <TextInput id="name" label={t('yourName')} value={name} onInput={setName} autoComplete="name" required errors={errorsFor(error, 'name')} />
              <PasswordInput label={t('choosePassword')} value={password} onInput={setPassword} error={error} />
            </>
          )}
          <Submit busy={busy}>{t('accept')}</Submit>
        </Form>
      )}
    </AuthFrame>
  );
}
