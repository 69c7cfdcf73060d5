import { definePlugin } from '@plinth/sdk';
import { deps } from './deps.js';
import { createGreetings } from './migrations/001-create-hello-greetings.js';
import { helloPermissions } from './permissions.js';
import { greetingRoutes } from './routes/greetings.routes.js';
import { HelloSettings } from './settings.js';
import { translations } from './translations.js';

/** Hello: a greeting for each tenant, in its own words, and a wall of greetings its members post. */
export default definePlugin({
  name: 'hello',
  version: '0.1.0',
  title: 'Hello',
  description: 'Greets the tenant and keeps a wall of greetings from its members.',
  category: 'examples',
  icon: 'smile',
  author: 'The Plinth examples',
  requires: { core: '^0.1.0' },
  deps,
  permissions: helloPermissions,
  settings: HelloSettings,
  translations,
  migrations: [createGreetings],
  routes: greetingRoutes,
});
