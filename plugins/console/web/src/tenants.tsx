import { useState } from 'preact/hooks';
import { call } from './api';
import { slugify } from './auth';
import { adminText } from './admin-messages';
import { navigate } from './router';
import { tenantPath, useSession } from './session';
import { ErrorBanner, errorsFor, Form, PageHeader, Submit, TextInput, useAction } from './ui';

/** Creates a tenant owned by the signed-in user. */
export function NewTenantPage() {
  const { reloadMe } = useSession();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const { busy, error, run } = useAction(async () => {
    const { data } = await call<{ slug: string }>('POST', '/tenants', { body: { name, slug } });
    await reloadMe();
    navigate(tenantPath(data.slug));
  });
  return (
    <section class="narrow">
      <PageHeader title={adminText('newTenantTitle')} />
      <p>{adminText('newTenantHelp')}</p>
      <Form noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={['name', 'slug']} />
        <TextInput
          id="tenant-name"
          label={adminText('name')}
          value={name}
          required
          onInput={(value) => {
            setName(value);
            if (!slugEdited) setSlug(slugify(value));
          }}
          errors={errorsFor(error, 'name')}
        />
        <TextInput
          id="tenant-slug"
          label={adminText('slug')}
          value={slug}
          required
          hint={adminText('slugHint')}
          onInput={(value) => {
            setSlug(value);
            setSlugEdited(true);
          }}
          errors={errorsFor(error, 'slug')}
        />
        <Submit busy={busy}>{adminText('createTenant')}</Submit>
      </Form>
    </section>
  );
}
