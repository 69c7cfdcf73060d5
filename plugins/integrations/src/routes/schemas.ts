import { Type } from '@plinth/sdk';

/** `:id` of a resource. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/**
 * Events the first-party plugins emit, offered as suggestions (`examples`). Not an enum: any installed plugin's
 * events, prefixes and `*` are accepted too.
 */
export const knownEvents = [
  'shop.order.created',
  'shop.order.paid',
  'shop.order.fulfilled',
  'shop.order.cancelled',
  'shop.order.refunded',
  'shop.product.created',
  'shop.product.updated',
  'shop.product.deleted',
  'shop.stock.low',
  'payments.payment.succeeded',
  'payments.payment.failed',
  'payments.refund.succeeded',
  'payments.subscription.created',
  'payments.subscription.renewed',
  'payments.subscription.past_due',
  'payments.subscription.cancelled',
  'crm.contact.created',
  'crm.contact.updated',
  'crm.contact.deleted',
  'crm.campaign.sent',
  'crm.import.completed',
  'lms.enrollment.created',
  'lms.lesson.completed',
  'lms.course.completed',
  'lms.certificate.issued',
  'bio-sites.site.published',
  'bio-sites.subscriber.captured',
  'bio-sites.link.clicked',
  'integrations.inbound.received',
  'integrations.endpoint.disabled',
];

/** An event name, a prefix (`shop.*`) or `*`. */
export const EventPattern = Type.String({
  pattern: '^(\\*|[a-z0-9][a-z0-9-]*(\\.[a-z0-9_-]+)*(\\.\\*)?)$',
  maxLength: 200,
  title: 'Event',
  description: 'An event name (shop.order.paid), every event of a plugin (shop.*) or every event (*)',
  examples: knownEvents,
});

/** An exact event name (`shop.order.paid`). */
export const EventName = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]*(\\.[a-z0-9_-]+)+$',
  maxLength: 200,
  title: 'Event',
  description: 'An event name, e.g. shop.order.paid',
  examples: knownEvents,
});

/** Nullable string. */
export const NullableString = Type.Union([Type.String(), Type.Null()]);
