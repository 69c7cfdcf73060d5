/**
 * Names of referenced records (`x-plinth-ref`): what the ref picker shows for the values a form holds, and what a
 * detail page shows instead of ids. Records seen once (looked up, or listed by a search) are remembered per tenant.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get } from '../api';
import { itemRoute, openApi } from '../openapi';
import type { RefOptions } from './model';

export interface RefChoice {
  value: string;
  label: string;
  detail: string | undefined;
}

/** Labels of records already seen, per tenant, resource and value. */
const known = new Map<string, RefChoice>();
const knownKey = (tenant: string, ref: RefOptions, value: string) => `${tenant}\u0000${ref.resource}\u0000${value}`;

/** A list item of the referenced resource as a choice: its stored value, its label and its secondary line. */
export function choiceOf(ref: RefOptions, record: Record<string, unknown>): RefChoice {
  const value = String(record[ref.value ?? 'id'] ?? '');
  const label = record[ref.label ?? ''] ?? record.name ?? record.title ?? record.email ?? value;
  const detail = ref.detail ? record[ref.detail] : undefined;
  return { value, label: String(label), detail: detail === undefined || detail === null ? undefined : String(detail) };
}

/** Remembers a record's label (from a search, or a choice just made). */
export function rememberChoice(tenant: string, ref: RefOptions, choice: RefChoice): void {
  known.set(knownKey(tenant, ref, choice.value), choice);
}

/** The known label of a value, else the value itself. */
export function knownChoice(tenant: string, ref: RefOptions, value: string): RefChoice {
  return known.get(knownKey(tenant, ref, value)) ?? { value, label: value, detail: undefined };
}

/**
 * Fetches the records of `values` not yet known: listed by ids when the list route takes them, else one by one.
 * Resolves to whether the caller may not read them (403).
 */
async function lookUp(tenant: string, ref: RefOptions, values: string[]): Promise<boolean> {
  const missing = values.filter((value) => value && !known.has(knownKey(tenant, ref, value)));
  if (missing.length === 0) return false;
  let denied = false;
  const quietly = <T>(request: Promise<T>, fallback: T): Promise<T> =>
    request.catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 403) denied = true;
      return fallback;
    });
  const document = await openApi().catch(() => undefined);
  const list = document?.paths[`/api/v1${ref.resource}`]?.get;
  const byIds = list?.parameters?.find((parameter) => parameter.in === 'query' && (parameter.name === 'ids' || parameter.name === `${ref.value ?? 'id'}s`));
  const remember = (record: Record<string, unknown>) => rememberChoice(tenant, ref, choiceOf(ref, record));
  if (byIds) {
    const records = await quietly(
      get<Record<string, unknown>[]>(ref.resource, { tenant, query: { [byIds.name]: missing.join(','), per_page: missing.length } }),
      [],
    );
    records.forEach(remember);
    return denied;
  }
  // The item route (`/members/{userId}`) when it is keyed by the stored property.
  const item = document ? itemRoute(document, `/api/v1${ref.resource}`) : undefined;
  const param = item?.template.split('/').pop()!.slice(1, -1) ?? '';
  const bare = (name: string) => name.replace(/[_-]/g, '').toLowerCase();
  if (item?.operations.get && ((ref.value ?? 'id') === 'id' || bare(param) === bare(ref.value ?? 'id'))) {
    const records = await Promise.all(
      missing.map((value) => quietly(get<Record<string, unknown>>(`${ref.resource}/${encodeURIComponent(value)}`, { tenant }), undefined)),
    );
    records.forEach((record) => record && remember(record));
    return denied;
  }
  // No way to fetch single records: the first page of the list may hold them.
  const records = await quietly(get<Record<string, unknown>[]>(ref.resource, { tenant, query: { per_page: 100 } }), []);
  records.forEach(remember);
  return denied;
}

/**
 * The names of the records `values` reference, looked up once (re-rendering when they arrive): `choice(value)` is
 * the record's label (the value itself until then, or when it cannot be found); `denied` when the caller may not
 * read the referenced resource.
 */
export function useRefNames(tenant: string, ref: RefOptions, values: string[]): { choice(value: string): RefChoice; denied: boolean } {
  const [, setRound] = useState(0);
  const [denied, setDenied] = useState(false);
  useEffect(() => {
    let live = true;
    void lookUp(tenant, ref, values).then((refused) => {
      if (!live) return;
      if (refused) setDenied(true);
      setRound((round) => round + 1);
    });
    return () => {
      live = false;
    };
  }, [tenant, ref.resource, values.join(',')]);
  return { choice: (value) => knownChoice(tenant, ref, value), denied };
}
