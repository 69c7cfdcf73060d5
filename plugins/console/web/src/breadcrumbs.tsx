/**
 * The way back from a generated screen: every list and record above it in its address (`Bio sites › My page ›
 * Blocks`), and for a record living at its own address (`/lms/lessons/<id>`) the records it names by id
 * (`course_id` → the course), so a child never strands its reader.
 */
import { get } from './api';
import { Icon } from './icons';
import { matchTemplate, openApi, screenFor, type OpenApiDocument } from './openapi';
import { appPath, collectionLabel, singular } from './resource-names';
import { pluginOf, pluginText } from './plugin-text';
import { resourceText } from './resource-messages';
import { useTenant, type TenantSession } from './session';
import { useLoad } from './ui';
import { recordTitle } from './values';

interface Crumb {
  apiPath: string;
  /** The English label (a collection's name, or what one of its records is called), translated when shown. */
  label: string;
  /** A record's own title, once loaded: shown as it is. */
  title?: string;
  /** A record whose title is loaded for the label. */
  record: boolean;
}

/**
 * Lists and records above `apiPath` (and itself when `self`: a plugin screen's record); `record` adds the parents a
 * record names by `<name>_id`.
 */
function crumbsOf(document: OpenApiDocument, tenant: TenantSession, apiPath: string, record?: Record<string, unknown>, self = false): Crumb[] {
  const parts = apiPath.split('/').filter(Boolean);
  const plugin = parts[0] ?? '';
  const crumbs: Crumb[] = [];
  for (let length = 2; length < parts.length + (self ? 1 : 0); length++) {
    const path = `/${parts.slice(0, length).join('/')}`;
    const screen = screenFor(document, path);
    if (screen.kind === 'collection' && screen.route.operations.get) crumbs.push({ apiPath: path, label: collectionLabel(tenant, path), record: false });
    else if (screen.kind === 'item' && screen.route.operations.get)
      crumbs.push({ apiPath: path, label: singular(collectionLabel(tenant, screen.collectionPath)), record: true });
  }
  if (crumbs.length === 0 && record) {
    // A record at its own address: its parents by reference, the nearest last (a lesson: its course).
    for (const [key, value] of Object.entries(record)) {
      const name = /^(.+)_id$/.exec(key)?.[1];
      if (!name || typeof value !== 'string' || key === 'tenant_id') continue;
      const collection = [`/${plugin}/${name}s`, `/${plugin}/${name}es`, `/${plugin}/${name.replace(/y$/, 'ies')}`].find(
        (candidate) =>
          matchTemplate(document, `/api/v1${candidate}/${value}`)?.operations.get && matchTemplate(document, `/api/v1${candidate}`)?.operations.get,
      );
      if (!collection || `${collection}/${value}` === apiPath) continue;
      crumbs.push({ apiPath: collection, label: collectionLabel(tenant, collection), record: false });
      crumbs.push({ apiPath: `${collection}/${value}`, label: singular(collectionLabel(tenant, collection)), record: true });
    }
  }
  return crumbs;
}

/**
 * The breadcrumb trail of a generated screen; nothing when it is a top-level list. `self`: `apiPath` is in the trail
 * too (a plugin's screen for that record or list).
 */
export function Breadcrumbs({ apiPath, record, self = false }: { apiPath: string; record?: Record<string, unknown> | undefined; self?: boolean }) {
  const tenant = useTenant();
  const recordKey = record ? JSON.stringify(Object.entries(record).filter(([key]) => key.endsWith('_id'))) : '';
  const trail = useLoad(async () => {
    const document = await openApi();
    const crumbs = crumbsOf(document, tenant, apiPath, record, self);
    // Records are named by their titles; a title that cannot be loaded leaves the generic label.
    return Promise.all(
      crumbs.map(async (crumb) => {
        if (!crumb.record) return crumb;
        try {
          const title = recordTitle(await get<Record<string, unknown>>(crumb.apiPath, { tenant: tenant.slug }), '').trim();
          return title ? { ...crumb, title } : crumb;
        } catch {
          return crumb;
        }
      }),
    );
  }, [apiPath, recordKey, self]);
  const crumbs = trail.data ?? [];
  if (crumbs.length === 0) return null;
  return (
    <nav class="breadcrumb" aria-label={resourceText('breadcrumbs')}>
      <ol>
        {crumbs.map((crumb, index) => (
          <li key={crumb.apiPath}>
            {index > 0 && <Icon name="chevron-right" size={14} class="icon-directional" />}
            <a href={appPath(tenant, crumb.apiPath)}>{crumb.title ?? pluginText(pluginOf(crumb.apiPath), crumb.label)}</a>
          </li>
        ))}
      </ol>
    </nav>
  );
}
