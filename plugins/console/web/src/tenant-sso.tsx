import { useState } from 'preact/hooks';
import { call, get } from './api';
import { Table } from './list';
import { tenantPath, useTenant } from './session';
import { ssoText as t } from './tenant-sso-messages';
import { CopyButton, ErrorBanner, errorsFor, Field, Form, Loading, PageHeader, Submit, TextInput, useAction, useLoad } from './ui';
import './tenant-sso.css';

/** `GET /tenant/sso`. */
interface SsoConfig {
  configured: boolean;
  issuer: string | null;
  client_id: string | null;
  has_secret: boolean;
  domains: { domain: string; verified: boolean; verified_at: string | null; verification: { type: 'TXT'; name: string; value: string } }[];
  password_allowed: boolean;
  default_role_id: string | null;
  enabled: boolean;
  redirect_uri: string;
  start_url: string;
  updated_at: string | null;
}

/** The tenant's single sign-on: its identity provider, email domains, password policy, new members' role (issue 23, H4). */
export function TenantSsoPage() {
  const tenant = useTenant();
  const config = useLoad(() => get<SsoConfig>('/tenant/sso', { tenant: tenant.slug }), [tenant.slug]);
  const [removed, setRemoved] = useState(false);
  const remove = useAction(async () => {
    if (!window.confirm(t('removeConfirm', { tenant: tenant.name }))) return;
    setRemoved(false);
    await call('DELETE', '/tenant/sso', { tenant: tenant.slug });
    setRemoved(true);
    config.reload();
  });
  return (
    <section class="tenant-sso">
      <PageHeader title={t('title')} />
      <p class="muted">{t('intro', { tenant: tenant.name })}</p>
      {removed && (
        <p class="banner success" role="status">
          {t('removed')}
        </p>
      )}
      <ErrorBanner error={config.error ?? remove.error} />
      {!config.data ? (
        config.loading && <Loading />
      ) : (
        <>
          <ProviderForm config={config.data} onSaved={config.reload} />
          <DomainVerification config={config.data} onVerified={config.reload} />
          <div class="panel">
            <h2>{t('test')}</h2>
            {config.data.configured && config.data.enabled ? (
              <>
                <p class="muted">{t('testIntro')}</p>
                <p>
                  <a class="button secondary" href={`${config.data.start_url}?return_to=${encodeURIComponent(tenantPath(tenant.slug, '/sso'))}`}>
                    {t('testLink')}
                  </a>
                </p>
              </>
            ) : (
              <p class="muted">{t('saveFirst')}</p>
            )}
          </div>
          {config.data.configured && (
            <p>
              <button type="button" class="danger" disabled={remove.busy} onClick={() => void remove.run()}>
                {t('remove')}
              </button>
            </p>
          )}
        </>
      )}
    </section>
  );
}

