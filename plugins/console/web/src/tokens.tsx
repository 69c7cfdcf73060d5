import { useState } from 'preact/hooks';
import { call } from './api';
import { formatIdentifiers } from './format';
import { defineMessages } from './i18n';
import { LoadedList, Table } from './list';
import { PermissionPicker, useCatalogue } from './roles';
import { useTenant } from './session';
import { CopyButton, Dialog, DialogActions, ErrorBanner, errorsFor, Form, Loading, PageHeader, TextInput, useAction, useLoad, When } from './ui';

const t = defineMessages({
  en: {
    revokeConfirm: 'Revoke {name}? Programs using it stop working at once.',
    title: 'API tokens',
    newToken: 'New token',
    intro: 'Programs call the API with <code>Authorization: Bearer plt_…</code> and <code>X-Tenant: {slug}</code>. A token holds at most your own permissions.',
    copyNow: '<strong>Copy the token {name} now:</strong> it is shown only this once.',
    newApiToken: 'New API token',
    copied: 'I have copied it',
    none: 'No API token yet.',
    name: 'Name',
    prefix: 'Prefix',
    permissions: 'Permissions',
    lastUsed: 'Last used',
    expires: 'Expires',
    revoke: 'Revoke',
    nameHint: 'What uses it, e.g. “nightly export”.',
    expiresOn: 'Expires on (optional)',
    create: 'Create token',
  },
  ar: {
    revokeConfirm: 'إبطال {name}؟ ستتوقف البرامج التي تستخدمه عن العمل فورًا.',
    title: 'رموز API',
    newToken: 'رمز جديد',
    intro:
      'تستدعي البرامج واجهة API بالترويسة <code>Authorization: Bearer plt_…</code> والترويسة <code>X-Tenant: {slug}</code>. لا يحمل الرمز أكثر من صلاحياتك أنت.',
    copyNow: '<strong>انسخ الرمز {name} الآن:</strong> لن يظهر إلا هذه المرة.',
    newApiToken: 'رمز API الجديد',
    copied: 'لقد نسخته',
    none: 'لا توجد رموز API بعد.',
    name: 'الاسم',
    prefix: 'البادئة',
    permissions: 'الصلاحيات',
    lastUsed: 'آخر استخدام',
    expires: 'ينتهي في',
    revoke: 'إبطال',
    nameHint: 'ما الذي يستخدمه، مثلًا «التصدير الليلي».',
    expiresOn: 'ينتهي في (اختياري)',
    create: 'إنشاء الرمز',
  },
});

interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  expires_at: string | null;
  last_used_at: string | null;
  created_at: string;
  token?: string;
}

/** The tenant's API tokens: create one (its secret shown once), revoke. */
export function TokensPage() {
  const tenant = useTenant();
  const tokens = useLoad(() => call<ApiToken[]>('GET', '/api-tokens', { tenant: tenant.slug, query: { per_page: 100 } }), [tenant.slug]);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<ApiToken>();
  const manage = tenant.can('core.api-tokens.manage');
  const revoke = useAction(async (token: ApiToken) => {
    if (!window.confirm(t('revokeConfirm', { name: token.name }))) return;
    await call('DELETE', `/api-tokens/${token.id}`, { tenant: tenant.slug });
    tokens.reload();
  });
  return (
    <section>
      <PageHeader title={t('title')}>
        {manage && (
          <button type="button" onClick={() => setCreating(true)}>
            {t('newToken')}
          </button>
        )}
      </PageHeader>
      <p class="muted">{t.rich('intro', { slug: tenant.slug, code: (chunks: string[]) => <code dir="ltr">{chunks}</code> })}</p>
      {secret?.token && (
        <div class="banner success" role="status">
          <p>{t.rich('copyNow', { name: secret.name, strong: (chunks: string[]) => <strong>{chunks}</strong> })}</p>
          <div class="copy-row">
            <input readOnly aria-label={t('newApiToken')} dir="ltr" id="new-token" value={secret.token} onFocus={(event) => event.currentTarget.select()} />
            <CopyButton text={secret.token} />
          </div>
          <button type="button" class="secondary" onClick={() => setSecret(undefined)}>
            {t('copied')}
          </button>
        </div>
      )}
      <ErrorBanner error={revoke.error} />
      <LoadedList list={tokens} items={tokens.data?.data} empty={t('none')}>
        {(items) => (
          <Table columns={[t('name'), t('prefix'), t('permissions'), t('lastUsed'), t('expires')]} actions={manage}>
            {items.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>
                  <code>plt_{token.prefix}…</code>
                </td>
                <td>
                  <bdi>{formatIdentifiers(token.permissions)}</bdi>
                </td>
                <td>
                  <When value={token.last_used_at} />
                </td>
                <td>
                  <When value={token.expires_at} />
                </td>
                {manage && (
                  <td class="row-actions">
                    <button type="button" class="secondary" onClick={() => void revoke.run(token)}>
                      {t('revoke')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
      {creating && (
        <NewTokenDialog
          onClose={() => setCreating(false)}
          onCreated={(token) => {
            setCreating(false);
            setSecret(token);
            tokens.reload();
          }}
        />
      )}
    </section>
  );
}

function NewTokenDialog({ onClose, onCreated }: { onClose(): void; onCreated(token: ApiToken): void }) {
  const tenant = useTenant();
  const catalogue = useCatalogue(tenant.slug);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [permissions, setPermissions] = useState<string[]>([]);
  const { busy, error, run } = useAction(async () => {
    const body = { name, permissions, ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}) };
    const { data } = await call<ApiToken>('POST', '/api-tokens', { tenant: tenant.slug, body });
    onCreated(data);
  });
  return (
    <Dialog title={t('newApiToken')} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={['name', 'permissions', 'expires_at']} />
        <TextInput id="token-name" label={t('name')} value={name} onInput={setName} required hint={t('nameHint')} errors={errorsFor(error, 'name')} />
        <TextInput id="token-expires" label={t('expiresOn')} type="date" value={expires} onInput={setExpires} errors={errorsFor(error, 'expires_at')} />
        {catalogue.data ? (
          <PermissionPicker catalogue={catalogue.data} selected={permissions} onChange={setPermissions} error={error} allowed={tenant.permissions} />
        ) : (
          <Loading />
        )}
        <DialogActions onCancel={onClose} busy={busy}>
          {t('create')}
        </DialogActions>
      </Form>
    </Dialog>
  );
}
