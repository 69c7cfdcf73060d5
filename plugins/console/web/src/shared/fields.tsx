/**
 * `<plinth-fields>`' rendering: the generated form's inputs (`SchemaFields`, the model of `fields/model.ts`) for a
 * plugin screen, inside the console's session (the widgets read the tenant's currency, zone and API from it).
 */
import { render } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { useLanguage } from '../i18n';
import { usePluginTranslations } from '../plugin-text';
import { bodyFrom, draftsFor, fieldsOf, placedKeys, type Drafts, type FieldSpec, type JsonSchema } from '../schema';
import { SchemaFields } from '../schema-fields';
import { currentSession, onSessionChange, SessionContext, useTenant } from '../session';
import { ErrorBanner } from '../ui';
import type { FieldsBody, SharedElement, SharedRenderer } from './define';
import { asApiError, pickFields } from './fields-model';

/** The properties a screen sets, as the renderer reads them. */
export interface FieldsProps {
  schema?: JsonSchema | undefined;
  value?: Record<string, unknown> | undefined;
  mode?: 'create' | 'edit' | undefined;
  plugin?: string | undefined;
  error?: unknown;
  only?: string[] | undefined;
}

let instances = 0;
const unsubscribe = new WeakMap<SharedElement, () => void>();

export const fieldsRenderer: SharedRenderer = {
  render(host) {
    if (!unsubscribe.has(host))
      unsubscribe.set(
        host,
        onSessionChange(() => fieldsRenderer.render(host)),
      );
    const session = currentSession();
    if (!session?.tenant) return;
    render(
      <SessionContext.Provider value={session}>
        <FieldsForm host={host} {...(host.props as FieldsProps)} />
      </SessionContext.Provider>,
      host,
    );
  },
  unmount(host) {
    unsubscribe.get(host)?.();
    unsubscribe.delete(host);
    host.reader = undefined;
    render(null, host);
  },
};

let generations = 0;

function FieldsForm({ host, schema, value, mode, plugin, error, only }: FieldsProps & { host: SharedElement }) {
  const tenant = useTenant();
  const language = useLanguage();
  usePluginTranslations();
  const fields = useMemo(
    () => pickFields(fieldsOf(schema, { currency: tenant.currency, timeZone: tenant.timeZone, plugin }), only),
    [schema, only, plugin, tenant.currency, tenant.timeZone, language],
  );
  const idPrefix = useMemo(() => `plinth-fields-${++instances}`, []);
  // What the user typed starts again from `value` when the record or the fields change (a new key).
  const generation = useMemo(() => ++generations, [value, fields]);
  const editing = (mode ?? (value ? 'edit' : 'create')) === 'edit';
  return <Inputs key={generation} host={host} fields={fields} value={value} editing={editing} error={asApiError(error)} idPrefix={idPrefix} />;
}

function Inputs(props: {
  host: SharedElement;
  fields: FieldSpec[];
  value: Record<string, unknown> | undefined;
  editing: boolean;
  error: unknown;
  idPrefix: string;
}) {
  const { host, fields, value, editing, error, idPrefix } = props;
  const [drafts, setDrafts] = useState(() => draftsFor(fields, value));
  // The drafts as last typed, for a `body()` called in the same task as the change (before a render).
  const latest = useRef(drafts);
  const [local, setLocal] = useState<Record<string, string[]>>({});
  host.reader = (): FieldsBody => {
    // Editing sends what changed from `value`; creating, the whole form.
    const found = bodyFrom(fields, latest.current, editing ? (value ?? {}) : undefined);
    setLocal(found.problems);
    return found;
  };
  const onChange = (next: Drafts) => {
    latest.current = next;
    setDrafts(next);
    host.dispatchEvent(new CustomEvent('plinth-change', { bubbles: true }));
  };
  // Field messages of the API the inputs shown do not place (a property left out by `only`) go above them.
  const placed = placedKeys(error, fields);
  const unplaced = error instanceof ApiError && Object.keys(error.errors).some((key) => !placed.includes(key));
  return (
    <div class="plinth-fields">
      {unplaced && <ErrorBanner error={error} placed={placed} />}
      <SchemaFields fields={fields} drafts={drafts} onChange={onChange} error={error} idPrefix={idPrefix} local={local} />
    </div>
  );
}
