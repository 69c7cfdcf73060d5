import { ConflictError, ValidationError, type PluginAudit, type PluginEvents, type PluginLimits, type TenantDb } from '@plinth/sdk';
import type { ContactUpsert, CrmContactsApi } from '../contract.js';
import { auditedContactColumns, recordContact, type AuditedContact } from './contact-audit.js';
import { contactsLimit } from './contact-limit.js';
import { isEmail } from './contact-model.js';

interface UpsertDeps {
  db: TenantDb;
  events: PluginEvents;
  audit: PluginAudit;
  limits: PluginLimits;
}

/**
 * The contacts service of the contract (bio-sites' email capture, the shop and LMS handlers): creates the
 * contact or fills the blanks of the live one with the same email, adds tags, records the interaction. A new
 * contact counts against the plan's contact limit (`limit_reached` when it is used up; updates always pass).
 */
export function contactsApi(deps: UpsertDeps): CrmContactsApi {
  return { upsert: (input) => upsertContact(deps, input) };
}

async function upsertContact(deps: UpsertDeps, input: ContactUpsert, retried = false): Promise<{ contactId: string; created: boolean }> {
  const { db, events } = deps;
  const email = input.email.trim();
  if (!isEmail(email)) throw new ValidationError({ email: ['must be a valid email'] });
  const tags = input.tags ?? [];
  let created = false;
  let contact = await db.one<AuditedContact & { id: string }>(
    `select id, ${auditedContactColumns} from crm_contacts where email_key = lower($1) and deleted_at is null for update`,
    [email],
  );
  if (contact) {
    const { id, ...before } = contact;
    const after = await db.one<AuditedContact>(
      `update crm_contacts set name = coalesce(name, $2), phone = coalesce(phone, $3),
              tags = array(select distinct t from unnest(tags || $4::text[]) t order by t), updated_at = now()
        where id = $1 returning ${auditedContactColumns}`,
      [id, input.name ?? null, input.phone ?? null, tags],
    );
    await recordContact(deps.audit, 'updated', id, { before, after, data: { source: input.source } });
    await events.emit('crm.contact.updated', { contactId: id, email, changed: ['upsert'] });
  } else {
    await deps.limits.ensure(contactsLimit, 1);
    contact = await db.one<AuditedContact & { id: string }>(
      `insert into crm_contacts (name, email, phone, tags, source) values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, email_key) where deleted_at is null do nothing returning id, ${auditedContactColumns}`,
      [input.name ?? null, email, input.phone ?? null, tags, input.source],
    );
    if (!contact) {
      // A concurrent insert won: update that one instead. Still none the second time: the contact is one this unit of
      // work cannot see (another team's, for a caller limited to teams).
      if (retried) throw new ConflictError('Another contact has this email');
      return upsertContact(deps, input, true);
    }
    created = true;
    const { id, ...after } = contact;
    await recordContact(deps.audit, 'created', id, { after });
    await events.emit('crm.contact.created', { contactId: id, email, name: input.name ?? null, source: input.source });
  }
  if (input.interaction) {
    const { type, subject, content, channel, occurredAt } = input.interaction;
    await db.query(
      'insert into crm_interactions (contact_id, type, subject, content, channel, occurred_at) values ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()))',
      [contact.id, type, subject, content ?? null, channel ?? input.source, occurredAt ?? null],
    );
  }
  return { contactId: contact.id, created };
}
