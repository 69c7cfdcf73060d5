import { useState } from 'preact/hooks';
import { call, download } from './api';
import { Icon } from './icons';
import { ItemActionButtons } from './item-actions';
import { LoadedList, Table, type Column } from './list';
import { bodySchema, humanize, queryParameters, responseSchema, type Parameter, type Screen } from './openapi';
import { Breadcrumbs } from './breadcrumbs';
import { resourceText } from './resource-messages';
import { appPath, collectionTitle, recordNoun } from './resource-names';
import { inSentence, pluginOf, pluginText, pluginWords } from './plugin-text';
import { navigate, type Location } from './router';
import { ScreenButtons } from './screen-buttons';
import { primaryScreenOn, screenPath, screensOn } from './screen-links';
import type { JsonSchema } from './schema';
import { tenantPath, useTenant } from './session';
import { Empty, ErrorBanner, Form, PageHeader, Pager, useAction, useLoad } from './ui';
import { columnsFor, recordTitle, RichText, TypedValue, type ColumnSpec } from './values';

type Collection = Extract<Screen, { kind: 'collection' }>;
type Row = Record<string, unknown>;

const reserved = new Set(['page', 'per_page', 'q', 'sort']);

function choices(schema: JsonSchema | undefined): string[] | undefined {
  if (!schema) return undefined;
  if (schema.enum) return schema.enum.map(String);
  const variants = schema.anyOf ?? schema.oneOf;
  return variants?.every((variant) => variant.const !== undefined) ? variants.map((variant) => String(variant.const)) : undefined;
}

/** The `sort` values for a column, ascending and descending, as the route accepts them. */
function sortValues(parameter: Parameter | undefined, column: string): { asc?: string; desc?: string } {
  if (!parameter) return {};
  const allowed = choices(parameter.schema);
  if (!allowed) return { asc: column, desc: `-${column}` };
  const pick = (candidates: string[]) => candidates.find((candidate) => allowed.includes(candidate));
  return { asc: pick([column, `${column}:asc`, `+${column}`, `${column}_asc`]), desc: pick([`-${column}`, `${column}:desc`, `${column}_desc`]) };
}

