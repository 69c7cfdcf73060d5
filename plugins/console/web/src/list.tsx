import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { call } from './api';
import { defineMessages } from './i18n';
import type { Location } from './router';
import { Empty, ErrorBanner, Form, Loading, useLoad, type Loaded } from './ui';

const t = defineMessages({
  en: { actions: 'Actions', search: 'Search' },
  ar: { actions: 'الإجراءات', search: 'بحث' },
});

/** The page number in the address (`?page=`): 1 when absent or not a number. */
export function pageOf(location: Location): number {
  return Number(location.query.get('page') ?? 1) || 1;
}

/**
 * Loads the page of a paginated list that the address asks for, with `query` (search, filters) added;
 * loads again when the page, the query or the navigation changes.
 */
export function usePagedList<T>(path: string, location: Location, options: { tenant?: string | undefined; query?: Record<string, string | number> } = {}) {
  const { tenant, query = {} } = options;
  const page = pageOf(location);
  return useLoad(() => call<T[]>('GET', path, { tenant, query: { page, ...query } }), [path, tenant, page, JSON.stringify(query), location.key]);
}

/** What a loaded list shows: a spinner until the first answer, then its error, `empty` when it has no item, else `children(items)`. */
export function LoadedList<T>(props: {
  list: Loaded<unknown>;
  items: readonly T[] | undefined;
  empty: ComponentChildren;
  children(items: readonly T[]): ComponentChildren;
}) {
  const { list, items, empty, children } = props;
  if (list.loading && !list.data) return <Loading />;
  if (list.error) return <ErrorBanner error={list.error} />;
  if (!items || items.length === 0) return <Empty>{empty}</Empty>;
  return <>{children(items)}</>;
}

/** A column heading: its text, or a label with the `aria-sort` state of a sortable column. */
export type Column = string | { key: string; label: ComponentChildren; sort?: 'ascending' | 'descending' | undefined };

/** A table in its scrolling wrapper, with its column headings and, when rows have buttons, a hidden "Actions" one. */
export function Table(props: { columns: readonly Column[]; actions?: boolean | undefined; busy?: boolean; children: ComponentChildren }) {
  const { columns, actions, busy, children } = props;
  return (
    <div class="table-wrap" aria-busy={busy ? 'true' : undefined}>
      <table>
        <thead>
          <tr>
            {columns.map((column) =>
              typeof column === 'string' ? (
                <th scope="col" key={column}>
                  {column}
                </th>
              ) : (
                <th scope="col" key={column.key} aria-sort={column.sort}>
                  {column.label}
                </th>
              ),
            )}
            {actions && (
              <th scope="col">
                <span class="visually-hidden">{t('actions')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A search toolbar: the typed text applies on the button (or Enter); `children` are further filters. */
export function SearchForm(props: {
  value: string;
  onSearch(value: string): void;
  label?: string;
  button?: string;
  placeholder?: string;
  children?: ComponentChildren;
}) {
  const { value, onSearch, label = t('search'), button = t('search'), placeholder, children } = props;
  const [draft, setDraft] = useState(value);
  return (
    <Form class="toolbar" role="search" onSubmit={() => onSearch(draft)}>
      <label>
        {label} <input type="search" value={draft} placeholder={placeholder} onInput={(event) => setDraft(event.currentTarget.value)} />
      </label>
      {children}
      <button type="submit">{button}</button>
    </Form>
  );
}
