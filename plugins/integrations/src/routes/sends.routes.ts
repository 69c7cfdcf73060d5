import { listPage, PageQuery, paginate, Reply, Type, type AnyRoute } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { integrationsPermissions as permissions } from '../permissions.js';
import { iso } from '../util.js';
import { NullableString } from './schemas.js';

const Status = Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('skipped')]);
const Send = Type.Object({
  id: Type.String({ format: 'uuid' }),
  rule_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  event_id: Type.String({ format: 'uuid' }),
  event_name: Type.String(),
  channel_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  kind: Type.String(),
  recipient: Type.String(),
  subject: NullableString,
  body: Type.String(),
  status: Status,
  attempt_count: Type.Integer(),
  last_error: NullableString,
  provider_message_id: NullableString,
  sent_at: NullableString,
  created_at: Type.String(),
});
const ListQuery = Type.Composite([PageQuery, Type.Object({ status: Type.Optional(Status), rule_id: Type.Optional(Type.String({ format: 'uuid' })) })]);

/** `/notification-log`: every notification the rules produced, with its outcome. */
export function sendRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/notification-log',
      summary: 'Notifications sent (or tried), newest first',
      permission: permissions['notifications.view'],
      schema: { query: ListQuery, response: Type.Array(Send) },
      async handler({ query, deps }) {
        const page = await listPage<Record<string, unknown> & { sent_at: Date | null; created_at: Date }>(
          deps.db,
          {
            select: `id, rule_id, event_id, event_name, channel_id, kind, recipient, subject, body, status, attempt_count, last_error,
              provider_message_id, sent_at, created_at`,
            from: 'integrations_sends',
            where: '($1::text is null or status = $1) and ($2::uuid is null or rule_id = $2)',
            orderBy: 'created_at desc, id',
            values: [query.status ?? null, query.rule_id ?? null],
          },
          query,
        );
        const items = page.items.map((row) => ({ ...row, sent_at: iso(row.sent_at), created_at: iso(row.created_at)! }));
        return Reply.list(items as never, paginate(query, page.total));
      },
    }),
  ];
}
