import { Type } from '@plinth/sdk';
import { PluginEntitlement } from '../billing/plugin-entitlement.js';
import { Exact, Nullable } from '../http/response-schemas.js';

/** `:plugin`: an installed plugin's name. */
export const PluginParams = Type.Object({ plugin: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }) }, { additionalProperties: false });

/** A role every tenant has. */
const BuiltinRoleName = Type.Union(['owner', 'admin', 'member', 'viewer', 'customer'].map((role) => Type.Literal(role)));

/** A plugin as the marketplace shows it. */
export const MarketplacePlugin = Exact({
  name: Type.String(),
  title: Type.String(),
  description: Type.String(),
  version: Type.String(),
  category: Type.String(),
  icon: Nullable(Type.String()),
  author: Nullable(Type.String()),
  permissions: Type.Array(
    Exact({
      name: Type.String(),
      description: Type.String(),
      grant_to: Type.Array(BuiltinRoleName, {
        description:
          'Built-in roles that get it as soon as the plugin is enabled (the owner holds every permission anyway); other roles only if a tenant adds it',
      }),
    }),
    { description: 'What the plugin lets roles do, and who gets it by default: shown before enabling it' },
  ),
  requires: Exact({
    core: Type.String(),
    plugins: Type.Record(Type.String(), Type.String()),
    optional_plugins: Type.Record(Type.String(), Type.String()),
  }),
  navigation: Type.Array(Exact({ label: Type.String(), icon: Nullable(Type.String()), path: Type.String(), permission: Nullable(Type.String()) })),
  web: Nullable(Type.String({ description: 'Where its web pages are served' })),
  screens: Type.Array(
    Exact({
      element: Type.String({ description: 'The custom element, defined by `<web><element>.js`' }),
      label: Type.String(),
      on: Nullable(Type.String({ description: 'The route whose console page links to the screen' })),
      primary: Type.Boolean({ description: "The screen opens instead of the generated page of the route's records" }),
      icon: Nullable(Type.String()),
      permission: Nullable(Type.String()),
    }),
    { description: "The plugin's own console screens (custom elements)" },
  ),
  settings_permission: Nullable(Type.String()),
  uses: Type.Array(
    Exact({
      plugin: Type.String({ description: 'The other plugin' }),
      title: Type.String({ description: "The other plugin's title" }),
      service: Type.String({ description: 'The service used, `<plugin>.<service>`' }),
      access: Type.Union([Type.Literal('read'), Type.Literal('write')]),
      what: Type.String({ description: 'What it reads or writes, in plain words' }),
      optional: Type.Boolean({ description: 'Used only when the other plugin is enabled' }),
    }),
    { description: "Other plugins' data this plugin reads or writes (through their services): shown before enabling it" },
  ),
  unit_tables: Type.Array(Type.String(), {
    description: "The plugin's tables whose records belong to organisation units (the database limits a unit-scoped caller to its units' rows)",
  }),
  enabled: Type.Boolean(),
  has_data: Type.Boolean({ description: 'Whether it keeps rows or files of this tenant (what a purge would delete)' }),
  entitlement: PluginEntitlement,
});

/** A tenant's settings of a plugin, defaults applied (each plugin's settings schema says more). */
export const Settings = Type.Record(Type.String(), Type.Unknown());
