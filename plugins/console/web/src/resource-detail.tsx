import { useState } from 'preact/hooks';
import { call, get } from './api';
import { ItemActionButtons } from './item-actions';
import { bodySchema, humanize, type ItemAction, type Screen } from './openapi';
import { appPath, collectionLabel, singular } from './resource-names';
import { navigate } from './router';
import { SchemaFields } from './schema-fields';
import { bodyFrom, draftsFor, fieldsOf, placedKeys, type Drafts } from './schema';
import { useTenant } from './session';
import { Dialog, DialogActions, ErrorBanner, Form, Loading, PageHeader, useAction, useLoad } from './ui';
import { DetailValue, recordTitle } from './values';

type Item = Extract<Screen, { kind: 'item' }>;

/** One record of a plugin resource: its fields, edit and delete, its actions and sub-collections. */
export function ResourceDetail({ screen }: { screen: Item }) {
  const tenant = useTenant();
  const { operations } = screen.route;
  const record = useLoad(
    () => (operations.get ? get<Record<string, unknown>>(screen.apiPath, { tenant: tenant.slug }) : Promise.resolve({})),
    [screen.apiPath],
  );
  const [action, setAction] = useState<ItemAction>();
  const [done, setDone] = useState<string>();
  const label = singular(collectionLabel(tenant, screen.collectionPath));
  const update = operations.patch ?? operations.put;
  const remove = useAction(async () => {
    if (!window.confirm(`Delete this ${label.toLowerCase()}? This cannot be undone.`)) return;
    await call('DELETE', screen.apiPath, { tenant: tenant.slug });
    navigate(appPath(tenant, screen.collectionPath));
  });
  const run = useAction(async (chosen: ItemAction) => {
    const schema = bodySchema(chosen.operation);
    if (schema?.properties && Object.keys(schema.properties).length > 0) return setAction(chosen);
    if (!window.confirm(`${chosen.label}?`)) return;
    await call('POST', chosen.apiPath, { tenant: tenant.slug, ...(schema ? { body: {} } : {}) });
    setDone(`${chosen.label}: done.`);
    record.reload();
  });
  const base = appPath(tenant, screen.apiPath);
  const data = record.data ?? {};
  return (
    <section>
      <p class="breadcrumb">
        <a href={appPath(tenant, screen.collectionPath)}>← {collectionLabel(tenant, screen.collectionPath)}</a>
      </p>
      <PageHeader title={record.data ? recordTitle(data, label) : label}>
        {update && tenant.can(update['x-permission']) && (
          <a class="button" href={`${base}/edit`}>
            Edit
          </a>
        )}
        <ItemActionButtons actions={screen.actions} busy={run.busy} onRun={(action) => void run.run(action)} />
        {operations.delete && tenant.can(operations.delete['x-permission']) && (
          <button type="button" class="danger" disabled={remove.busy} onClick={() => void remove.run()}>
            Delete
          </button>
        )}
      </PageHeader>
      {done && (
        <p class="banner success" role="status">
          {done}
        </p>
      )}
      <ErrorBanner error={remove.error ?? run.error} />
      {record.loading && !record.data ? (
        <Loading />
      ) : record.error ? (
        <ErrorBanner error={record.error} />
      ) : (
        <dl class="record">
          {Object.entries(data).map(([key, value]) => (
            <div key={key}>
              <dt>{humanize(key)}</dt>
              <dd>
                <DetailValue value={value} />
              </dd>
            </div>
          ))}
        </dl>
      )}
      {screen.children.length > 0 && (
        <nav aria-label="Related" class="related">
          <h2>Related</h2>
          <ul>
            {screen.children.map((child) => (
              <li key={child.path}>
                <a href={appPath(tenant, child.path)}>{child.label}</a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {action && (
        <ActionDialog
          action={action}
          onClose={() => setAction(undefined)}
          onDone={() => {
            setDone(`${action.label}: done.`);
            setAction(undefined);
            record.reload();
          }}
        />
      )}
    </section>
  );
}

/** The form of an item action whose body has fields (e.g. `POST …/{id}/send` with options). */
function ActionDialog({ action, onClose, onDone }: { action: ItemAction; onClose(): void; onDone(): void }) {
  const tenant = useTenant();
  const fields = fieldsOf(bodySchema(action.operation));
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
    <Dialog title={action.label} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        {action.operation.summary && <p class="muted">{action.operation.summary}</p>}
        <ErrorBanner error={error} placed={placedKeys(error, fields)} />
        <SchemaFields fields={fields} drafts={drafts} onChange={setDrafts} error={error} idPrefix="action" local={local} />
        <DialogActions onCancel={onClose} busy={busy}>
          {action.label}
        </DialogActions>
      </Form>
    </Dialog>
  );
}
