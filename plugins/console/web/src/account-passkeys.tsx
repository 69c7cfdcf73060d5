import { useState } from 'preact/hooks';
import { ApiError, call } from './api';
import { passkeyText as t } from './passkeys-messages';
import { passkeyRegistration } from './sign-in-passkey';
import { Dialog, DialogActions, ErrorBanner, errorsFor, Form, Loading, Submit, TextInput, useAction, useLoad, When } from './ui';
import './passkeys.css';

interface Passkey {
  id: string;
  name: string;
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  created_at: string;
  last_used_at: string | null;
}

/** The account's passkeys: add one (named), rename, remove with confirmation (a 409 explains the last way to sign in). */
export function AccountPasskeys() {
  const passkeys = useLoad(async () => (await call<Passkey[]>('GET', '/me/passkeys')).data, []);
  const [name, setName] = useState('');
  // Kept as what happened, not as text: it is said in the language chosen after it, too.
  const [notice, setNotice] = useState<{ added: string } | 'removed'>();
  const [renaming, setRenaming] = useState<Passkey>();
  const [removing, setRemoving] = useState<Passkey>();
  const add = useAction(async () => {
    setNotice(undefined);
    const response = await passkeyRegistration();
    const { data } = await call<Passkey>('POST', '/me/passkeys', { body: { response, ...(name.trim() ? { name: name.trim() } : {}) } });
    setName('');
    setNotice({ added: data.name });
    passkeys.reload();
  });
  return (
    <div class="panel" id="passkeys">
      <h2>{t('title')}</h2>
      <p>{t('intro')}</p>
      {notice && (
        <p class="banner success" role="status">
          {notice === 'removed' ? t('removed') : t('addedBanner', { name: notice.added })}
        </p>
      )}
      <ErrorBanner error={passkeys.error} />
      {passkeys.loading && !passkeys.data ? (
        <Loading />
      ) : passkeys.data && passkeys.data.length > 0 ? (
        <ul class="passkey-list" aria-label={t('title')}>
          {passkeys.data.map((passkey) => (
            <li key={passkey.id}>
              <div>
                <div class="passkey-name">{passkey.name}</div>
                <div class="passkey-facts">
                  <span>
                    {t('added')}: <When value={passkey.created_at} />
                  </span>
                  <span>
                    {t('lastUsed')}: <When value={passkey.last_used_at} />
                  </span>
                  {passkey.backed_up ? (
                    <span class="badge on" title={t('syncedHint')}>
                      {t('synced')}
                    </span>
                  ) : (
                    <span class="badge">{t('thisDevice')}</span>
                  )}
                </div>
              </div>
              <div class="passkey-actions">
                <button type="button" class="secondary" aria-label={t('renameName', { name: passkey.name })} onClick={() => setRenaming(passkey)}>
                  {t('rename')}
                </button>
                <button type="button" class="secondary" aria-label={t('removeName', { name: passkey.name })} onClick={() => setRemoving(passkey)}>
                  {t('remove')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('none')}</p>
      )}
      <Form class="passkey-add" noValidate onSubmit={add.run}>
        <ErrorBanner error={add.error} placed={['name']} />
        <TextInput id="passkey-name" label={t('name')} value={name} onInput={setName} hint={t('nameHint')} errors={errorsFor(add.error, 'name')} />
        <Submit busy={add.busy}>{t('addPasskey')}</Submit>
      </Form>
      {renaming && (
        <RenameDialog
          passkey={renaming}
          onClose={() => setRenaming(undefined)}
          onRenamed={() => {
            setRenaming(undefined);
            passkeys.reload();
          }}
        />
      )}
      {removing && (
        <RemoveDialog
          passkey={removing}
          onClose={() => setRemoving(undefined)}
          onRemoved={() => {
            setRemoving(undefined);
            setNotice('removed');
            passkeys.reload();
          }}
        />
      )}
    </div>
  );
}

function RenameDialog({ passkey, onClose, onRenamed }: { passkey: Passkey; onClose(): void; onRenamed(): void }) {
  const [name, setName] = useState(passkey.name);
  const { busy, error, run } = useAction(async () => {
    await call('PATCH', `/me/passkeys/${passkey.id}`, { body: { name: name.trim() } });
    onRenamed();
  });
  return (
    <Dialog title={t('renameTitle')} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={['name']} />
        <TextInput id="passkey-rename" label={t('name')} value={name} onInput={setName} required errors={errorsFor(error, 'name')} />
        <DialogActions onCancel={onClose} busy={busy}>
          {t('save')}
        </DialogActions>
      </Form>
    </Dialog>
  );
}

function RemoveDialog({ passkey, onClose, onRemoved }: { passkey: Passkey; onClose(): void; onRemoved(): void }) {
  const { busy, error, run } = useAction(async () => {
    try {
      await call('DELETE', `/me/passkeys/${passkey.id}`);
    } catch (caught) {
      // The API's 409 says what is wrong; the console says what to do about it.
      throw caught instanceof ApiError && caught.code === 'last_sign_in_method' ? new Error(t('lastWay')) : caught;
    }
    onRemoved();
  });
  return (
    <Dialog title={t('removeTitle', { name: passkey.name })} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} />
        <p>{t('removeBody')}</p>
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
