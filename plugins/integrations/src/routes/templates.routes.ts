import {
  listPage,
  type AnyRoute,
  NoContent,
  NotFoundError,
  PageQuery,
  paginate,
  Reply,
  type Static,
  type TenantDb,
  Type,
  ValidationError,
  Widget,
  withStatus,
} from '@plinth/sdk';
import { plainKind, recordChange } from '../audit.js';
import { integrationsErrors } from '../errors.js';
import type { Builders } from '../deps.js';
import { renderTemplate, templateProblems } from '../notifications/template.js';
import { integrationsPermissions as permissions } from '../permissions.js';
import { iso } from '../util.js';
import { EventName, IdParams, NullableString } from './schemas.js';

const TemplateKind = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('whatsapp'), Type.Literal('in_app')]);
const Template = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  kind: TemplateKind,
  event: NullableString,
  subject: NullableString,
  body: Type.String(),
  html: NullableString,
  created_at: Type.String(),
  updated_at: Type.String(),
});
type Template = Static<typeof Template>;
type TemplateRow = Omit<Template, 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date };
const auditedTemplate = plainKind<TemplateRow>('template');
const Fields = {
  name: Type.String({ minLength: 1, maxLength: 100, title: 'Name' }),
  event: Type.Union([EventName, Type.Null()], { title: 'Event', description: 'The event whose payload the template expects (for previews)' }),
  subject: Type.Union([Type.String({ minLength: 1, maxLength: 300 }), Type.Null()], { title: 'Subject', description: 'Email only' }),
  body: Widget(Type.String({ minLength: 1, maxLength: 20_000, title: 'Text', description: 'Placeholders: {{payload.…}}' }), 'textarea'),
  html: Type.Union([Widget(Type.String({ minLength: 1, maxLength: 100_000 }), 'textarea'), Type.Null()], {
    title: 'HTML',
    description: 'Email only: the HTML part, placeholders escaped',
  }),
};
const NewTemplate = Type.Object(
  {
    name: Fields.name,
    kind: TemplateKind,
    event: Type.Optional(Fields.event),
    subject: Type.Optional(Fields.subject),
    body: Fields.body,
    html: Type.Optional(Fields.html),
  },
  { additionalProperties: false },
);
const TemplateChange = Type.Partial(Type.Object(Fields), { additionalProperties: false, minProperties: 1 });
const Preview = Type.Object({ payload: Type.Unknown(), event: Type.Optional(EventName) }, { additionalProperties: false });
const Rendered = Type.Object({ subject: NullableString, body: Type.String(), html: NullableString });

const toTemplate = (row: TemplateRow): Template => ({ ...row, created_at: iso(row.created_at)!, updated_at: iso(row.updated_at)! });

async function findTemplate(db: TenantDb, id: string): Promise<TemplateRow> {
  const row = await db.one<TemplateRow>('select * from integrations_templates where id = $1', [id]);
  if (!row) throw new NotFoundError('Template not found');
  return row;
}

/** Field errors of a template: merge fields, what its kind needs. */
function validate(template: { kind: string; subject: string | null; body: string; html: string | null }): void {
  const errors: Record<string, string[]> = {};
  for (const field of ['subject', 'body', 'html'] as const) {
    const text = template[field];
    const problems = text ? templateProblems(text) : [];
    if (problems.length > 0) errors[field] = problems;
  }
  if ((template.kind === 'email' || template.kind === 'in_app') && !template.subject) errors.subject = ['is required for email and in-app templates'];
  if (template.kind !== 'email' && template.html) errors.html = ['only email templates have an HTML body'];
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}

async function nameTaken(db: TenantDb, name: string, except: string | null): Promise<void> {
  if (await db.one('select id from integrations_templates where name = $1 and ($2::uuid is null or id <> $2)', [name, except])) {
    throw new ValidationError({ name: ['is already used by another template'] });
  }
}

