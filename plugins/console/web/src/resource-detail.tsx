import { useState } from 'preact/hooks';
import { call, get } from './api';
import { Breadcrumbs } from './breadcrumbs';
import { Icon } from './icons';
import { ItemActionButtons } from './item-actions';
import { bodySchema, humanize, responseSchema, type ItemAction, type OpenApiDocument, type Related, type Screen } from './openapi';
import { isRecordList, RecordTable } from './record-table';
import { appPath, recordNoun } from './resource-names';
import { inSentence, pluginOf, pluginSingular, pluginText, pluginWords } from './plugin-text';
import { resourceText } from './resource-messages';
import { refOf, RefValue } from './ref-value';
import { navigate } from './router';
import { ScreenButtons } from './screen-buttons';
import { screensOn } from './screen-links';
import { SchemaFields } from './schema-fields';
import { bodyFrom, draftsFor, fieldsOf, placedKeys, type Drafts, type JsonSchema } from './schema';
import { useTenant } from './session';
import { Dialog, DialogActions, ErrorBanner, Form, Loading, PageHeader, useAction, useLoad } from './ui';
import { DetailValue, recordTitle } from './values';

type Item = Extract<Screen, { kind: 'item' }>;
type Row = Record<string, unknown>;

/** Shown last (or not at all): what identifies the record to the machine rather than to people. */
const technical = /^(id|tenant_id|.*_id|.*_ids|created_at|updated_at)$/;

/** One record of a plugin resource (or a view of one: a report, analytics, a quiz): its fields, edit and delete, actions and related records. */
export function ResourceDetail({ screen, document }: { screen: Item; document: OpenApiDocument }) {
  const tenant = useTenant();
  const { operations } = screen.route;
  const record = useLoad(() => (operations.get ? get<Row | Row[]>(screen.apiPath, { tenant: tenant.slug }) : Promise.resolve({})), [screen.apiPath]);
  const [action, setAction] = useState<ItemAction>();
  const [done, setDone] = useState<string>();
  const plugin = pluginOf(screen.apiPath);
  const context = { currency: tenant.currency, timeZone: tenant.timeZone, plugin };
  const lastSegment = screen.apiPath.split('/').pop() ?? '';
  const label = screen.singleton ? pluginWords(plugin, lastSegment) : recordNoun(tenant, screen.collectionPath);
  const update = operations.patch ?? operations.put;
  const remove = useAction(async () => {
    if (!window.confirm(resourceText('deleteThisConfirm', { what: inSentence(label) }))) return;
    await call('DELETE', screen.apiPath, { tenant: tenant.slug });
    navigate(appPath(tenant, screen.collectionPath));
  });
  const run = useAction(async (chosen: ItemAction) => {
    const schema = bodySchema(chosen.operation);
    if (schema?.properties && Object.keys(schema.properties).length > 0) return setAction(chosen);
    if (!window.confirm(resourceText('actionConfirm', { action: actionLabel(chosen) }))) return;
    await call('POST', chosen.apiPath, { tenant: tenant.slug, ...(schema ? { body: {} } : {}) });
    setDone(resourceText('actionDone', { action: actionLabel(chosen) }));
    record.reload();
  });
  const base = appPath(tenant, screen.apiPath);
  const loaded = record.data;
  const data: Row = loaded && !Array.isArray(loaded) ? loaded : {};
  const schema = responseSchema(operations.get);
  const title = screen.singleton ? label : loaded && !Array.isArray(loaded) ? recordTitle(data, label) : label;
  const entries = Object.entries(data).filter(([key]) => !/^(tenant_id)$/.test(key));
  const plain = entries.filter(([, value]) => !isRecordList(value));
  const lists = entries.filter(([, value]) => isRecordList(value));
  // What the forms know of a property the answer describes more plainly (its title, the records it references).
  const formSchema = formSchemaOf(document, screen);
  const property = (key: string) => schema?.properties?.[key];
  const titled = (key: string) => (property(key)?.title || !formSchema?.properties?.[key]?.title ? schema : formSchema);
  const reference = (key: string) => refOf(property(key)) ?? refOf(formSchema?.properties?.[key]);
  const isTechnical = (key: string) => technical.test(key) && !reference(key);
  const ordered = [...plain.filter(([key]) => !isTechnical(key)), ...plain.filter(([key]) => isTechnical(key))];
  const screens = screensOn(tenant, screen.route.template);
  // A plugin screen showing a view (its analytics, with charts) stands in for the view's generated page.
  const related = screen.children.filter((entry) => entry.kind !== 'view' || !screens.some((link) => link.screen.label === entry.label));
  return (
    <section>
      <Breadcrumbs apiPath={screen.apiPath} record={data} />
      <PageHeader title={title}>
        <ScreenButtons links={screens} apiPath={screen.apiPath} />
        {update && tenant.can(update['x-permission']) && (
          <a class="button" href={`${base}/edit`}>
            <Icon name="edit" /> {resourceText('edit')}
          </a>
        )}
        <ItemActionButtons actions={screen.actions} busy={run.busy} onRun={(chosen) => void run.run(chosen)} />
        {operations.delete && tenant.can(operations.delete['x-permission']) && (
          <button type="button" class="danger" disabled={remove.busy} onClick={() => void remove.run()}>
            <Icon name="trash" /> {resourceText('delete')}
          </button>
        )}
      </PageHeader>
      {done && (
        <p class="banner success" role="status">
          {done}
        </p>
      )}
      <ErrorBanner error={remove.error ?? run.error} />
      {related.length > 0 && <RelatedLinks related={related} />}
      {record.loading && !record.data ? (
        <Loading />
      ) : record.error ? (
        <ErrorBanner error={record.error} />
      ) : Array.isArray(loaded) ? (
        isRecordList(loaded) ? (
          <RecordTable document={document} parentPath={screen.collectionPath} name={lastSegment} rows={loaded} schema={schema} context={context} />
        ) : (
          <DetailValue name={lastSegment} value={loaded} row={{}} context={context} />
        )
      ) : (
        <>
          <dl class="record">
            {ordered.map(([key, value]) => (
              <div key={key}>
                <dt>{fieldLabel(plugin, titled(key), key)}</dt>
                <dd>
                  {reference(key) ? (
                    <RefValue reference={reference(key)!} value={value} document={document} />
                  ) : (
                    <DetailValue name={key} value={value} schema={property(key)} row={data} context={context} />
                  )}
                </dd>
              </div>
            ))}
          </dl>
          {lists.map(([key, value]) => (
            <section key={key} class="record-children" aria-labelledby={`children-${key}`}>
              <h2 id={`children-${key}`}>{fieldLabel(plugin, schema, key)}</h2>
              <RecordTable
                document={document}
                parentPath={screen.apiPath}
                name={key}
                rows={value as Row[]}
                schema={schema?.properties?.[key]}
                context={context}
              />
            </section>
          ))}
        </>
      )}
      {action && (
        <ActionDialog
          action={action}
          onClose={() => setAction(undefined)}
          onDone={() => {
            setDone(resourceText('actionDone', { action: actionLabel(action) }));
            setAction(undefined);
            record.reload();
          }}
        />
      )}
    </section>
  );
}

