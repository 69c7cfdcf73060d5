import { notificationChannels, type NotificationCategory, type NotificationTemplate, type Plugin, type PluginTranslations } from '@plinth/sdk';
import { IntlMessageFormat } from 'intl-messageformat';
import { coreCategories, coreNotificationTranslations, corePlugin, coreTemplates } from './core-notifications.js';

/** A category as the kernel knows it: its key and the plugin (or `core`) that declared it. */
export interface DeclaredCategory extends NotificationCategory {
  key: string;
  plugin: string;
}

/** A template as the kernel knows it: its key, its plugin, and the translations its texts are looked up in. */
export interface DeclaredTemplate extends NotificationTemplate {
  key: string;
  plugin: string;
  translations: PluginTranslations;
}

/** Every category and template of core and the installed plugins, by key. */
export interface NotificationCatalogue {
  categories: ReadonlyMap<string, DeclaredCategory>;
  templates: ReadonlyMap<string, DeclaredTemplate>;
  /** The translations of the plugin (or core) that declared a category. */
  translationsOf(plugin: string): PluginTranslations;
}

const catalogues = new WeakMap<readonly Plugin[], NotificationCatalogue>();

/** The catalogue of these installed plugins (built once per list) plus core's own. */
export function notificationCatalogue(plugins: readonly Plugin[]): NotificationCatalogue {
  const known = catalogues.get(plugins);
  if (known) return known;
  const categories = new Map<string, DeclaredCategory>();
  const templates = new Map<string, DeclaredTemplate>();
  const translations = new Map<string, PluginTranslations>([[corePlugin, coreNotificationTranslations]]);
  const add = (
    plugin: string,
    declared: { categories?: Readonly<Record<string, NotificationCategory>>; templates?: Readonly<Record<string, NotificationTemplate>> },
  ) => {
    for (const [key, category] of Object.entries(declared.categories ?? {})) categories.set(key, { ...category, key, plugin });
    for (const [key, template] of Object.entries(declared.templates ?? {}))
      templates.set(key, { ...template, key, plugin, translations: translations.get(plugin) ?? {} });
  };
  add(corePlugin, { categories: coreCategories, templates: coreTemplates });
  for (const plugin of plugins) {
    translations.set(plugin.name, plugin.translations ?? {});
    add(plugin.name, plugin.notifications ?? {});
  }
  const catalogue: NotificationCatalogue = { categories, templates, translationsOf: (plugin) => translations.get(plugin) ?? {} };
  catalogues.set(plugins, catalogue);
  return catalogue;
}

/** The channels a category has on until someone changes them. */
export function defaultChannels(category: NotificationCategory): ReadonlySet<string> {
  return new Set(category.channels ?? ['inapp', 'email']);
}

/**
 * Checks a plugin's `notifications` when the kernel loads it: keys are `<plugin>.<name>`, a template's category is
 * one of the plugin's, texts are non-empty and valid ICU MessageFormat. `fail` throws, naming the plugin and field.
 */
export function checkNotificationDeclarations(plugin: Plugin, fail: (field: string, problem: string) => never): void {
  const declared: unknown = plugin.notifications ?? {};
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) fail('notifications', 'must be an object of { categories, templates }');
  const { categories = {}, templates = {} } = declared as {
    categories?: Record<string, NotificationCategory>;
    templates?: Record<string, NotificationTemplate>;
  };
  const ownKey = (kind: string, key: string) => {
    if (!new RegExp(`^${plugin.name}\\.[a-z0-9][a-z0-9-]*$`).test(key))
      fail(`notification ${kind} ${key}`, `must be named ${plugin.name}.<name> (lower case, digits, hyphens)`);
  };
  for (const [key, category] of Object.entries(categories)) {
    ownKey('category', key);
    if (typeof category?.label !== 'string' || !category.label.trim()) fail(`notification category ${key}`, 'needs a label');
    if (!['staff', 'customer', 'both'].includes(category.audience)) fail(`notification category ${key}`, "audience must be 'staff', 'customer' or 'both'");
    for (const channel of category.channels ?? [])
      if (!notificationChannels.includes(channel)) fail(`notification category ${key}`, `has an unknown channel ${JSON.stringify(channel)}`);
    if (category.digest !== undefined && !['instant', 'hourly', 'daily'].includes(category.digest))
      fail(`notification category ${key}`, "digest must be 'instant', 'hourly' or 'daily'");
  }
  for (const [key, template] of Object.entries(templates)) {
    ownKey('template', key);
    if (!template || !Object.hasOwn(categories, template.category))
      fail(`notification template ${key}`, `names category ${JSON.stringify(template?.category)}, which the plugin does not declare`);
    for (const field of ['title', 'body', 'short'] as const) {
      const text = template[field];
      if (text === undefined && field === 'short') continue;
      if (typeof text !== 'string' || !text.trim()) fail(`notification template ${key}`, `needs a ${field}`);
      try {
        new IntlMessageFormat(text, 'en');
      } catch (error) {
        fail(`notification template ${key}`, `${field} is not valid ICU MessageFormat: ${(error as Error).message}`);
      }
    }
  }
}
