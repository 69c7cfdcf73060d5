import { NotFoundError, Ref, Type, type Static, type TenantDb } from '@plinth/sdk';
import { iso } from '../util.js';

/** Who a rule writes to: a member, every member with a role, or an address found in the event's payload. */
export const Recipient = Type.Union([
  Type.Object(
    { type: Type.Literal('member'), user_id: Ref('/members', { value: 'user_id', label: 'name', detail: 'email', title: 'Member' }) },
    { additionalProperties: false, title: 'A member' },
  ),
  Type.Object(
    { type: Type.Literal('role'), role: Type.String({ minLength: 1, maxLength: 100, title: 'Role', examples: ['admin'] }) },
    { additionalProperties: false, title: 'Everyone with a role' },
  ),
  Type.Object(
    {
      type: Type.Literal('payload'),
      path: Type.String({
        pattern: '^payload(\\.[A-Za-z0-9_-]+)+$',
        maxLength: 200,
        title: 'Address in the event',
        description: 'Where the event holds the address, e.g. payload.email',
      }),
    },
    { additionalProperties: false, title: 'An address in the event' },
  ),
]);
export type Recipient = Static<typeof Recipient>;

export const Rule = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  event: Type.String(),
  condition: Type.Union([Type.String(), Type.Null()]),
  template_id: Type.String({ format: 'uuid' }),
  /** `null`: the member's in-app inbox. */
  channel_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  recipient: Recipient,
  enabled: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type Rule = Static<typeof Rule>;
export type RuleRow = Omit<Rule, 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date };

export const toRule = (row: RuleRow): Rule => ({ ...row, created_at: iso(row.created_at)!, updated_at: iso(row.updated_at)! });

export async function findRule(db: TenantDb, id: string): Promise<RuleRow> {
  const row = await db.one<RuleRow>('select * from integrations_rules where id = $1', [id]);
  if (!row) throw new NotFoundError('Notification rule not found');
  return row;
}
