import {
  listPage,
  actingUserId,
  type AnyRoute,
  NoContent,
  NotFoundError,
  PageQuery,
  paginate,
  type PluginAudit,
  Reply,
  type Static,
  Type,
  withStatus,
  Widget,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { crmPermissions as permissions } from '../permissions.js';
import { findContact } from '../services/contact-service.js';

const Interaction = Type.Object({
  id: Type.String({ format: 'uuid' }),
  contact_id: Type.String({ format: 'uuid' }),
  type: Type.String(),
  subject: Type.String(),
  content: Type.Union([Type.String(), Type.Null()]),
  channel: Type.Union([Type.String(), Type.Null()]),
  occurred_at: Type.String({ format: 'date-time' }),
  actor_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
});
type Interaction = Static<typeof Interaction>;
type InteractionRow = Omit<Interaction, 'occurred_at'> & { occurred_at: Date };

const NewInteraction = Type.Object(
  {
    type: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$', title: 'Type', description: 'note, call, email, meeting, order, enrollment…', examples: ['note'] }),
    subject: Type.String({ minLength: 1, maxLength: 200, title: 'Subject' }),
    content: Type.Optional(Widget(Type.String({ maxLength: 20_000, title: 'Content' }), 'textarea')),
    channel: Type.Optional(Type.String({ minLength: 1, maxLength: 40, title: 'Channel', examples: ['phone'] })),
    occurred_at: Type.Optional(Type.String({ format: 'date-time', title: 'When', description: 'Now when left out' })),
  },
  { additionalProperties: false },
);
const ContactParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const interactionColumns = 'id, contact_id, type, subject, content, channel, occurred_at, actor_id';
const toInteraction = (row: InteractionRow): Interaction => ({ ...row, occurred_at: row.occurred_at.toISOString() });

/** Records an interaction added or removed (`crm.interaction.<verb>`), in its contact's unit; what was said is personal data, redacted. */
function recordInteraction(audit: PluginAudit, verb: 'created' | 'deleted', row: InteractionRow, unit: string | null): Promise<void> {
  const { id, actor_id: _actor, ...fields } = row;
  const change = verb === 'created' ? { after: fields } : { before: fields };
  return audit.record({ entity: 'interaction', verb, target: id, unit, ...change, redact: ['subject', 'content'] });
}

/** `/api/v1/crm/contacts/:id/interactions`: a contact's timeline. */
export function interactionRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/contacts/:id/interactions',
      summary: "A contact's timeline, newest first",
      permission: permissions['contacts.view'],
      schema: {
        params: ContactParams,
        query: Type.Composite([PageQuery, Type.Object({ type: Type.Optional(Type.String({ maxLength: 40 })) })], { additionalProperties: false }),
        response: Type.Array(Interaction),
      },
      async handler({ params, query, deps }) {
        await findContact(deps.db, params.id);
        const { items, total } = await listPage<InteractionRow>(
          deps.db,
          {
            select: interactionColumns,
            from: 'crm_interactions',
            where: 'contact_id = $1 and ($2::text is null or type = $2)',
            orderBy: 'occurred_at desc, id desc',
            values: [params.id, query.type ?? null],
          },
          query,
        );
        return Reply.list(items.map(toInteraction), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/contacts/:id/interactions',
      summary: 'Record an interaction with a contact',
      permission: permissions['contacts.manage'],
      schema: { params: ContactParams, body: NewInteraction, response: withStatus(Interaction, 201) },
      async handler({ params, body, deps, ctx }) {
        const contact = await findContact(deps.db, params.id);
        const actor = actingUserId(ctx);
        const [row] = await deps.db.query<InteractionRow>(
          `insert into crm_interactions (contact_id, type, subject, content, channel, occurred_at, actor_id)
           values ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()), $7) returning ${interactionColumns}`,
          [params.id, body.type, body.subject, body.content ?? null, body.channel ?? null, body.occurred_at ?? null, actor],
        );
        await recordInteraction(deps.audit, 'created', row!, contact.unit_id);
        return Reply.created(toInteraction(row!));
      },
    }),
    route({
      method: 'DELETE',
      path: '/contacts/:id/interactions/:interactionId',
      summary: 'Remove an interaction',
      permission: permissions['contacts.manage'],
      schema: {
        params: Type.Object({ id: Type.String({ format: 'uuid' }), interactionId: Type.String({ format: 'uuid' }) }),
        response: NoContent,
      },
      async handler({ params, deps }) {
        // The contact first: its unit decides who may touch its timeline (interactions have no unit of their own).
        const contact = await findContact(deps.db, params.id);
        const removed = await deps.db.one<InteractionRow>(`delete from crm_interactions where id = $1 and contact_id = $2 returning ${interactionColumns}`, [
          params.interactionId,
          params.id,
        ]);
        if (!removed) throw new NotFoundError('Interaction not found');
        await recordInteraction(deps.audit, 'deleted', removed, contact.unit_id);
        return Reply.noContent();
      },
    }),
  ];
}
