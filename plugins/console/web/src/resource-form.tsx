import { useState } from 'preact/hooks';
import { call, get } from './api';
import { Breadcrumbs } from './breadcrumbs';
import { bodySchema, matchTemplate, openApi, type Screen } from './openapi';
import { inSentence, pluginOf, pluginWords } from './plugin-text';
import { resourceText } from './resource-messages';
import { appPath, recordNoun } from './resource-names';
import { navigate } from './router';
import { primaryScreenOn, screenPath } from './screen-links';
import { SchemaFields } from './schema-fields';
import { bodyFrom, draftsFor, fieldsOf, placedKeys, type Drafts } from './schema';
import { tenantPath, useTenant } from './session';
import { ErrorBanner, Form, Loading, PageHeader, Submit, useAction, useLoad } from './ui';
import { recordTitle } from './values';

type Collection = Extract<Screen, { kind: 'collection' }>;
type Item = Extract<Screen, { kind: 'item' }>;

/** The create form of a collection (`POST`) or the edit form of an item (`PATCH`, else `PUT`), from the body schema. */
export function ResourceForm({ screen, mode }: { screen: Collection | Item; mode: 'create' | 'edit' }) {
  const tenant = useTenant();
  const operation = mode === 'create' ? screen.route.operations.post : (screen.route.operations.patch ?? screen.route.operations.put);
  const method = mode === 'create' ? 'POST' : screen.route.operations.patch ? 'PATCH' : 'PUT';
  const plugin = pluginOf(screen.apiPath);
  const fields = fieldsOf(bodySchema(operation), { currency: tenant.currency, timeZone: tenant.timeZone, plugin });
  const collectionPath = screen.kind === 'item' ? screen.collectionPath : screen.apiPath;
  const label = screen.kind === 'item' && screen.singleton ? pluginWords(plugin, screen.apiPath.split('/').pop() ?? '') : recordNoun(tenant, collectionPath);
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
    // After create, the new record's own page (the POST answers it), else the record it was added to, else the list.
    const id = mode === 'create' ? data?.id : undefined;
    const target =
      screen.kind === 'item'
        ? screen.apiPath
        : screen.createdAt && (typeof id === 'string' || typeof id === 'number')
          ? `${screen.createdAt}/${encodeURIComponent(String(id))}`
          : screen.afterCreate;
    // A new record whose route has a primary screen (a course's curriculum builder) opens in it.
    const primary =
      screen.kind === 'collection' && target !== screen.afterCreate
        ? primaryScreenOn(tenant, matchTemplate(await openApi(), `/api/v1${target}`)?.template)
        : undefined;
    navigate(primary ? tenantPath(tenant.slug, screenPath(primary, target)) : appPath(tenant, target));
  });
  // Cancel goes back where the form was opened from when the form's own collection has no page (a course's modules).
  const unlisted = screen.kind === 'collection' && !screen.route.operations.get;
  const cancel = appPath(tenant, mode === 'edit' ? screen.apiPath : unlisted ? screen.afterCreate : collectionPath);
  const what = inSentence(label);
  if (!tenant.can(operation?.['x-permission']))
    return (
      <section>
        <PageHeader title={mode === 'create' ? resourceText('newRecord', { what }) : resourceText('editTitle', { what })} />
        <p class="banner error">{resourceText('noPermission')}</p>
      </section>
    );
  if (mode === 'edit' && original.loading) return <Loading />;
  return (
    <section class="narrow">
      <Breadcrumbs apiPath={`${screen.apiPath}/${mode === 'create' ? 'new' : 'edit'}`} />
      <PageHeader
        title={
          mode === 'create' ? resourceText('newRecord', { what }) : resourceText('editTitle', { what: original.data ? recordTitle(original.data, what) : what })
        }
      />
      <ErrorBanner error={original.error} />
      <Form class="panel" noValidate onSubmit={run}>
        <ErrorBanner error={error} placed={placedKeys(error, fields)} />
        {fields.length === 0 && <p>{resourceText('nothingToFill')}</p>}
        <SchemaFields fields={fields} drafts={current} onChange={setDrafts} error={error} idPrefix="field" local={local} />
        <div class="form-actions">
          {unlisted && mode === 'create' && window.history.length > 1 ? (
            <button type="button" class="secondary" onClick={() => window.history.back()}>
              {resourceText('cancel')}
            </button>
          ) : (
            <a class="button secondary" href={cancel}>
              {resourceText('cancel')}
            </a>
          )}
          <Submit busy={busy}>{mode === 'create' ? resourceText('create', { what }) : resourceText('saveChanges')}</Submit>
        </div>
      </Form>
    </section>
  );
}
