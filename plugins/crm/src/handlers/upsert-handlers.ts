// The shop's and the LMS's event types (their contracts), for the handlers below.
import type {} from '@plinth/plugin-lms';
import type {} from '@plinth/plugin-shop';
import type { EventHandlerDefinition, EventName } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { contactsApi } from '../services/contact-upsert.js';
import { isEmail } from '../services/contact-model.js';

const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

/**
 * Contacts from the rest of the platform: registered users (when `captureRegisteredUsers` is on), shop
 * customers whose order was paid, and LMS learners; each upserts the contact and records the interaction.
 * The shop's and LMS's events only arrive when those plugins are installed; events without a usable email
 * are ignored.
 */
export function upsertHandlers({ on }: Builders): EventHandlerDefinition<EventName, unknown, unknown>[] {
  return [
    on('core.user.registered', async ({ event, deps, ctx }) => {
      if (!ctx.settings.captureRegisteredUsers || !isEmail(event.payload.email)) return;
      await contactsApi(deps).upsert({
        email: event.payload.email,
        name: event.payload.name,
        source: 'registration',
        interaction: { type: 'note', subject: 'Registered an account', channel: 'web', occurredAt: event.occurredAt },
      });
    }),
    on('shop.order.paid', async ({ event, deps }) => {
      const { customer, number, total, currency, lines } = event.payload;
      if (!isEmail(customer.email)) return;
      await contactsApi(deps).upsert({
        email: customer.email,
        ...(customer.name ? { name: customer.name } : {}),
        source: 'shop',
        tags: ['customer'],
        interaction: {
          type: 'order',
          subject: `Order ${number} paid: ${money(total, currency)}`,
          content: lines.map((line) => `${line.quantity} × ${line.name}`).join('\n'),
          channel: 'shop',
          occurredAt: event.occurredAt,
        },
      });
    }),
    on('lms.enrollment.created', async ({ event, deps }) => {
      const { learner, courseTitle } = event.payload;
      if (!isEmail(learner.email)) return;
      await contactsApi(deps).upsert({
        email: learner.email,
        name: learner.name,
        source: 'lms',
        tags: ['learner'],
        interaction: { type: 'enrollment', subject: `Enrolled in ${courseTitle}`, channel: 'lms', occurredAt: event.occurredAt },
      });
    }),
  ];
}
