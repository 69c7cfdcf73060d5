/**
 * Child records held inside a record (a course's modules with their lessons, a product's variants) as a table:
 * identifying columns, each row linked to its own page where the API has one, nested children listed as links,
 * and an "Add …" link where the API takes new children of a row.
 */
import { Icon } from './icons';
import { matchTemplate, type OpenApiDocument } from './openapi';
import { appPath } from './resource-names';
import { inSentence, pluginSingular, pluginText, pluginWords } from './plugin-text';
import { resourceText } from './resource-messages';
import { humanize } from './openapi';
import type { JsonSchema } from './schema';
import { useTenant } from './session';
import { columnsFor, recordTitle, TypedValue, type ValueContext } from './values';

type Row = Record<string, unknown>;

/** The page of a child record, if the API has one: `/<plugin>/<name>/<id>` or `<parent>/<name>/<id>`. */
export function childPage(document: OpenApiDocument, plugin: string, parentPath: string, name: string, id: unknown): string | undefined {
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  for (const candidate of [`${parentPath}/${name}/${id}`, `/${plugin}/${name}/${id}`])
    if (matchTemplate(document, `/api/v1${candidate}`)?.operations.get) return candidate;
  return undefined;
}

/** Where new children `name` of a record are created, if the API takes them: `<record>/<name>` with a POST. */
export function childCreate(document: OpenApiDocument, recordPath: string, name: string): string | undefined {
  const route = matchTemplate(document, `/api/v1${recordPath}/${name}`);
  return route?.operations.post ? `${recordPath}/${name}` : undefined;
}

/** Whether a value is a list of records (objects). */
export function isRecordList(value: unknown): value is Row[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => !!item && typeof item === 'object' && !Array.isArray(item));
}

export function RecordTable(props: {
  document: OpenApiDocument;
  /** The record holding the rows (`/lms/courses/<id>`). */
  parentPath: string;
  /** The property holding them (`modules`). */
  name: string;
  rows: Row[];
  schema: JsonSchema | undefined;
  context: ValueContext;
}) {
  const { document, parentPath, name, rows, schema, context } = props;
  const tenant = useTenant();
  const plugin = parentPath.split('/')[1] ?? '';
  const itemSchema = schema?.items ?? (schema?.anyOf ?? []).find((variant) => variant.type === 'array')?.items;
  const columns = columnsFor(rows, itemSchema, [], () => context.currency, 4);
  const nested = [
    ...new Set(
      rows.flatMap((row) =>
        Object.keys(row).filter((key) => isRecordList(row[key]) || (Array.isArray(row[key]) && childCreate(document, `/${plugin}/${name}/x`, key))),
      ),
    ),
  ];
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column.key}>
                {pluginText(plugin, column.label)}
              </th>
            ))}
            {nested.map((key) => (
              <th scope="col" key={key}>
                {pluginWords(plugin, key)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => {
            const page = childPage(document, plugin, parentPath, name, row.id);
            return (
              <tr key={String(row.id ?? index)}>
                {columns.map((column, columnIndex) => (
                  <td key={column.key} data-label={pluginText(plugin, column.label)}>
                    {columnIndex === 0 && page ? (
                      <a href={appPath(tenant, page)}>{recordTitle(row, String(column.value(row) ?? resourceText('open')))}</a>
                    ) : (
                      <TypedValue value={column.value(row)} kind={column.kind} currency={column.currency?.(row)} context={context} compact />
                    )}
                  </td>
                ))}
                {nested.map((key) => {
                  const children = isRecordList(row[key]) ? (row[key] as Row[]) : [];
                  const rowPath = typeof row.id === 'string' ? `/${plugin}/${name}/${row.id}` : undefined;
                  const create = rowPath ? childCreate(document, rowPath, key) : undefined;
                  return (
                    <td key={key} data-label={pluginWords(plugin, key)}>
                      {children.length > 0 && (
                        <ul class="inline-links">
                          {children.map((child, childIndex) => {
                            const childLink = childPage(document, plugin, rowPath ?? parentPath, key, child.id);
                            const title = recordTitle(child, `${pluginSingular(plugin, humanize(key))} ${childIndex + 1}`);
                            return <li key={String(child.id ?? childIndex)}>{childLink ? <a href={appPath(tenant, childLink)}>{title}</a> : title}</li>;
                          })}
                        </ul>
                      )}
                      {create && tenant.can(matchTemplate(document, `/api/v1${create}`)?.operations.post?.['x-permission']) && (
                        <a class="button secondary small" href={appPath(tenant, `${create}/new`)}>
                          <Icon name="plus" /> {resourceText('add', { what: inSentence(pluginSingular(plugin, humanize(key))) })}
                        </a>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
