import { useState } from 'preact/hooks';
import { call } from './api';
import { LoadedList, Table } from './list';
import { PermissionPicker, useCatalogue } from './roles';
import { useTenant } from './session';
import { CopyButton, Dialog, DialogActions, ErrorBanner, errorsFor, Form, Loading, PageHeader, TextInput, useAction, useLoad, When } from './ui';

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
    if (!window.confirm(`Revoke ${token.name}? Programs using it stop working at once.`)) return;
    await call('DELETE', `/api-tokens/${token.id}`, { tenant: tenant.slug });
    tokens.reload();
  });
  return (
    <section>
      <PageHeader title="API tokens">
        {manage && (
          <button type="button" onClick={() => setCreating(true)}>
            New token
          </button>
        )}
      </PageHeader>
      <p class="muted">
        Programs call the API with <code>Authorization: Bearer plt_…</code> and <code>X-Tenant: {tenant.slug}</code>. A token holds at most your own
        permissions.
      </p>
      {secret?.token && (
        <div class="banner success" role="status">
          <p>
            <strong>Copy the token {secret.name} now:</strong> it is shown only this once.
          </p>
          <div class="copy-row">
            <input readOnly aria-label="New API token" id="new-token" value={secret.token} onFocus={(event) => event.currentTarget.select()} />
            <CopyButton text={secret.token} />
          </div>
          <button type="button" class="secondary" onClick={() => setSecret(undefined)}>
            I have copied it
          </button>
        </div>
      )}
      <ErrorBanner error={revoke.error} />
      <LoadedList list={tokens} items={tokens.data?.data} empty="No API token yet.">
        {(items) => (
          <Table columns={['Name', 'Prefix', 'Permissions', 'Last used', 'Expires']} actions={manage}>
            {items.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>
                  <code>plt_{token.prefix}…</code>
                </td>
                <td>{token.permissions.join(', ')}</td>
                <td>
                  <When value={token.last_used_at} />
                </td>
                <td>
                  <When value={token.expires_at} />
                </td>
                {manage && (
                  <td class="row-actions">
                    <button type="button" class="secondary" onClick={() => void revoke.run(token)}>
                      Revoke
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
    <Dialog title="New API token" onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={['name', 'permissions', 'expires_at']} />
        <TextInput
          id="token-name"
          label="Name"
          value={name}
          onInput={setName}
          required
          hint="What uses it, e.g. “nightly export”."
          errors={errorsFor(error, 'name')}
        />
        <TextInput id="token-expires" label="Expires on (optional)" type="date" value={expires} onInput={setExpires} errors={errorsFor(error, 'expires_at')} />
        {catalogue.data ? (
          <PermissionPicker catalogue={catalogue.data} selected={permissions} onChange={setPermissions} error={error} allowed={tenant.permissions} />
        ) : (
          <Loading />
        )}
        <DialogActions onCancel={onClose} busy={busy}>
          Create token
        </DialogActions>
      </Form>
    </Dialog>
  );
}
