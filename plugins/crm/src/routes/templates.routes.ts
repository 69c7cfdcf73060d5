import {
  commonErrors,
  listPage,
  type AnyRoute,
  ConflictError,
  ForbiddenError,
  NoContent,
  NotFoundError,
  PageQuery,
  paginate,
  type PluginAudit,
  Reply,
  type RequestContext,
  type Static,
  type TenantDb,
  Type,
  ValidationError,
  withStatus,
  Ref,
  Widget,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { crmPermissions as permissions } from '../permissions.js';
import { findContact } from '../services/contact-service.js';
import { recordChange } from '../services/record-change.js';
import { mergeValues, render, templateErrors } from '../services/template-render.js';

const Template = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  subject: Type.String(),
  html: Type.String(),
  text: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
type Template = Static<typeof Template>;
type TemplateRow = Omit<Template, 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date };

const NewTemplate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120, title: 'Name' }),
    subject: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\r\\n]*$', title: 'Subject' }),
    html: Widget(
      Type.String({ minLength: 1, maxLength: 200_000, title: 'HTML', description: 'The email as HTML, with merge fields such as {{contact.name}}' }),
      'textarea',
    ),
    text: Widget(
      Type.String({ minLength: 1, maxLength: 100_000, title: 'Text', description: 'The plain-text version, with the same merge fields' }),
      'textarea',
    ),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const templateColumns = 'id, name, subject, html, text, created_at, updated_at';
const toTemplate = (row: TemplateRow): Template => ({ ...row, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() });

/** One template, or 404. */
export async function findTemplate(db: TenantDb, id: string): Promise<Template> {
  const row = await db.one<TemplateRow>(`select ${templateColumns} from crm_templates where id = $1`, [id]);
  if (!row) throw new NotFoundError('Template not found');
  return toTemplate(row);
}

function checkMergeFields(parts: Record<string, string | undefined>, customKeys: string[]): void {
  const errors = templateErrors(parts, customKeys);
  if (Object.keys(errors).length) throw new ValidationError(errors);
}

/**
 * Templates belong to the whole workspace (every team's campaigns use them): only a member who manages campaigns
 * for the whole workspace changes them, not one who manages them for some teams.
 */
function wholeWorkspaceOnly(ctx: RequestContext<unknown>): void {
  if (!ctx.can(permissions['campaigns.manage'], { unit: null })) {
    throw new ForbiddenError('Templates are shared by the whole workspace: only a member managing campaigns for all of it changes them');
  }
}

/**
 * Records a template change (`crm.template.<verb>`). Its HTML and text may run to hundreds of kilobytes: the entry
 * says they changed, not how (the template itself shows them).
 */
function recordTemplate(audit: PluginAudit, verb: string, id: string, change: { before?: TemplateRow | undefined; after?: TemplateRow | undefined }) {
  const fields = (row?: TemplateRow) => row && { name: row.name, subject: row.subject, html: row.html, text: row.text };
  return recordChange(audit, 'template', verb, id, { before: fields(change.before), after: fields(change.after) }, ['html', 'text']);
}

/** `/api/v1/crm/templates…`: email templates with merge fields (checked when saved). */
export function templateRoutes({ route }: Builders): AnyRoute[] {
  const customKeys = (settings: { customFields: { key: string }[] }) => settings.customFields.map((field) => field.key);
  return [
    route({
      method: 'GET',
      path: '/templates',
      summary: 'Email templates',
      permission: permissions['campaigns.view'],
      schema: { query: PageQuery, response: Type.Array(Template) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<TemplateRow>(deps.db, { select: templateColumns, from: 'crm_templates', orderBy: 'name, id' }, query);
        return Reply.list(items.map(toTemplate), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/templates',
      summary: 'Create an email template',
      permission: permissions['campaigns.manage'],
      errors: [commonErrors.forbidden],
      schema: { body: NewTemplate, response: withStatus(Template, 201) },
      async handler({ body, deps, ctx }) {
        wholeWorkspaceOnly(ctx);
        checkMergeFields({ subject: body.subject, html: body.html, text: body.text }, customKeys(ctx.settings));
        const [row] = await deps.db.query<TemplateRow>(
          `insert into crm_templates (name, subject, html, text) values ($1, $2, $3, $4) returning ${templateColumns}`,
          [body.name, body.subject, body.html, body.text],
        );
        await recordTemplate(deps.audit, 'created', row!.id, { after: row });
        return Reply.created(toTemplate(row!));
      },
    }),
    route({
      method: 'GET',
      path: '/templates/:id',
      summary: 'One email template',
      permission: permissions['campaigns.view'],
      schema: { params: IdParams, response: Template },
      async handler({ params, deps }) {
        return findTemplate(deps.db, params.id);
      },
    }),
    route({
      method: 'PATCH',
      path: '/templates/:id',
      summary: 'Edit an email template (campaigns already sending keep what they froze)',
      permission: permissions['campaigns.manage'],
      errors: [commonErrors.forbidden],
      schema: { params: IdParams, body: Type.Partial(NewTemplate, { additionalProperties: false, minProperties: 1 }), response: Template },
      async handler({ params, body, deps, ctx }) {
        wholeWorkspaceOnly(ctx);
        checkMergeFields({ subject: body.subject, html: body.html, text: body.text }, customKeys(ctx.settings));
        const before = await deps.db.one<TemplateRow>(`select ${templateColumns} from crm_templates where id = $1 for update`, [params.id]);
        if (!before) throw new NotFoundError('Template not found');
        const [row] = await deps.db.query<TemplateRow>(
          `update crm_templates set name = coalesce($2, name), subject = coalesce($3, subject), html = coalesce($4, html), text = coalesce($5, text),
                  updated_at = now() where id = $1 returning ${templateColumns}`,
          [params.id, body.name ?? null, body.subject ?? null, body.html ?? null, body.text ?? null],
        );
        await recordTemplate(deps.audit, 'updated', params.id, { before, after: row });
        return toTemplate(row!);
      },
    }),
    route({
      method: 'DELETE',
      path: '/templates/:id',
      summary: 'Remove an email template (refused while a campaign uses it)',
      errors: [commonErrors.conflict, commonErrors.forbidden],
      permission: permissions['campaigns.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps, ctx }) {
        wholeWorkspaceOnly(ctx);
        const used = await deps.db.one('select 1 from crm_campaigns where template_id = $1 limit 1', [params.id]);
        if (used) throw new ConflictError('A campaign uses this template');
        const removed = await deps.db.one<TemplateRow>(`delete from crm_templates where id = $1 returning ${templateColumns}`, [params.id]);
        if (!removed) throw new NotFoundError('Template not found');
        await recordTemplate(deps.audit, 'deleted', params.id, { before: removed });
        return Reply.noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/templates/:id/preview',
      summary: 'Render a template for one contact',
      permission: permissions['campaigns.view'],
      schema: {
        params: IdParams,
        body: Type.Object({ contact_id: Ref('/crm/contacts', { label: 'name', detail: 'email', title: 'Contact' }) }, { additionalProperties: false }),
        response: Type.Object({ subject: Type.String(), html: Type.String(), text: Type.String() }),
      },
      async handler({ params, body, deps, ctx }) {
        const template = await findTemplate(deps.db, params.id);
        const values = mergeValues(await findContact(deps.db, body.contact_id), ctx.tenant.name, '#unsubscribe');
        return { subject: render(template.subject, values, 'text'), html: render(template.html, values, 'html'), text: render(template.text, values, 'text') };
      },
    }),
  ];
}
