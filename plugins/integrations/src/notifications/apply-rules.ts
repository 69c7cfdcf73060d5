import type { DeliveredEvent, TenantInfo } from '@plinth/sdk';
import type { Deps } from '../deps.js';
import { subscribes } from '../webhooks/schedule.js';
import { matches, parseCondition } from './condition.js';
import type { RuleRow } from './rule-store.js';
import { lookup, renderTemplate, type MergeContext } from './template.js';

interface TemplateRow {
  kind: string;
  subject: string | null;
  body: string;
  html: string | null;
}

interface Target {
  userId: string | null;
  name: string | null;
  /** Email for email, phone for SMS/WhatsApp; null when the recipient has none (logged as skipped). */
  address: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+[1-9][0-9]{6,14}$/;

/**
 * Applies the tenant's enabled rules to an event: for each rule whose event and condition match, renders its
 * template for every recipient and logs a send; an in-app send goes to the member through the kernel's
 * notifications (template `integrations.rule`), any other is queued for its channel. Idempotent per rule, event
 * and recipient.
 */
export async function applyRules(deps: Pick<Deps, 'db' | 'jobs' | 'members' | 'notify'>, event: DeliveredEvent, tenant: TenantInfo): Promise<void> {
  const rules = (await deps.db.query<RuleRow>('select * from integrations_rules where enabled')).filter((rule) => subscribes([rule.event], event.name));
  for (const rule of rules) {
    if (rule.condition !== null) {
      const condition = parseCondition(rule.condition);
      if (typeof condition === 'string' || !matches(condition, event)) continue;
    }
    const template = await deps.db.one<TemplateRow>('select kind, subject, body, html from integrations_templates where id = $1', [rule.template_id]);
    const channel = rule.channel_id
      ? await deps.db.one<{ id: string; kind: string; enabled: boolean }>('select id, kind, enabled from integrations_channels where id = $1', [
          rule.channel_id,
        ])
      : null;
    if (!template || (rule.channel_id && !channel)) continue;
    const kind = channel?.kind ?? 'in_app';
    for (const target of await targetsOf(deps, rule, event, kind)) {
      const context: MergeContext = {
        event: { id: event.id, name: event.name, occurred_at: event.occurredAt },
        payload: event.payload,
        tenant: { name: tenant.name, slug: tenant.slug },
        recipient: { name: target.name, address: target.address ?? '' },
      };
      const subject = template.subject === null ? null : renderTemplate(template.subject, context);
      const body = renderTemplate(template.body, context);
      const html = template.html === null ? null : renderTemplate(template.html, context, true);
      const skipped = skipReason(target, channel, kind);
      const [logged] = await deps.db.query<{ id: string }>(
        `insert into integrations_sends (rule_id, event_id, event_name, channel_id, kind, recipient, subject, body, html, status, last_error, sent_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         on conflict (tenant_id, rule_id, event_id, recipient) do nothing returning id`,
        [
          rule.id,
          event.id,
          event.name,
          channel?.id ?? null,
          kind,
          target.address ?? target.userId ?? 'unknown',
          subject,
          body,
          html,
          skipped ? 'skipped' : kind === 'in_app' ? 'sent' : 'pending',
          skipped,
          kind === 'in_app' && !skipped ? new Date() : null,
        ],
      );
      if (!logged || skipped) continue;
      if (kind === 'in_app') {
        const key = `rule:${rule.id}:${event.id}:${target.userId}`;
        await notifyMember(deps, logged.id, target.userId!, { title: subject ?? event.name, body, key });
      } else await deps.jobs.enqueue('integrations.notification.send', { sendId: logged.id });
    }
  }
}

/**
 * Puts a rendered in-app rule in the member's inbox through the kernel; a notification the kernel refuses (the
 * member left the tenant) turns the logged send into a failure.
 */
async function notifyMember(
  deps: Pick<Deps, 'db' | 'notify'>,
  sendId: string,
  userId: string,
  message: { title: string; body: string; key: string },
): Promise<void> {
  const result = await deps.notify.send({
    to: { userId },
    template: 'integrations.rule',
    data: { title: message.title, body: message.body },
    key: message.key,
  });
  if (result.failure && result.recipients === 0) {
    await deps.db.query("update integrations_sends set status = 'failed', last_error = $2, sent_at = null, updated_at = now() where id = $1", [
      sendId,
      result.failure,
    ]);
  }
}

/** Why a notification cannot go out (logged as `skipped`), or null. */
function skipReason(target: Target, channel: { enabled: boolean } | null | undefined, kind: string): string | null {
  if (!target.address) {
    const missing = { email: 'email address', in_app: 'membership' }[kind] ?? 'phone number';
    return `the recipient has no ${missing}`;
  }
  return channel && !channel.enabled ? 'the channel is disabled' : null;
}

async function targetsOf(deps: Pick<Deps, 'members'>, rule: RuleRow, event: DeliveredEvent, kind: string): Promise<Target[]> {
  const recipient = rule.recipient;
  if (recipient.type === 'payload') {
    const value = lookup(event, recipient.path);
    const valid = typeof value === 'string' && (kind === 'email' ? EMAIL.test(value) : PHONE.test(value));
    return [{ userId: null, name: null, address: valid ? value : null }];
  }
  const members =
    recipient.type === 'member'
      ? [await deps.members.get(recipient.user_id)].filter((member) => member !== undefined)
      : await deps.members.list({ role: recipient.role });
  return members.map((member) => ({
    userId: member.userId,
    name: member.name,
    // Members have an email address and an inbox, but no phone number on file.
    address: kind === 'email' ? member.email : kind === 'in_app' ? member.userId : null,
  }));
}
