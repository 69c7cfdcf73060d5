import { useState } from 'preact/hooks';
import { call } from './api';
import { identityText as t } from './identity-messages';
import { Table } from './list';
import { CopyButton, Dialog, ErrorBanner, errorsFor, Field, Form, Loading, PageHeader, Submit, TextInput, useAction, useLoad } from './ui';
import './identity.css';

type Kind = 'oidc' | 'google' | 'microsoft' | 'github';

/** `GET /admin/identity-providers`. */
interface Provider {
  id: string;
  slug: string;
  kind: Kind;
  name: string;
  issuer: string;
  client_id: string;
  has_secret: boolean;
  scopes: string[];
  enabled: boolean;
  redirect_uri: string;
  linked_users: number;
  created_at: string;
  updated_at: string;
}

const kinds: readonly Kind[] = ['google', 'microsoft', 'github', 'oidc'];

/** What a preset fills in (the API fills the same when left out). */
const presets: Record<Kind, { issuer: string; scopes: string; name: string; slug: string }> = {
  google: { issuer: 'https://accounts.google.com', scopes: 'openid email profile', name: 'Google', slug: 'google' },
  microsoft: { issuer: 'https://login.microsoftonline.com/common/v2.0', scopes: 'openid email profile', name: 'Microsoft', slug: 'microsoft' },
  github: { issuer: 'https://github.com', scopes: 'read:user user:email', name: 'GitHub', slug: 'github' },
  oidc: { issuer: '', scopes: 'openid email profile', name: '', slug: '' },
};

const scopesOf = (text: string) => text.split(/\s+/).filter(Boolean);

