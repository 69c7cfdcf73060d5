/**
 * Every event Plinth knows, by name, with its payload type. Core declares its
 * own; each plugin adds its events by declaration merging, so emitting and
 * handling are typed across packages:
 *
 * @example
 * ```ts
 * declare module '@plinth/sdk' {
 *   interface PlinthEvents {
 *     'crm.contact.created': { contactId: string; email: string };
 *   }
 * }
 * ```
 */
export interface PlinthEvents {
  /** A new account, in the tenant it signed up with or whose invitation it accepted. */
  'core.user.registered': { userId: string; email: string; name: string };
  /** Someone became a member: the owner of a new tenant, or an invitee accepting (`roles` by name). */
  'core.member.joined': { userId: string; email: string; name: string; roles: string[] };
  'core.member.removed': { userId: string };
  'core.tenant.created': { tenantId: string; slug: string; name: string };
  'core.plugin.enabled': { plugin: string };
  'core.plugin.disabled': { plugin: string };
}

/** A known event name. */
export type EventName = keyof PlinthEvents & string;

/** An event as handlers receive it. */
export interface DeliveredEvent<K extends EventName = EventName> {
  /** Unique id: the same on every redelivery (handlers are recorded as processed per id). */
  id: string;
  name: K;
  payload: PlinthEvents[K];
  occurredAt: string;
}
