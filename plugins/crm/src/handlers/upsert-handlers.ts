// The shop's and the LMS's event types (their contracts), for the handlers below.
import type {} from '@plinth/plugin-lms';
import type {} from '@plinth/plugin-shop';
import type { EventHandlerDefinition, EventName } from '@plinth/sdk';
import type { ContactUpsert } from '../contract.js';
import type { Builders, CrmDeps } from '../deps.js';
import { isLimitReached } from '../services/contact-limit.js';
import { contactsApi } from '../services/contact-upsert.js';
import { isEmail } from '../services/contact-model.js';

const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

/**
 * Upserts the contact; when the plan's contacts are used up, a new one is not created (an existing one is still
 * updated) and a warning is logged: an order, an enrolment or a registration never fails, nor is retried, because
 * the CRM is full. The record it came from stays in its own plugin (the shop's customer, the LMS's learner).
 */
async function upsertUnlessFull(deps: CrmDeps, input: ContactUpsert): Promise<void> {
  try {
    await contactsApi(deps).upsert(input);
  } catch (error) {
    if (!isLimitReached(error)) throw error;
    deps.logger.warn({ source: input.source }, 'Contact not created: the plan contact limit is reached');
  }
}

/**
 * Contacts from the rest of the platform: registered users (when `captureRegisteredUsers` is on), shop
 * customers whose order was paid, and LMS learners; each upserts the contact and records the interaction.
 * The shop's and LMS's events only arrive when those plugins are installed; events without a usable email
 * are ignored, and so is a new contact beyond the plan's limit ({@link upsertUnlessFull}).
 */
export function upsertHandlers({ on }: Builders): EventHandlerDefinition<EventName, unknown, unknown>[] {
  return [
    on('core.user.registered', async ({ event, deps, ctx }) => {
      if (!ctx.settings.captureRegisteredUsers || !isEmail(event.payload.email)) return;
      await upsertUnlessFull(deps, {
        email: event.payload.email,
        name: event.payload.name,
        source: 'registration',
        interaction: { type: 'note', subject: 'Registered an account', channel: 'web', occurredAt: event.occurredAt },
      });
    }),
    on('shop.order.paid', async ({ event, deps }) => {
      const { customer, number, total, currency, lines } = event.payload;
      if (!isEmail(customer.email)) return;
      await upsertUnlessFull(deps, {
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
      await upsertUnlessFull(deps, {
        email: learner.email,
        name: learner.name,
        source: 'lms',
        tags: ['learner'],
        interaction: { type: 'enrollment', subject: `Enrolled in ${courseTitle}`, channel: 'lms', occurredAt: event.occurredAt },
      });
    }),
  ];
}