/** The host's sign-in providers: Google, Microsoft, GitHub, any OpenID provider (issue 23). */
export function AdminIdentityProvidersPage() {
  const providers = useLoad(async () => (await call<Provider[]>('GET', '/admin/identity-providers')).data, []);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Provider>();
  const [removing, setRemoving] = useState<Provider>();
  const [notice, setNotice] = useState<string>();
  const toggle = useAction(async (provider: Provider) => {
    setNotice(undefined);
    await call('PATCH', `/admin/identity-providers/${provider.id}`, { body: { enabled: !provider.enabled } });
    setNotice(t('saved'));
    providers.reload();
  });
  return (
    <section class="identity-providers">
      <PageHeader title={t('adminTitle')}>
        <button type="button" onClick={() => setAdding(true)}>
          {t('add')}
        </button>
      </PageHeader>
      <p class="muted">{t('adminIntro')}</p>
      {notice && (
        <p class="banner success" role="status">
          {notice}
        </p>
      )}
      <ErrorBanner error={providers.error ?? toggle.error} />
      {!providers.data ? (
        providers.loading && <Loading />
      ) : providers.data.length === 0 ? (
        <p class="muted">{t('adminNone')}</p>
      ) : (
        <Table columns={[t('name'), t('redirectUri'), t('users'), t('status')]} actions>
          {providers.data.map((provider) => (
            <tr key={provider.id}>
              <td>
                <div>
                  {provider.name}{' '}
                  <bdi class="muted" dir="ltr">
                    ({provider.slug})
                  </bdi>
                </div>
                <small class="muted">{t(`kind_${provider.kind}`)}</small>
              </td>
              <td data-label={t('redirectUri')}>
                <div class="provider-redirect">
                  <code dir="ltr">{provider.redirect_uri}</code>
                  <CopyButton text={provider.redirect_uri} label={t('copyRedirect')} />
                </div>
              </td>
              <td data-label={t('users')}>{provider.linked_users}</td>
              <td data-label={t('status')}>
                <span class={provider.enabled ? 'badge on' : 'badge'}>{provider.enabled ? t('statusOn') : t('statusOff')}</span>
              </td>
              <td class="row-actions">
                <button type="button" class="secondary" aria-label={t('editName', { name: provider.name })} onClick={() => setEditing(provider)}>
                  {t('edit')}
                </button>
                <button
                  type="button"
                  class="secondary"
                  disabled={toggle.busy}
                  aria-label={provider.enabled ? t('disableName', { name: provider.name }) : t('enableName', { name: provider.name })}
                  onClick={() => void toggle.run(provider)}
                >
                  {provider.enabled ? t('disable') : t('enable')}
                </button>
                <button type="button" class="danger" aria-label={t('removeName', { name: provider.name })} onClick={() => setRemoving(provider)}>
                  {t('remove')}
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
      {adding && (
        <ProviderDialog
          onClose={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            setNotice(t('created'));
            providers.reload();
          }}
        />
      )}
      {editing && (
        <ProviderDialog
          provider={editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            setNotice(t('saved'));
            providers.reload();
          }}
        />
      )}
      {removing && (
        <RemoveDialog
          provider={removing}
          onClose={() => setRemoving(undefined)}
          onRemoved={() => {
            setRemoving(undefined);
            providers.reload();
          }}
        />
      )}
    </section>
  );
}

/** Adds a provider (`provider` absent) or edits one; the secret is write-only. */
function ProviderDialog({ provider, onClose, onSaved }: { provider?: Provider; onClose(): void; onSaved(): void }) {
  const [kind, setKind] = useState<Kind>(provider?.kind ?? 'google');
  const [name, setName] = useState(provider?.name ?? presets.google.name);
  const [slug, setSlug] = useState(provider?.slug ?? presets.google.slug);
  const [issuer, setIssuer] = useState(provider?.issuer ?? presets.google.issuer);
  const [clientId, setClientId] = useState(provider?.client_id ?? '');
  const [secret, setSecret] = useState('');
  const [removeSecret, setRemoveSecret] = useState(false);
  const [scopes, setScopes] = useState(provider ? provider.scopes.join(' ') : presets.google.scopes);
  const [enabled, setEnabled] = useState(provider?.enabled ?? true);
  const choose = (next: Kind) => {
    // A preset fills what it knows; what was typed for another kind does not carry over.
    setKind(next);
    setName(presets[next].name);
    setSlug(presets[next].slug);
    setIssuer(presets[next].issuer);
    setScopes(presets[next].scopes);
  };
  const save = useAction(async () => {
    const common = {
      name: name.trim(),
      issuer: issuer.trim(),
      client_id: clientId.trim(),
      scopes: scopesOf(scopes),
      enabled,
    };
    if (provider) {
      await call('PATCH', `/admin/identity-providers/${provider.id}`, {
        body: { ...common, ...(secret ? { client_secret: secret } : removeSecret ? { client_secret: null } : {}) },
      });
    } else {
      await call('POST', '/admin/identity-providers', { body: { ...common, slug: slug.trim(), kind, ...(secret ? { client_secret: secret } : {}) } });
    }
    onSaved();
  });
  const title = provider ? t('editTitle', { name: provider.name }) : t('add');
  const placed = ['name', 'slug', 'kind', 'issuer', 'client_id', 'client_secret', 'scopes', 'enabled'];
  const redirectPreview = provider?.redirect_uri ?? `${window.location.origin}/api/v1/auth/oidc/${slug || '…'}/callback`;
  return (
    <Dialog title={title} onClose={onClose}>
      <Form noValidate onSubmit={save.run}>
        <ErrorBanner error={save.error} placed={placed} />
        {!provider && (
          <Field id="provider-kind" label={t('kind')} errors={errorsFor(save.error, 'kind')}>
            <select id="provider-kind" value={kind} onChange={(event) => choose(event.currentTarget.value as Kind)}>
              {kinds.map((option) => (
                <option key={option} value={option}>
                  {t(`kind_${option}`)}
                </option>
              ))}
            </select>
          </Field>
        )}
        <TextInput id="provider-name" label={t('name')} value={name} onInput={setName} required hint={t('nameHint')} errors={errorsFor(save.error, 'name')} />
        {!provider && (
          <TextInput id="provider-slug" label={t('slug')} value={slug} onInput={setSlug} required hint={t('slugHint')} errors={errorsFor(save.error, 'slug')} />
        )}
        <Field id="provider-redirect" label={t('redirectUri')}>
          <div class="copy-row">
            <input readOnly id="provider-redirect" dir="ltr" value={redirectPreview} onFocus={(event) => event.currentTarget.select()} />
            <CopyButton text={redirectPreview} label={t('copyRedirect')} />
          </div>
        </Field>
        <TextInput
          id="provider-issuer"
          label={t('issuer')}
          type="url"
          value={issuer}
          onInput={setIssuer}
          required
          hint={kind === 'microsoft' ? t('issuerMicrosoftHint') : t('issuerHint')}
          errors={errorsFor(save.error, 'issuer')}
        />
        <TextInput id="provider-client-id" label={t('clientId')} value={clientId} onInput={setClientId} required errors={errorsFor(save.error, 'client_id')} />
        <TextInput
          id="provider-client-secret"
          label={t('clientSecret')}
          type="password"
          autoComplete="new-password"
          value={secret}
          onInput={setSecret}
          hint={provider?.has_secret ? t('clientSecretKeep') : t('clientSecretHint')}
          errors={errorsFor(save.error, 'client_secret')}
        />
        {provider?.has_secret && !secret && (
          <div class="field checkbox">
            <label for="provider-remove-secret">
              <input id="provider-remove-secret" type="checkbox" checked={removeSecret} onChange={(event) => setRemoveSecret(event.currentTarget.checked)} />{' '}
              {t('removeSecret')}
            </label>
          </div>
        )}
        <TextInput
          id="provider-scopes"
          label={t('scopes')}
          value={scopes}
          onInput={setScopes}
          hint={t('scopesHint')}
          errors={errorsFor(save.error, 'scopes')}
        />
        <div class="field checkbox">
          <label for="provider-enabled">
            <input id="provider-enabled" type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} /> {t('enabled')}
          </label>
        </div>
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
          <Submit busy={save.busy}>{provider ? t('save') : t('create')}</Submit>
        </div>
      </Form>
    </Dialog>
  );
}

function RemoveDialog({ provider, onClose, onRemoved }: { provider: Provider; onClose(): void; onRemoved(): void }) {
  const { busy, error, run } = useAction(async () => {
    await call('DELETE', `/admin/identity-providers/${provider.id}`);
    onRemoved();
  });
  return (
    <Dialog title={t('removeTitle', { name: provider.name })} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} />
        <p>{t('removeBody', { count: provider.linked_users })}</p>
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="submit" class="danger" disabled={busy} aria-busy={busy ? 'true' : undefined}>
            {t('removeConfirm')}
          </button>
        </div>
      </Form>
    </Dialog>
  );
}