/** `/templates`: message templates per event and channel kind, with safe merge fields. */
export function templateRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/templates',
      summary: 'Templates',
      permission: permissions['channels.manage'],
      schema: {
        query: Type.Composite([PageQuery, Type.Object({ kind: Type.Optional(TemplateKind), event: Type.Optional(EventName) })]),
        response: Type.Array(Template),
      },
      async handler({ query, deps }) {
        const { items, total } = await listPage<TemplateRow>(
          deps.db,
          {
            select: '*',
            from: 'integrations_templates',
            where: '($1::text is null or kind = $1) and ($2::text is null or event = $2)',
            orderBy: 'name, id',
            values: [query.kind ?? null, query.event ?? null],
          },
          query,
        );
        return Reply.list(items.map(toTemplate), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/templates',
      summary: 'Add a template',
      permission: permissions['channels.manage'],
      schema: { body: NewTemplate, response: withStatus(Template, 201) },
      async handler({ body, deps }) {
        const template = { kind: body.kind, subject: body.subject ?? null, body: body.body, html: body.html ?? null };
        validate(template);
        await nameTaken(deps.db, body.name, null);
        const [row] = await deps.db.query<TemplateRow>(
          'insert into integrations_templates (name, kind, event, subject, body, html) values ($1, $2, $3, $4, $5, $6) returning *',
          [body.name, body.kind, body.event ?? null, template.subject, template.body, template.html],
        );
        await recordChange(deps.audit, auditedTemplate, 'created', { after: row! });
        return Reply.created(toTemplate(row!));
      },
    }),
    route({
      method: 'GET',
      path: '/templates/:id',
      summary: 'One template',
      permission: permissions['channels.manage'],
      schema: { params: IdParams, response: Template },
      async handler({ params, deps }) {
        return toTemplate(await findTemplate(deps.db, params.id));
      },
    }),
    route({
      method: 'PATCH',
      path: '/templates/:id',
      summary: 'Change a template',
      permission: permissions['channels.manage'],
      schema: { params: IdParams, body: TemplateChange, response: Template },
      async handler({ params, body, deps }) {
        const current = await findTemplate(deps.db, params.id);
        const next = { ...current, ...body };
        validate(next);
        if (body.name) await nameTaken(deps.db, body.name, params.id);
        const [row] = await deps.db.query<TemplateRow>(
          'update integrations_templates set name = $2, event = $3, subject = $4, body = $5, html = $6, updated_at = now() where id = $1 returning *',
          [params.id, next.name, next.event, next.subject, next.body, next.html],
        );
        await recordChange(deps.audit, auditedTemplate, 'updated', { before: current, after: row! });
        return toTemplate(row!);
      },
    }),
    route({
      method: 'DELETE',
      path: '/templates/:id',
      summary: 'Remove a template no rule uses',
      errors: [integrationsErrors.template_in_use],
      permission: permissions['channels.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const current = await findTemplate(deps.db, params.id);
        if (await deps.db.one('select id from integrations_rules where template_id = $1 limit 1', [params.id])) {
          throw integrationsErrors.template_in_use('Notification rules still use this template');
        }
        await deps.db.query('delete from integrations_templates where id = $1', [params.id]);
        await recordChange(deps.audit, auditedTemplate, 'deleted', { before: current });
        return Reply.noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/templates/:id/preview',
      summary: 'Render a template with a sample payload',
      permission: permissions['channels.manage'],
      schema: { params: IdParams, body: Preview, response: Rendered },
      async handler({ params, body, deps, ctx }) {
        const template = await findTemplate(deps.db, params.id);
        const context = {
          event: { id: '00000000-0000-0000-0000-000000000000', name: body.event ?? template.event ?? 'example.event', occurred_at: new Date().toISOString() },
          payload: body.payload,
          tenant: { name: ctx.tenant.name, slug: ctx.tenant.slug },
          recipient: { name: 'Ada Lovelace', address: 'ada@example.com' },
        };
        return {
          subject: template.subject === null ? null : renderTemplate(template.subject, context),
          body: renderTemplate(template.body, context),
          html: template.html === null ? null : renderTemplate(template.html, context, true),
        };
      },
    }),
  ];
}
