/**
 * Notifications: a plugin declares its categories and templates in `definePlugin({ notifications })` and
 * notifies people with the `notify` core service; the kernel keeps each person's in-app inbox (live in open
 * consoles), and sends email, SMS and WhatsApp according to the person's preferences and the tenant's defaults.
 * See docs/notifications.md.
 */

/** How a person hears of a notification: the in-app inbox, email (the host's mailer), or SMS and WhatsApp (the tenant's integrations channels, to a verified phone number). */
export type NotificationChannel = 'inapp' | 'email' | 'sms' | 'whatsapp';

/** The channels in the order preferences show them. */
export const notificationChannels: readonly NotificationChannel[] = ['inapp', 'email', 'sms', 'whatsapp'];

/** When a person hears of a category: at once, or in one summary per hour or per day. */
export type NotificationDigest = 'instant' | 'hourly' | 'daily';

/** A kind of notification, as people see it in their preferences ("Order paid"). */
export interface NotificationCategory {
  /** English, as preferences show it; translated through the plugin's `translations`. */
  label: string;
  description?: string;
  /** Who receives it: staff members, customers (learners, buyers, guardians), or both. */
  audience: 'staff' | 'customer' | 'both';
  /** Channels on by default, until the tenant or the person changes them (default `['inapp', 'email']`). */
  channels?: readonly NotificationChannel[];
  /** Cannot be muted (security, billing): in-app and email stay on whatever the preferences, and its mail has no unsubscribe link. */
  required?: boolean;
  /** Default delivery (`instant` unless given): a busy category may default to an hourly or daily summary. */
  digest?: NotificationDigest;
}

/**
 * What a notification says, in English ICU MessageFormat with `{placeholders}` filled from the `data` of
 * {@link NotifyInput} (`'{learner} finished {course}'`); each text is translated through the plugin's
 * `translations`, keyed by this English text, into the recipient's language.
 */
export interface NotificationTemplate {
  /** A key of the plugin's `categories`. */
  category: string;
  /** The inbox title and the mail's subject. */
  title: string;
  /** The inbox text and the mail's body. */
  body: string;
  /** The text of an SMS or WhatsApp message (default: the title, then the link). */
  short?: string;
}

/**
 * What a plugin declares in `definePlugin({ notifications })`: keys are `<plugin>.<name>` (`lms.enrolment`,
 * `lms.enrolled`), checked when the kernel loads the plugin.
 *
 * @example
 * ```ts
 * notifications: {
 *   categories: { 'shop.orders': { label: 'Orders', audience: 'customer' }, 'shop.stock': { label: 'Low stock', audience: 'staff', digest: 'daily' } },
 *   templates: { 'shop.order-paid': { category: 'shop.orders', title: 'Order {number} is paid', body: 'Thank you, {name}. We are preparing it.' } },
 * },
 * ```
 */
export interface PluginNotificationDeclarations {
  categories?: Readonly<Record<string, NotificationCategory>>;
  templates?: Readonly<Record<string, NotificationTemplate>>;
}

/** Who is notified: a member or customer, every member holding a role or a permission, or the members of an organisation unit (and its sub-units). */
export type NotifyRecipient = { userId: string } | { role: string } | { permission: string } | { unitId: string };

/** What {@link PluginNotify.send} takes. */
export interface NotifyInput {
  /** One recipient or several; a person reached twice is notified once. */
  to: NotifyRecipient | readonly NotifyRecipient[];
  /** One of the plugin's template keys. */
  template: string;
  /** The template's placeholders (text, numbers, dates; a `Date` is formatted in the recipient's language). */
  data?: Readonly<Record<string, string | number | boolean | Date | null>>;
  /**
   * Where the notification leads: a path of the plugin's console pages (`/orders/123`, opened at
   * `/t/<tenant>/p/<plugin>/orders/123`), or for customers a page path from `pagePath` (`/c/<tenant>/…`).
   */
  link?: string;
  /** Notifies once per key within the plugin and tenant: a retried job or handler does not notify twice. */
  key?: string;
}

/** What {@link PluginNotify.send} did. */
export interface NotifyResult {
  /** The notification's id; null when nothing was recorded (a repeated `key`). */
  notificationId: string | null;
  /** People notified. */
  recipients: number;
  /** Why no one, or not everyone, was notified (an unknown template, a recipient outside the tenant); also in the tenant's notification log. */
  failure?: string;
}

/**
 * Notifies people of the tenant (the `notify` core service). The notification is written in the caller's
 * transaction (rolled back with it) and delivered once it commits: to the in-app inbox at once, and through
 * email, SMS or WhatsApp as each person's preferences say. A bad template key or a recipient who is not a member
 * or customer of the tenant never throws (the caller's work is not lost for a notification): it is recorded as a
 * failure in the tenant's notification log and nothing is sent to anyone outside the tenant.
 *
 * @example
 * ```ts
 * deps: { notify: coreServices.notify },
 * await deps.notify.send({ to: { userId: order.customer_id }, template: 'shop.order-paid', data: { number: order.number }, link: pagePath(ctx.tenant.slug, `/orders/${order.id}`), key: `paid:${order.id}` });
 * ```
 */
export interface PluginNotify {
  send(input: NotifyInput): Promise<NotifyResult>;
}

/** A message the kernel asks a plugin to send on a channel it does not send itself (SMS, WhatsApp): the `core.notification.send` hook's argument. */
export interface ChannelMessage {
  channel: 'sms' | 'whatsapp';
  /** E.164 (`+201001234567`). */
  to: string;
  text: string;
  /** Stable across retries of the same delivery. */
  idempotencyKey: string;
}

/** The answer of the tap that sent a {@link ChannelMessage}: the provider's message id, if it has one. */
export interface ChannelSent {
  providerMessageId: string | null;
}
