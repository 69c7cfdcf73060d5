import { useState } from 'preact/hooks';
import { call, get } from './api';
import { bodySchema, type Screen } from './openapi';
import { appPath, collectionLabel, singular } from './resource-names';
import { navigate } from './router';
import { SchemaFields } from './schema-fields';
import { bodyFrom, draftsFor, fieldsOf, placedKeys, type Drafts } from './schema';
import { useTenant } from './session';
import { ErrorBanner, Form, Loading, PageHeader, Submit, useAction, useLoad } from './ui';
import { recordTitle } from './values';

type Collection = Extract<Screen, { kind: 'collection' }>;
type Item = Extract<Screen, { kind: 'item' }>;

/** The create form of a collection (`POST`) or the edit form of an item (`PATCH`, else `PUT`), from the body schema. */
export function ResourceForm({ screen, mode }: { screen: Collection | Item; mode: 'create' | 'edit' }) {
  const tenant = useTenant();
  const operation = mode === 'create' ? screen.route.operations.post : (screen.route.operations.patch ?? screen.route.operations.put);
  const method = mode === 'create' ? 'POST' : screen.route.operations.patch ? 'PATCH' : 'PUT';
  const fields = fieldsOf(bodySchema(operation));
  const collectionPath = screen.kind === 'item' ? screen.collectionPath : screen.apiPath;
  const label = singular(collectionLabel(tenant, collectionPath));
  const original = useLoad(
    () => (mode === 'edit' && screen.route.operations.get ? get<Record<string, unknown>>(screen.apiPath, { tenant: tenant.slug }) : Promise.resolve(undefined)),
    [screen.apiPath, mode],
  );
  const [drafts, setDrafts] = useState<Drafts>();
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const current = drafts ?? draftsFor(fields, original.data);
  const { busy, error, run } = useAction(async () => {
    // PATCH sends what changed; PUT and POST send the whole form.
    const { body, problems } = bodyFrom(fields, current, method === 'PATCH' ? original.data : undefined);
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    const { data } = await call<Record<string, unknown> | undefined>(method, screen.apiPath, { tenant: tenant.slug, body });
    const id = mode === 'create' ? data?.id : undefined;
    const target =
      mode === 'edit'
        ? screen.apiPath
        : screen.kind === 'collection' && screen.item?.operations.get && id !== undefined
          ? `${screen.apiPath}/${encodeURIComponent(String(id))}`
          : collectionPath;
    navigate(appPath(tenant, target));
  });
  const cancel = appPath(tenant, mode === 'edit' ? screen.apiPath : collectionPath);
  if (!tenant.can(operation?.['x-permission']))
    return (
      <section>
        <PageHeader title={mode === 'create' ? `New ${label.toLowerCase()}` : `Edit ${label.toLowerCase()}`} />
        <p class="banner error">You do not have the permission to do this here.</p>
      </section>
    );
  if (mode === 'edit' && original.loading) return <Loading />;
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href={appPath(tenant, collectionPath)}>← {collectionLabel(tenant, collectionPath)}</a>
      </p>
      <PageHeader
        title={
          mode === 'create' ? `New ${label.toLowerCase()}` : `Edit ${original.data ? recordTitle(original.data, label.toLowerCase()) : label.toLowerCase()}`
        }
      />
      <ErrorBanner error={original.error} />
      <Form class="panel" noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={placedKeys(error, fields)} />
        {fields.length === 0 && <p>There is nothing to fill in.</p>}
        <SchemaFields fields={fields} drafts={current} onChange={setDrafts} error={error} idPrefix="field" local={local} />
        <div class="form-actions">
          <a class="button secondary" href={cancel}>
            Cancel
          </a>
          <Submit busy={busy}>{mode === 'create' ? `Create ${label.toLowerCase()}` : 'Save changes'}</Submit>
        </div>
      </Form>
    </section>
  );
}
