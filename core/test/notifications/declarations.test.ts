import { definePlugin, type PluginNotificationDeclarations } from '@plinth/sdk';
import { describe, expect, it } from 'vitest';
import { notificationCatalogue } from '../../src/notifications/declarations.js';
import { validatePlugin } from '../../src/plugins/plugin-registry.js';
import { bellPlugin } from './fixtures/bell-plugin.js';

const withNotifications = (notifications: PluginNotificationDeclarations) =>
  definePlugin({
    name: 'chime',
    version: '1.0.0',
    title: 'Chime',
    description: 'Declares notifications',
    category: 'testing',
    requires: { core: '>=0.1.0' },
    deps: {},
    notifications,
  });

describe('notification declarations', () => {
  it.each([
    [{ categories: { 'bell.news': { label: 'News', audience: 'staff' } } }, 'notification category bell.news must be named chime.<name>'],
    [{ categories: { 'chime.x': { label: ' ', audience: 'staff' } } }, 'notification category chime.x needs a label'],
    [{ categories: { 'chime.x': { label: 'X', audience: 'everyone' } } }, "notification category chime.x audience must be 'staff', 'customer' or 'both'"],
    [{ categories: { 'chime.x': { label: 'X', audience: 'staff', channels: ['pigeon'] } } }, 'notification category chime.x has an unknown channel "pigeon"'],
    [
      { categories: { 'chime.x': { label: 'X', audience: 'staff', digest: 'weekly' } } },
      "notification category chime.x digest must be 'instant', 'hourly' or 'daily'",
    ],
    [
      { templates: { 'chime.t': { category: 'chime.nope', title: 'T', body: 'B' } } },
      'notification template chime.t names category "chime.nope", which the plugin does not declare',
    ],
    [
      { categories: { 'chime.x': { label: 'X', audience: 'staff' } }, templates: { 'chime.t': { category: 'chime.x', title: 'Hi {name', body: 'B' } } },
      'notification template chime.t title is not valid ICU MessageFormat',
    ],
    [
      { categories: { 'chime.x': { label: 'X', audience: 'staff' } }, templates: { 'chime.t': { category: 'chime.x', title: 'T', body: '' } } },
      'notification template chime.t needs a body',
    ],
  ])('refuse a bad declaration, naming the plugin and the key (%#)', (notifications, message) => {
    expect(() => validatePlugin(withNotifications(notifications as PluginNotificationDeclarations))).toThrow(`plugin \`chime\`: ${message}`);
  });

  it("accept a good one, and list it with core's own", () => {
    expect(() => validatePlugin(bellPlugin)).not.toThrow();
    const catalogue = notificationCatalogue([bellPlugin]);
    expect([...catalogue.categories.keys()]).toEqual([
      'core.security',
      'core.reports',
      'core.support',
      'core.billing',
      'bell.news',
      'bell.summary',
      'bell.texts',
      'bell.alarms',
    ]);
    expect(catalogue.templates.get('core.report-ready')).toMatchObject({ plugin: 'core', category: 'core.reports' });
    expect(catalogue.categories.get('core.security')).toMatchObject({ required: true });
  });
});
