import { coreServices, definePermissions, definePlugin, Type } from '@plinth/sdk';

const permissions = definePermissions('notifier', { 'pings.send': { description: 'Send a ping', grantTo: ['admin'] } });

/**
 * A test-only plugin that notifies through the kernel: `notifier.ping` goes out by SMS (and in the inbox),
 * `notifier.chat` by WhatsApp; `POST /api/v1/notifier/ping` sends one to a member.
 */
export const notifierPlugin = definePlugin({
  name: 'notifier',
  version: '0.1.0',
  title: 'Notifier',
  description: 'Notifies members for tests.',
  category: 'testing',
  requires: { core: '^0.1.0' },
  deps: { notify: coreServices.notify },
  permissions,
  notifications: {
    categories: {
      'notifier.pings': { label: 'Pings', audience: 'staff', channels: ['inapp', 'sms'] },
      'notifier.chats': { label: 'Chats', audience: 'staff', channels: ['whatsapp'] },
    },
    templates: {
      'notifier.ping': { category: 'notifier.pings', title: 'Ping {code}', body: 'You were pinged with {code}.', short: 'Ping {code}' },
      'notifier.chat': { category: 'notifier.chats', title: 'Chat {code}', body: 'A chat with {code}.', short: 'Chat {code}' },
    },
  },
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/ping',
      summary: 'Notify a member',
      permission: permissions['pings.send'],
      schema: {
        body: Type.Object({ user_id: Type.String({ format: 'uuid' }), code: Type.String(), template: Type.Optional(Type.String()) }),
      },
      async handler({ body, deps }) {
        const result = await deps.notify.send({
          to: { userId: body.user_id },
          template: body.template ?? 'notifier.ping',
          data: { code: body.code },
          key: body.code,
        });
        return { recipients: result.recipients, failure: result.failure ?? null };
      },
    }),
  ],
});
