import { definePermissions } from '@plinth/sdk';

/** What payments lets roles do; the roles in `grantTo` gain them when their tenant enables payments. */
export const paymentsPermissions = definePermissions('payments', {
  'transactions.view': { description: 'View payment intents, transactions, refunds, plans and subscriptions', grantTo: ['admin'] },
  'intents.create': { description: 'Create, confirm and cancel payment intents', grantTo: ['admin'] },
  'refunds.create': { description: 'Refund captured payments, fully or partly', grantTo: ['admin'] },
  'manual.mark_paid': { description: 'Mark a manual (bank transfer, cash) payment as received', grantTo: ['admin'] },
  'settings.manage': { description: 'Configure payment providers and their credentials', grantTo: ['admin'] },
  'subscriptions.manage': { description: 'Manage plans and subscriptions', grantTo: ['admin'] },
});