/** The body schema of the record's update route, else of the route creating such records. */
function formSchemaOf(document: OpenApiDocument, screen: Item): JsonSchema | undefined {
  const { operations, template } = screen.route;
  const update = bodySchema(operations.patch ?? operations.put);
  if (update?.properties) return update;
  return bodySchema(document.paths[template.slice(0, template.lastIndexOf('/'))]?.post);
}

function fieldLabel(plugin: string | undefined, schema: JsonSchema | undefined, key: string): string {
  return pluginText(plugin, schema?.properties?.[key]?.title ?? humanize(key));
}

/** An item action's label (`Publish`) in the console's language. */
function actionLabel(action: ItemAction): string {
  return pluginText(pluginOf(action.apiPath), action.label);
}

/** A record's related screens as tabs-like links: its child lists and views, and forms adding children. */
function RelatedLinks({ related }: { related: Related[] }) {
  const tenant = useTenant();
  return (
    <nav aria-label={resourceText('related')} class="related">
      <ul>
        {related.map((entry) => (
          <li key={entry.path}>
            {entry.kind === 'create' ? (
              <a class="button secondary" href={appPath(tenant, `${entry.path}/new`)}>
                <Icon name="plus" /> {resourceText('add', { what: inSentence(pluginSingular(pluginOf(entry.path), entry.label)) })}
              </a>
            ) : (
              <a class="button secondary" href={appPath(tenant, entry.path)}>
                <Icon name={entry.kind === 'view' ? 'chart' : 'chevron-right'} class={entry.kind === 'view' ? undefined : 'icon-directional'} />{' '}
                {pluginText(pluginOf(entry.path), entry.label)}
              </a>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The form of an item action whose body has fields (e.g. `POST …/{id}/send` with options). */
function ActionDialog({ action, onClose, onDone }: { action: ItemAction; onClose(): void; onDone(): void }) {
  const tenant = useTenant();
  const fields = fieldsOf(bodySchema(action.operation), { currency: tenant.currency, timeZone: tenant.timeZone, plugin: pluginOf(action.apiPath) });
  const [drafts, setDrafts] = useState<Drafts>(() => draftsFor(fields));
  const [local, setLocal] = useState<Record<string, string[]>>({});
  const { busy, error, run } = useAction(async () => {
    const { body, problems } = bodyFrom(fields, drafts);
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    await call('POST', action.apiPath, { tenant: tenant.slug, body });
    onDone();
  });
  return (
    <Dialog title={actionLabel(action)} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        {action.operation.summary && <p class="muted">{pluginText(pluginOf(action.apiPath), action.operation.summary)}</p>}
        <ErrorBanner error={error} placed={placedKeys(error, fields)} />
        <SchemaFields fields={fields} drafts={drafts} onChange={setDrafts} error={error} idPrefix="action" local={local} />
        <DialogActions onCancel={onClose} busy={busy}>
          {actionLabel(action)}
        </DialogActions>
      </Form>
    </Dialog>
  );
}
