import type { PluginNotificationDeclarations } from '@plinth/sdk';

/**
 * What payments tells people: a subscription renewal that failed, to its subscriber and to the staff who manage
 * subscriptions. Billing of the tenant's own customers: people may mute it (the tenant's billing by the host is
 * another matter).
 */
export const paymentsNotifications: PluginNotificationDeclarations = {
  categories: {
    'payments.billing': {
      label: 'Billing',
      description: 'When a subscription payment fails',
      audience: 'both',
    },
  },
  templates: {
    'payments.renewal-failed': {
      category: 'payments.billing',
      title: 'Your payment for {plan} did not go through',
      body: '{final, select, true {We could not renew your {plan} subscription, so it has been cancelled.} other {We could not renew your {plan} subscription. We will try again soon: please check that your payment method is up to date.}}',
    },
    'payments.renewal-failed-staff': {
      category: 'payments.billing',
      title: 'Renewal failed: {plan} for {customer}',
      body: '{final, select, true {The renewal of {customer}’s {plan} subscription failed {attempt} times; the subscription has been cancelled.} other {The renewal of {customer}’s {plan} subscription failed (attempt {attempt}); it will be retried.}}',
    },
  },
};
