import { NotFoundError, Type, type Static, type TenantDb } from '@plinth/sdk';
import { iso } from '../util.js';

/** Who a rule writes to: a member, every member with a role, or an address found in the event's payload. */
export const Recipient = Type.Union([
  Type.Object({ type: Type.Literal('member'), user_id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('role'), role: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('payload'), path: Type.String({ pattern: '^payload(\\.[A-Za-z0-9_-]+)+$', maxLength: 200 }) },
    { additionalProperties: false },
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
