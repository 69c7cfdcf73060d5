/**
 * A plugin's own screen: a custom element the plugin ships in its web directory (`<web>/<element>.js`), mounted
 * at `/t/<tenant>/w/<plugin>/<element>?<params>` with a `plinth` property (`ConsoleContext` of `@plinth/sdk/web`).
 * See docs/plugins/console-screens.md.
 */
import type { ConsoleContext, ConsoleElement } from '@plinth/sdk/web';
import IntlMessageFormat from 'intl-messageformat';
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, download } from './api';
import { Breadcrumbs } from './breadcrumbs';
import { currencyDigits, formatBasisPoints, formatBytes, formatDate, formatDateTime, formatMoney, formatNumber } from './format';
import { currentLanguage, direction, formattingLocale, useLanguage } from './i18n';
import { bodySchema, matchTemplate, openApi } from './openapi';
import { humanize, loadPluginTranslations, pluginText } from './plugin-text';
import { resourceText } from './resource-messages';
import { navigate, type Location } from './router';
import { tenantPath, useTenant, type TenantSession } from './session';
import { appPath } from './resource-names';
import { ScreenButtons } from './screen-buttons';
import { recordPathOf } from './screen-links';
import { ErrorBanner, Loading, PageHeader } from './ui';
import { uploadFile } from './upload';

const elementName = /^[a-z][a-z0-9]*-[a-z0-9-]*$/;

/** Announces a plugin screen's message in the console's live region (one per page, outside the element). */
function announcer(region: () => HTMLElement | null) {
  return (message: string, kind: 'success' | 'error' = 'success') => {
    const node = region();
    if (!node) return;
    node.className = `banner ${kind}`;
    node.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    node.textContent = message;
    node.hidden = false;
  };
}