/** A paginated list of a plugin resource: search, filters and sort where the route allows them. */
export function ResourceList({ screen, location }: { screen: Collection; location: Location }) {
  const tenant = useTenant();
  const list = screen.route.operations.get;
  const create = screen.route.operations.post;
  const item = screen.item;
  const parameters = queryParameters(list);
  const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
  const filters = parameters.filter((parameter) => !reserved.has(parameter.name));
  const plugin = pluginOf(screen.apiPath);
  const label = collectionTitle(tenant, screen.apiPath);
  const query = Object.fromEntries([...location.query].filter(([key]) => byName.has(key)));
  // Typed values wait for Search/Apply (or Enter); selects apply at once.
  const [drafts, setDrafts] = useState<Record<string, string>>(() => ({ ...query }));
  const draft = (name: string) => drafts[name] ?? '';
  const setDraft = (name: string, value: string) => setDrafts((current) => ({ ...current, [name]: value }));
  const apply = (changes: Record<string, string> = {}) => {
    const next = { ...drafts, ...changes };
    go(Object.fromEntries(['q', ...filters.map((parameter) => parameter.name)].map((name) => [name, next[name] || undefined])));
  };
  const rows = useLoad(
    () => (list ? call<Row[]>('GET', screen.apiPath, { tenant: tenant.slug, query }) : Promise.resolve(undefined)),
    [screen.apiPath, location.query.toString(), location.key],
  );
  const go = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(location.query);
    for (const [key, value] of Object.entries(changes))
      if (value) next.set(key, value);
      else next.delete(key);
    if (!('page' in changes)) next.delete('page');
    navigate(`${location.path}${next.size ? `?${next}` : ''}`);
  };
  const exporter = useAction(async (action: Collection['exports'][number]) => {
    // The list's filters, where the export route takes them too.
    const accepted = new Set(queryParameters(action.operation).map((parameter) => parameter.name));
    const filtersQuery = Object.fromEntries(Object.entries(query).filter(([key]) => accepted.has(key)));
    const { blob, filename } = await download(action.apiPath, { tenant: tenant.slug, query: filtersQuery });
    const url = URL.createObjectURL(blob);
    Object.assign(document.createElement('a'), { href: url, download: filename ?? `${screen.apiPath.split('/').pop()}.csv` }).click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  const remove = useAction(async (row: Row) => {
    if (!window.confirm(resourceText('deleteConfirm', { name: recordTitle(row, resourceText('thisRecord')) }))) return;
    await call('DELETE', `${screen.apiPath}/${encodeURIComponent(String(row.id))}`, { tenant: tenant.slug });
    rows.reload();
  });
  const data = Array.isArray(rows.data?.data) ? rows.data.data : [];
  const context = { currency: tenant.currency, timeZone: tenant.timeZone };
  const columns = columnsFor(data, responseSchema(list), Object.keys(bodySchema(create)?.properties ?? {}), () => tenant.currency);
  const canCreate = create && tenant.can(create['x-permission']);
  const canEdit = item && (item.operations.patch ?? item.operations.put) && tenant.can((item.operations.patch ?? item.operations.put)!['x-permission']);
  const canDelete = item?.operations.delete && tenant.can(item.operations.delete['x-permission']);
  const sortParameter = byName.get('sort');
  const activeFilters = filters.filter((parameter) => query[parameter.name]).length;
  const filtered = Object.keys(query).some((key) => key !== 'page' && key !== 'sort' && key !== 'per_page');
  const base = appPath(tenant, screen.apiPath);
  const headings = columns.map((column): Column => {
    const { asc, desc } = column.sortable ? sortValues(sortParameter, column.key) : {};
    const sort = !query.sort ? undefined : query.sort === asc ? 'ascending' : query.sort === desc ? 'descending' : undefined;
    const label =
      asc || desc ? (
        <button type="button" class="sort" onClick={() => go({ sort: sort === 'ascending' ? (desc ?? asc) : (asc ?? desc) })}>
          {pluginText(plugin, column.label)} <Icon name={sort === 'ascending' ? 'chevron-up' : sort === 'descending' ? 'chevron-down' : 'sort'} size={14} />
        </button>
      ) : (
        pluginText(plugin, column.label)
      );
    return { key: column.key, label, sort };
  });
  // A record with a primary screen (a site's editor) opens in it rather than in the generic detail page.
  const primary = primaryScreenOn(tenant, item?.template);
  const rowHref = (row: Row) => {
    if (row.id === undefined) return undefined;
    const recordPath = `${screen.apiPath}/${encodeURIComponent(String(row.id))}`;
    if (primary) return tenantPath(tenant.slug, screenPath(primary, recordPath));
    return item?.operations.get ? appPath(tenant, recordPath) : undefined;
  };

  return (
    <section>
      <Breadcrumbs apiPath={screen.apiPath} />
      <PageHeader title={label}>
        <ItemActionButtons actions={screen.exports} busy={exporter.busy} onRun={(action) => void exporter.run(action)} />
        <ScreenButtons links={screensOn(tenant, screen.route.template)} apiPath={screen.apiPath} />
        {canCreate && (
          <a class="button" href={`${base}/new`}>
            <Icon name="plus" /> {resourceText('newRecord', { what: inSentence(recordNoun(tenant, screen.apiPath)) })}
          </a>
        )}
      </PageHeader>
      {list?.summary && (
        <p class="muted">
          <RichText text={pluginText(plugin, list.summary)} />
        </p>
      )}
      {(byName.has('q') || filters.length > 0) && (
        <Form class="toolbar" role="search" onSubmit={() => apply()}>
          {byName.has('q') && (
            <label>
              {resourceText('search')} <input type="search" name="q" value={draft('q')} onInput={(event) => setDraft('q', event.currentTarget.value)} />
            </label>
          )}
          {filters.length > 0 && (
            <details class="filters" open={activeFilters > 0}>
              <summary>{activeFilters > 0 ? resourceText('filtersOn', { count: activeFilters }) : resourceText('filters')}</summary>
              <div class="toolbar">
                {filters.map((parameter) => (
                  <Filter
                    plugin={plugin}
                    key={parameter.name}
                    parameter={parameter}
                    value={draft(parameter.name)}
                    onInput={(value) => setDraft(parameter.name, value)}
                    onSelect={(value) => {
                      setDraft(parameter.name, value);
                      apply({ [parameter.name]: value });
                    }}
                  />
                ))}
              </div>
            </details>
          )}
          <button type="submit">{byName.has('q') ? resourceText('search') : resourceText('applyFilters')}</button>
        </Form>
      )}
      <ErrorBanner error={remove.error ?? exporter.error} />
      {!list ? (
        <Empty>{resourceText('cannotList')}</Empty>
      ) : (
        <LoadedList
          list={rows}
          items={data}
          empty={
            <>
              {filtered ? <p>{resourceText('nothingMatches')}</p> : <p>{resourceText('noneYetOf', { what: inSentence(label) })}</p>}
              {canCreate && !filtered && <a href={`${base}/new`}>{resourceText('createFirst')}</a>}
            </>
          }
        >
          {(items) => (
            <Table columns={headings} actions={canEdit || canDelete} busy={rows.loading}>
              {items.map((row, index) => {
                const href = rowHref(row);
                return (
                  <tr key={String(row.id ?? index)}>
                    {columns.map((column, columnIndex) => (
                      <td key={column.key} data-label={pluginText(plugin, column.label)}>
                        {columnIndex === 0 && href ? (
                          <a href={href}>{cellText(column, row) || recordTitle(row, resourceText('open'))}</a>
                        ) : (
                          <TypedValue value={column.value(row)} kind={column.kind} currency={column.currency?.(row)} context={context} compact />
                        )}
                      </td>
                    ))}
                    {(canEdit || canDelete) && (
                      <td class="row-actions">
                        {canEdit && row.id !== undefined && (
                          <a
                            class="button secondary"
                            href={`${base}/${encodeURIComponent(String(row.id))}/edit`}
                            aria-label={resourceText('editLabel', { name: recordTitle(row, '') }).trim()}
                          >
                            <Icon name="edit" /> {resourceText('edit')}
                          </a>
                        )}
                        {canDelete && row.id !== undefined && (
                          <button
                            type="button"
                            class="secondary"
                            onClick={() => void remove.run(row)}
                            aria-label={resourceText('deleteLabel', { name: recordTitle(row, '') }).trim()}
                          >
                            <Icon name="trash" /> {resourceText('delete')}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </Table>
          )}
        </LoadedList>
      )}
      <Pager pagination={rows.data?.pagination} onPage={(page) => go({ page: page > 1 ? String(page) : undefined })} />
    </section>
  );
}

/** A query filter: a select for choices and booleans (applied at once), else a text, number or date input. */
function Filter(props: { plugin: string | undefined; parameter: Parameter; value: string; onInput(value: string): void; onSelect(value: string): void }) {
  const { plugin, parameter, value, onInput, onSelect } = props;
  const options = choices(parameter.schema) ?? (parameter.schema.type === 'boolean' ? ['true', 'false'] : undefined);
  const label = pluginText(plugin, parameter.schema.title ?? humanize(parameter.name));
  if (options)
    return (
      <label>
        {label}{' '}
        <select name={parameter.name} value={value} onChange={(event) => onSelect(event.currentTarget.value)}>
          <option value="">{resourceText('any')}</option>
          {options.map((option) => (
            <option key={option} value={option}>
              {option === 'true' ? resourceText('yes') : option === 'false' ? resourceText('no') : /[a-z]/.test(option) ? pluginWords(plugin, option) : option}
            </option>
          ))}
        </select>
      </label>
    );
  const numeric = parameter.schema.type === 'integer' || parameter.schema.type === 'number';
  return (
    <label>
      {label}{' '}
      <input
        name={parameter.name}
        type={(numeric ? 'number' : parameter.schema.format === 'date' ? 'date' : 'text') as 'text'}
        value={value}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </label>
  );
}

/** The text of the first column, the link to the record: never a bare id. */
function cellText(column: ColumnSpec, row: Row): string {
  const value = column.value(row);
  if (column.kind === 'text' && typeof value === 'string') return value;
  return column.kind === 'number' && typeof value === 'number' ? String(value) : '';
}