function ProviderForm({ config, onSaved }: { config: SsoConfig; onSaved(): void }) {
  const tenant = useTenant();
  const roles = useLoad(
    () =>
      tenant.can('core.roles.view')
        ? get<{ id: string; name: string; builtin?: string | null }[]>('/roles', { tenant: tenant.slug, query: { per_page: 100 } })
        : Promise.resolve([]),
    [tenant.slug],
  );
  const [issuer, setIssuer] = useState(config.issuer ?? '');
  const [clientId, setClientId] = useState(config.client_id ?? '');
  const [secret, setSecret] = useState('');
  const [removeSecret, setRemoveSecret] = useState(false);
  const [domains, setDomains] = useState(config.domains.map((entry) => entry.domain));
  const [domainInput, setDomainInput] = useState('');
  const [passwordAllowed, setPasswordAllowed] = useState(config.password_allowed);
  const [roleId, setRoleId] = useState(config.default_role_id ?? '');
  const [enabled, setEnabled] = useState(config.configured ? config.enabled : true);
  const [saved, setSaved] = useState(false);

  const addDomain = () => {
    const domain = domainInput.trim().toLowerCase().replace(/^@/, '');
    if (domain && !domains.includes(domain)) setDomains([...domains, domain]);
    setDomainInput('');
  };
  const save = useAction(async () => {
    setSaved(false);
    await call('PUT', '/tenant/sso', {
      tenant: tenant.slug,
      body: {
        issuer: issuer.trim(),
        client_id: clientId.trim(),
        ...(secret ? { client_secret: secret } : removeSecret ? { client_secret: null } : {}),
        domains,
        password_allowed: passwordAllowed,
        default_role_id: roleId || null,
        enabled,
      },
    });
    setSecret('');
    onSaved();
    setSaved(true);
  });
  const domainErrors = [
    ...errorsFor(save.error, 'domains'),
    ...domains.flatMap((domain, index) => errorsFor(save.error, `domains.${index}`).map((message) => `${domain}: ${message}`)),
  ];
  const placed = [
    'issuer',
    'client_id',
    'client_secret',
    'domains',
    'password_allowed',
    'default_role_id',
    'enabled',
    ...domains.map((_, i) => `domains.${i}`),
  ];
  const checkbox = (id: string, label: string, hint: string, checked: boolean, onChange: (value: boolean) => void) => (
    <div class="field checkbox">
      <label for={id}>
        <input id={id} type="checkbox" checked={checked} aria-describedby={`${id}-hint`} onChange={(event) => onChange(event.currentTarget.checked)} /> {label}
      </label>
      <small class="hint" id={`${id}-hint`}>
        {hint}
      </small>
    </div>
  );
  return (
    <Form class="panel" noValidate onSubmit={save.run}>
      <h2>{t('provider')}</h2>
      <ErrorBanner error={save.error} placed={placed} />
      {saved && (
        <p class="banner success" role="status">
          {t('saved')}
        </p>
      )}
      <Field id="sso-redirect-uri" label={t('redirectUri')} hint={t('redirectUriHint')}>
        <div class="copy-row">
          <input
            readOnly
            id="sso-redirect-uri"
            dir="ltr"
            value={config.redirect_uri}
            aria-describedby="sso-redirect-uri-hint"
            onFocus={(event) => event.currentTarget.select()}
          />
          <CopyButton text={config.redirect_uri} label={t('copyRedirect')} />
        </div>
      </Field>
      <TextInput
        id="sso-issuer"
        label={t('issuer')}
        type="url"
        value={issuer}
        onInput={setIssuer}
        required
        hint={t('issuerHint')}
        errors={errorsFor(save.error, 'issuer')}
      />
      <TextInput id="sso-client-id" label={t('clientId')} value={clientId} onInput={setClientId} required errors={errorsFor(save.error, 'client_id')} />
      <TextInput
        id="sso-client-secret"
        label={t('clientSecret')}
        type="password"
        autoComplete="new-password"
        value={secret}
        onInput={setSecret}
        hint={config.has_secret ? t('clientSecretKeep') : t('clientSecretHint')}
        errors={errorsFor(save.error, 'client_secret')}
      />
      {config.has_secret && !secret && (
        <div class="field checkbox">
          <label for="sso-remove-secret">
            <input id="sso-remove-secret" type="checkbox" checked={removeSecret} onChange={(event) => setRemoveSecret(event.currentTarget.checked)} />{' '}
            {t('removeSecret')}
          </label>
        </div>
      )}
      <fieldset class="sso-domains" aria-describedby="sso-domains-hint">
        <legend>{t('domains')}</legend>
        <small class="hint" id="sso-domains-hint">
          {t('domainsHint')}
        </small>
        {domains.length === 0 ? (
          <p class="muted">{t('noDomains')}</p>
        ) : (
          <ul class="chips">
            {domains.map((domain) => (
              <li key={domain} class="chip">
                <bdi dir="ltr">{domain}</bdi>
                <button
                  type="button"
                  class="chip-remove"
                  aria-label={t('removeDomain', { domain })}
                  title={t('removeDomain', { domain })}
                  onClick={() => setDomains(domains.filter((d) => d !== domain))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <div class="copy-row">
          <input
            id="sso-domain-input"
            dir="ltr"
            aria-label={t('domainInput')}
            placeholder="example.edu"
            value={domainInput}
            onInput={(event) => setDomainInput(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                addDomain();
              }
            }}
          />
          <button type="button" class="secondary" onClick={addDomain}>
            {t('addDomain')}
          </button>
        </div>
        {domainErrors.length > 0 && (
          <ul class="field-error" id="sso-domains-error">
            {domainErrors.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        )}
      </fieldset>
      <Field id="sso-default-role" label={t('defaultRole')} hint={t('defaultRoleHint')} errors={errorsFor(save.error, 'default_role_id')}>
        <select id="sso-default-role" value={roleId} aria-describedby="sso-default-role-hint" onChange={(event) => setRoleId(event.currentTarget.value)}>
          <option value="">{t('builtinMember')}</option>
          {(roles.data ?? [])
            .filter((role) => role.name !== 'owner' && role.name !== 'customer' && role.name !== 'member')
            .map((role) => (
              <option key={role.id} value={role.id}>
                {role.name}
              </option>
            ))}
        </select>
      </Field>
      {checkbox('sso-password-allowed', t('passwordAllowed'), t('passwordAllowedHint'), passwordAllowed, setPasswordAllowed)}
      {checkbox('sso-enabled', t('enabled'), t('enabledHint'), enabled, setEnabled)}
      <Submit busy={save.busy}>{t('save')}</Submit>
    </Form>
  );
}

function DomainVerification({ config, onVerified }: { config: SsoConfig; onVerified(): void }) {
  const tenant = useTenant();
  const verify = useAction(async (domain: string) => {
    await call('POST', `/tenant/sso/domains/${encodeURIComponent(domain)}/verify`, { tenant: tenant.slug });
    onVerified();
  });
  if (!config.configured || config.domains.length === 0) return null;
  return (
    <div class="panel">
      <h2>{t('verification')}</h2>
      <p class="muted">{t('verificationIntro', { tenant: tenant.name })}</p>
      <ErrorBanner error={verify.error} />
      <Table columns={[t('domain'), t('record'), t('status')]} actions>
        {config.domains.map((entry) => (
          <tr key={entry.domain}>
            <td>
              <bdi dir="ltr">{entry.domain}</bdi>
            </td>
            <td>
              <code dir="ltr" class="sso-record">
                {entry.verification.value}
              </code>{' '}
              <CopyButton text={entry.verification.value} />
            </td>
            <td>{entry.verified ? <span class="badge on">{t('verified')}</span> : <span class="badge warn">{t('notVerified')}</span>}</td>
            <td class="row-actions">
              {!entry.verified && (
                <button
                  type="button"
                  disabled={verify.busy}
                  aria-label={t('verifyDomain', { domain: entry.domain })}
                  onClick={() => void verify.run(entry.domain)}
                >
                  {t('verify')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
