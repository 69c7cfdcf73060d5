import { useState } from 'preact/hooks';
import { ApiError, call } from './api';
import { identityText as t, reasonText } from './identity-messages';
import { useLocation } from './router';
import type { SignInProvider } from './sign-in-providers';
import { Dialog, ErrorBanner, Form, Loading, useAction, useLoad, When } from './ui';
import './identity.css';

/** `GET /me/identities`. */
interface LinkedIdentity {
  id: string;
  provider: SignInProvider | null;
  tenant: { slug: string; name: string } | null;
  email: string | null;
  created_at: string;
  last_used_at: string | null;
}

function identityName(identity: LinkedIdentity): string {
  return identity.provider?.name ?? (identity.tenant ? t('singleSignOn', { tenant: identity.tenant.name }) : '?');
}

/**
 * The accounts at providers (Google, a school's single sign-on…) linked to this one (issue 23): link another (a full
 * trip to the provider, back to `/account?linked=…` or `?link_error=…`), unlink one with confirmation.
 */
export function AccountIdentities() {
  const location = useLocation();
  const identities = useLoad(async () => (await call<LinkedIdentity[]>('GET', '/me/identities')).data, []);
  const providers = useLoad(async () => (await call<SignInProvider[]>('GET', '/auth/providers', { anonymous: true })).data, []);
  const [notice, setNotice] = useState<string>();
  const [unlinking, setUnlinking] = useState<LinkedIdentity>();
  const linkedSlug = location.query.get('linked');
  const linkError = location.query.get('link_error');
  const link = useAction(async (provider: SignInProvider) => {
    const { data } = await call<{ url: string }>('POST', '/me/identities', { body: { provider: provider.slug } });
    window.location.assign(data.url);
  });
  const linkedName = linkedSlug ? (providers.data?.find((p) => p.slug === linkedSlug)?.name ?? linkedSlug) : undefined;
  return (
    <div class="panel" id="identities">
      <h2>{t('title')}</h2>
      <p>{t('intro')}</p>
      {linkedName && (
        <p class="banner success" role="status">
          {t('linkedBanner', { name: linkedName })}
        </p>
      )}
      {linkError && (
        <p class="banner error" role="alert">
          {t('linkFailed', { reason: reasonText(linkError) })}
        </p>
      )}
      {notice && (
        <p class="banner success" role="status">
          {notice}
        </p>
      )}
      <ErrorBanner error={identities.error ?? link.error} />
      {identities.loading && !identities.data ? (
        <Loading />
      ) : identities.data && identities.data.length > 0 ? (
        <ul class="identity-list" aria-label={t('title')}>
          {identities.data.map((identity) => (
            <li key={identity.id}>
              <div>
                <div class="identity-name">{identityName(identity)}</div>
                <div class="identity-facts">
                  {identity.email && (
                    <span>
                      {t('email')}: <bdi dir="ltr">{identity.email}</bdi>
                    </span>
                  )}
                  <span>
                    {t('lastUsed')}: <When value={identity.last_used_at} />
                  </span>
                </div>
              </div>
              <button type="button" class="secondary" aria-label={t('unlinkName', { name: identityName(identity) })} onClick={() => setUnlinking(identity)}>
                {t('unlink')}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('none')}</p>
      )}
      {providers.data && providers.data.length > 0 && (
        <div class="identity-link-buttons">
          {providers.data.map((provider) => (
            <button key={provider.slug} type="button" class="secondary" disabled={link.busy} onClick={() => void link.run(provider)}>
              {t('link', { name: provider.name })}
            </button>
          ))}
        </div>
      )}
      {unlinking && (
        <UnlinkDialog
          identity={unlinking}
          onClose={() => setUnlinking(undefined)}
          onUnlinked={() => {
            setUnlinking(undefined);
            setNotice(t('unlinked'));
            identities.reload();
          }}
        />
      )}
    </div>
  );
}

function UnlinkDialog({ identity, onClose, onUnlinked }: { identity: LinkedIdentity; onClose(): void; onUnlinked(): void }) {
  const name = identityName(identity);
  const { busy, error, run } = useAction(async () => {
    try {
      await call('DELETE', `/me/identities/${identity.id}`);
    } catch (caught) {
      // The API's 409 says what is wrong; the console says what to do about it.
      throw caught instanceof ApiError && caught.code === 'last_sign_in_method' ? new Error(t('lastWay')) : caught;
    }
    onUnlinked();
  });
  return (
    <Dialog title={t('unlinkTitle', { name })} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} />
        <p>{t('unlinkBody', { name })}</p>
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="submit" class="danger" disabled={busy} aria-busy={busy ? 'true' : undefined}>
            {t('unlinkConfirm')}
          </button>
        </div>
      </Form>
    </Dialog>
  );
}
