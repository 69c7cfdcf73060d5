/**
 * A reference (`x-plinth-ref`) on a record's page: the referenced records' names instead of their ids, each a link
 * to the record when the console has a page for it.
 */
import { inner } from './columns';
import './ref-value.css';
import type { RefOptions } from './fields/model';
import { useRefNames } from './fields/ref-names';
import { itemRoute, type OpenApiDocument } from './openapi';
import { appPath } from './resource-names';
import type { JsonSchema } from './schema';
import { useTenant, type TenantSession } from './session';

/** The reference a property holds, from its schema: one record (a string), or several (an array of them). */
export function refOf(schema: JsonSchema | undefined): { ref: RefOptions; multiple: boolean } | undefined {
  const plain = inner(schema);
  if (!plain) return undefined;
  if (plain['x-plinth-ref']) return { ref: plain['x-plinth-ref'], multiple: false };
  const items = inner(plain.items);
  if (items?.['x-plinth-ref']) return { ref: items['x-plinth-ref'], multiple: true };
  return undefined;
}

/**
 * Where the console shows a record of `ref.resource`: a plugin resource whose item route is keyed by the stored
 * property and has a GET (core resources such as `/members` have their own screens, not record pages).
 */
function recordPage(tenant: TenantSession, document: OpenApiDocument | undefined, ref: RefOptions): ((value: string) => string) | undefined {
  const plugin = ref.resource.split('/')[1] ?? '';
  if (!document || !tenant.plugins.some((candidate) => candidate.name === plugin && candidate.enabled)) return undefined;
  if ((ref.value ?? 'id') !== 'id' || !itemRoute(document, `/api/v1${ref.resource}`)?.operations.get) return undefined;
  return (value) => appPath(tenant, `${ref.resource}/${encodeURIComponent(value)}`);
}

export function RefValue({
  reference,
  value,
  document,
}: {
  reference: { ref: RefOptions; multiple: boolean };
  value: unknown;
  document?: OpenApiDocument | undefined;
}) {
  const tenant = useTenant();
  const values = (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string' && item !== '');
  const names = useRefNames(tenant.slug, reference.ref, values);
  if (values.length === 0) return <span class="muted">—</span>;
  const href = recordPage(tenant, document, reference.ref);
  const shown = values.map((item) => {
    const choice = names.choice(item);
    // Until the name arrives (or when it cannot be read), the id, kept left to right.
    const text = choice.label === item ? <code dir="ltr">{item}</code> : <span dir="auto">{choice.label}</span>;
    return (
      <li key={item}>
        {href ? <a href={href(item)}>{text}</a> : text}
        {choice.detail && <span class="muted"> · {choice.detail}</span>}
      </li>
    );
  });
  return <ul class={`ref-values${reference.multiple ? '' : ' single'}`}>{shown}</ul>;
}