/** The context a plugin's element gets: the API as the user, the plugin's words, the tenant's formats. */
export function consoleContext(plugin: string, tenant: TenantSession, params: Record<string, string>, announce: ConsoleContext['announce']): ConsoleContext {
  const compiled = new Map<string, IntlMessageFormat>();
  const scoped = <T,>(options: { tenant?: string | undefined } = {}) => ({ ...options, tenant: options.tenant ?? tenant.slug }) as T;
  return {
    tenant: { slug: tenant.slug, name: tenant.name, currency: tenant.currency, timeZone: tenant.timeZone, locale: tenant.locale },
    language: currentLanguage(),
    dir: direction(),
    params,
    call: (method, path, options = {}) => call(method, path, scoped(options)),
    async download(path, options = {}) {
      const { blob, filename } = await download(path, { tenant: tenant.slug, query: options.query });
      const url = URL.createObjectURL(blob);
      Object.assign(document.createElement('a'), { href: url, download: filename ?? path.split('/').pop() ?? 'download' }).click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
    can: (permission) => tenant.can(permission),
    t(english, values) {
      const text = pluginText(plugin, english);
      if (!values) return text;
      let message = compiled.get(text);
      try {
        if (!message) compiled.set(text, (message = new IntlMessageFormat(text, formattingLocale())));
        return String(message.format(values));
      } catch (error) {
        console.error(`${plugin}: cannot format "${english}"`, error);
        return text;
      }
    },
    format: {
      money: (minor, currency) => formatMoney(minor, currency ?? tenant.currency),
      number: formatNumber,
      percent: formatBasisPoints,
      date: (iso) =>
        iso.length > 10
          ? new Intl.DateTimeFormat(formattingLocale(), { dateStyle: 'medium', timeZone: tenant.timeZone }).format(new Date(iso))
          : formatDate(iso),
      dateTime: (iso) => formatDateTime(iso, tenant.timeZone),
      bytes: formatBytes,
    },
    currencyDigits: (currency) => currencyDigits(currency ?? tenant.currency),
    href: (path) => tenantPath(tenant.slug, path.startsWith('/') ? path : `/${path}`),
    navigate: (path, options) => navigate(tenantPath(tenant.slug, path.startsWith('/') ? path : `/${path}`), options),
    upload: (file, options = {}) =>
      uploadFile(file, { tenant: tenant.slug, visibility: options.visibility ?? 'public', onProgress: options.onProgress, signal: options.signal }),
    fileUrl: (id, variant) =>
      `/api/v1/files/public/${encodeURIComponent(tenant.slug)}/${encodeURIComponent(id)}${variant ? `?variant=${encodeURIComponent(variant)}` : ''}`,
    publicUrl: (path) => new URL(path, window.location.origin).href,
    async bodySchema(method, path) {
      const document = await openApi();
      // The document's templates carry the API prefix; screens name routes as `call` does (`/shop/products`).
      const template = matchTemplate(document, `/api/v1${path.startsWith('/') ? path : `/${path}`}`);
      return (template && bodySchema(template.operations[method.toLowerCase() as 'post' | 'put' | 'patch'])) as Record<string, unknown> | undefined;
    },
    announce,
  };
}

/** The page of a plugin's screen: its title from the plugin's `web.screens` or `navigation`, and the element. */
export function PluginScreenPage({ plugin, element, location }: { plugin: string; element: string; location: Location }) {
  const tenant = useTenant();
  const language = useLanguage();
  const entry = tenant.plugins.find((candidate) => candidate.name === plugin);
  const screen = entry?.screens.find((item) => item.element === element);
  const label = screen?.label ?? entry?.navigation.find((item) => item.path === `web:${element}`)?.label ?? humanize(element);
  const host = useRef<HTMLDivElement>(null);
  const status = useRef<HTMLParagraphElement>(null);
  const [error, setError] = useState<unknown>();
  const [ready, setReady] = useState(false);
  const search = location.query.toString();
  // The record (or list) the screen was opened for: in the trail, and a primary screen links to its generic page.
  const recordPath = screen?.on ? recordPathOf(plugin, screen.on, Object.fromEntries(location.query)) : undefined;
  // The record's other screens (its curriculum and its learners), one click away from each other.
  const siblings =
    recordPath && screen
      ? (entry?.screens ?? []).filter((other) => other.on === screen.on && other.element !== element && tenant.can(other.permission ?? undefined))
      : [];
  useEffect(() => {
    setError(undefined);
    setReady(false);
    if (status.current) status.current.hidden = true; // a message of the previous screen is not about this one
    if (!entry?.enabled || !entry.web || !elementName.test(element)) {
      setError(new Error(resourceText('noSuchPage')));
      return;
    }
    let live = true;
    let mounted: (HTMLElement & ConsoleElement) | undefined;
    Promise.all([import(/* @vite-ignore */ `${entry.web}${element}.js`), loadPluginTranslations()]).then(
      () => {
        if (!live) return;
        const params = Object.fromEntries(new URLSearchParams(search));
        mounted = document.createElement(element) as HTMLElement & ConsoleElement;
        mounted.plinth = consoleContext(
          plugin,
          tenant,
          params,
          announcer(() => status.current),
        );
        mounted.lang = language;
        mounted.dir = direction();
        host.current?.replaceChildren(mounted);
        setReady(true);
      },
      (caught: unknown) => live && setError(caught),
    );
    return () => {
      live = false;
      mounted?.remove();
    };
  }, [entry?.web, entry?.enabled, plugin, element, tenant.slug, search, language]);
  return (
    <section>
      {recordPath && <Breadcrumbs apiPath={recordPath} self />}
      <PageHeader title={pluginText(plugin, label)}>
        {recordPath && <ScreenButtons links={siblings.map((other) => ({ plugin, screen: other }))} apiPath={recordPath} />}
        {recordPath && screen?.primary && (
          <a class="button secondary" href={appPath(tenant, recordPath)}>
            {resourceText('details')}
          </a>
        )}
      </PageHeader>
      <ErrorBanner error={error} />
      <p ref={status} hidden />
      {!error && !ready && <Loading />}
      <div ref={host} class="plugin-screen" />
    </section>
  );
}
