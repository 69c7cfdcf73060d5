import { listPage, type AnyRoute, NoContent, PageQuery, paginate, Ref, Reply, type TenantDb, Type, ValidationError, withStatus } from '@plinth/sdk';
import { plainKind, recordChange } from '../audit.js';
import type { Builders, Deps } from '../deps.js';
import { parseCondition } from '../notifications/condition.js';
import { findRule, Recipient, Rule, toRule, type RuleRow } from '../notifications/rule-store.js';
import { integrationsPermissions as permissions } from '../permissions.js';
import { EventPattern, IdParams } from './schemas.js';

const auditedRule = plainKind<RuleRow>('rule');

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 100, title: 'Name' }),
  event: EventPattern,
  condition: Type.Union([Type.String({ minLength: 1, maxLength: 500 }), Type.Null()], {
    title: 'Condition',
    description: 'Send only when this holds for the event, e.g. payload.total > 10000; none: always',
  }),
  template_id: Ref('/integrations/templates', { title: 'Template' }),
  channel_id: Type.Union([Ref('/integrations/channels', { title: 'Channel' }), Type.Null()], {
    title: 'Channel',
    description: "None: the template's kind decides (in-app needs none)",
  }),
  recipient: Recipient,
  enabled: Type.Boolean({ title: 'Enabled' }),
};
const NewRule = Type.Object(
  {
    name: Fields.name,
    event: Fields.event,
    condition: Type.Optional(Fields.condition),
    template_id: Fields.template_id,
    channel_id: Type.Optional(Fields.channel_id),
    recipient: Fields.recipient,
    enabled: Type.Optional(Type.Boolean({ title: 'Enabled', default: true })),
  },
  { additionalProperties: false },
);
const RuleChange = Type.Partial(Type.Object(Fields), { additionalProperties: false, minProperties: 1 });

type RuleInput = Pick<RuleRow, 'condition' | 'template_id' | 'channel_id' | 'recipient'>;

/** Checks what a rule refers to: its condition parses, its template and channel exist and fit, its member is one. */
async function validate(db: TenantDb, members: Deps['members'], rule: RuleInput): Promise<void> {
  const errors: Record<string, string[]> = {};
  if (rule.condition !== null) {
    const parsed = parseCondition(rule.condition);
    if (typeof parsed === 'string') errors.condition = [parsed];
  }
  const template = await db.one<{ kind: string }>('select kind from integrations_templates where id = $1', [rule.template_id]);
  const channel = rule.channel_id
    ? await db.one<{ kind: string }>('select kind from integrations_channels where id = $1', [rule.channel_id])
    : { kind: 'in_app' };
  if (!template) errors.template_id = ['no such template'];
  if (!channel) errors.channel_id = ['no such channel'];
  if (template && channel && template.kind !== channel.kind) errors.template_id = [`is a ${template.kind} template, but the rule sends ${channel.kind}`];
  if (channel?.kind === 'in_app' && rule.recipient.type === 'payload') errors.recipient = ['in-app notifications go to members (a member or a role)'];
  if (rule.recipient.type === 'member' && !(await members.get(rule.recipient.user_id))) errors['recipient.user_id'] = ['is not a member of this tenant'];
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}

/** `/notification-rules`: "when event X (if a condition holds) send template T via channel C to R". */
export function ruleRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/notification-rules',
      summary: 'Notification rules',
      permission: permissions['notifications.view'],
      schema: { query: PageQuery, response: Type.Array(Rule) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<RuleRow>(deps.db, { select: '*', from: 'integrations_rules', orderBy: 'created_at, id' }, query);
        return Reply.list(items.map(toRule), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/notification-rules',
      summary: 'Add a rule',
      permission: permissions['notifications.manage'],
      schema: { body: NewRule, response: withStatus(Rule, 201) },
      async handler({ body, deps }) {
        const rule = { condition: body.condition ?? null, template_id: body.template_id, channel_id: body.channel_id ?? null, recipient: body.recipient };
        await validate(deps.db, deps.members, rule);
        const [row] = await deps.db.query<RuleRow>(
          'insert into integrations_rules (name, event, condition, template_id, channel_id, recipient, enabled) values ($1, $2, $3, $4, $5, $6, $7) returning *',
          [body.name, body.event, rule.condition, rule.template_id, rule.channel_id, JSON.stringify(rule.recipient), body.enabled ?? true],
        );
        await recordChange(deps.audit, auditedRule, 'created', { after: row! });
        return Reply.created(toRule(row!));
      },
    }),
    route({
      method: 'GET',
      path: '/notification-rules/:id',
      summary: 'One rule',
      permission: permissions['notifications.view'],
      schema: { params: IdParams, response: Rule },
      async handler({ params, deps }) {
        return toRule(await findRule(deps.db, params.id));
      },
    }),
    route({
      method: 'PATCH',
      path: '/notification-rules/:id',
      summary: 'Change a rule',
      permission: permissions['notifications.manage'],
      schema: { params: IdParams, body: RuleChange, response: Rule },
      async handler({ params, body, deps }) {
        const current = await findRule(deps.db, params.id);
        const next = { ...current, ...body };
        await validate(deps.db, deps.members, next);
        const [row] = await deps.db.query<RuleRow>(
          `update integrations_rules set name = $2, event = $3, condition = $4, template_id = $5, channel_id = $6, recipient = $7, enabled = $8,
                  updated_at = now() where id = $1 returning *`,
          [params.id, next.name, next.event, next.condition, next.template_id, next.channel_id, JSON.stringify(next.recipient), next.enabled],
        );
        await recordChange(deps.audit, auditedRule, 'updated', { before: current, after: row! });
        return toRule(row!);
      },
    }),
    route({
      method: 'DELETE',
      path: '/notification-rules/:id',
      summary: 'Remove a rule (its log stays)',
      permission: permissions['notifications.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const current = await findRule(deps.db, params.id);
        await deps.db.query('delete from integrations_rules where id = $1', [params.id]);
        await recordChange(deps.audit, auditedRule, 'deleted', { before: current });
        return Reply.noContent();
      },
    }),
  ];
}
