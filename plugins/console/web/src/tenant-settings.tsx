import { useMemo, useState } from 'preact/hooks';
import { call } from './api';
import { formatMoney } from './format';
import { currentLanguage, defineMessages } from './i18n';
import { useTenant } from './session';
import { ErrorBanner, errorsFor, Field, Form, Submit, useAction } from './ui';

const t = defineMessages({
  en: {
    title: 'Language and region',
    intro: 'How this workspace shows numbers, money, dates and times, and the language of its members who have not chosen one.',
    language: 'Language and region',
    timeZone: 'Time zone',
    currency: 'Currency',
    currencyHint: 'Amounts without a currency of their own are in it, shown like this: {example}',
    save: 'Save',
    saved: 'Saved.',
  },
  ar: {
    title: 'اللغة والمنطقة',
    intro: 'كيف تعرض مساحة العمل هذه الأرقام والمبالغ والتواريخ والأوقات، ولغة أعضائها الذين لم يختاروا لغة.',
    language: 'اللغة والمنطقة',
    timeZone: 'المنطقة الزمنية',
    currency: 'العملة',
    currencyHint: 'المبالغ التي ليست لها عملة خاصة بها تكون بهذه العملة، وتظهر هكذا: {example}',
    save: 'حفظ',
    saved: 'تم الحفظ.',
  },
});

/**
 * Locales a workspace is offered (the console speaks English and Arabic; a storefront may use others, so the
 * tenant's own locale is kept in the list whatever it is).
 */
const offeredLocales = ['en', 'en-US', 'en-GB', 'ar', 'ar-EG', 'ar-SA', 'ar-AE', 'ar-MA', 'fr-FR', 'de-DE', 'es-ES', 'tr-TR'];

/** `ar-EG` → `العربية (مصر)` / `Arabic (Egypt)`: named in the console's language, and in its own after a dash. */
function localeName(tag: string, names: Intl.DisplayNames): string {
  let own: string | undefined;
  try {
    own = new Intl.DisplayNames([tag], { type: 'language' }).of(tag);
  } catch {
    own = undefined;
  }
  let shown: string | undefined;
  try {
    shown = names.of(tag);
  } catch {
    shown = undefined;
  }
  if (!shown) return tag;
  return own && own !== shown ? `${shown} — ${own}` : shown;
}

function supported(kind: 'timeZone' | 'currency'): string[] {
  try {
    return Intl.supportedValuesOf(kind);
  } catch {
    return [];
  }
}

/** The workspace's locale, time zone and currency, for those who may manage the tenant. */
export function TenantRegionSettings() {
  const tenant = useTenant();
  const [locale, setLocale] = useState(tenant.locale);
  const [timeZone, setTimeZone] = useState(tenant.timeZone);
  const [currency, setCurrency] = useState(tenant.currency);
  const [saved, setSaved] = useState(false);
  const language = currentLanguage();
  const options = useMemo(() => {
    const languageNames = new Intl.DisplayNames([language], { type: 'language' });
    const currencyNames = new Intl.DisplayNames([language], { type: 'currency' });
    const locales = offeredLocales.includes(tenant.locale) ? offeredLocales : [tenant.locale, ...offeredLocales];
    const zones = supported('timeZone');
    const currencies = supported('currency');
    return {
      locales: locales.map((tag) => ({ value: tag, label: localeName(tag, languageNames) })),
      zones: zones.includes(tenant.timeZone) ? zones : [tenant.timeZone, ...zones],
      currencies: (currencies.includes(tenant.currency) ? currencies : [tenant.currency, ...currencies]).map((code) => ({
        value: code,
        label: `${code} — ${currencyNames.of(code) ?? code}`,
      })),
    };
  }, [language, tenant.locale, tenant.timeZone, tenant.currency]);
  const save = useAction(async () => {
    setSaved(false);
    await call('PATCH', '/tenant', { tenant: tenant.slug, body: { locale, time_zone: timeZone, currency } });
    await tenant.reload();
    setSaved(true);
  });
  const select = (id: string, field: string, value: string, onChange: (value: string) => void, choices: { value: string; label: string }[]) => {
    const errors = errorsFor(save.error, field);
    return (
      <select
        id={id}
        value={value}
        aria-invalid={errors.length > 0 ? 'true' : undefined}
        aria-describedby={errors.length > 0 ? `${id}-error` : undefined}
        onChange={(event) => onChange((event.currentTarget as HTMLSelectElement).value)}
      >
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    );
  };
  return (
    <Form class="panel" noValidate onSubmit={save.run}>
      <h2>{t('title')}</h2>
      <p class="muted">{t('intro')}</p>
      <ErrorBanner error={save.error} placed={['locale', 'time_zone', 'currency']} />
      {saved && (
        <p class="banner success" role="status">
          {t('saved')}
        </p>
      )}
      <Field id="tenant-locale" label={t('language')} errors={errorsFor(save.error, 'locale')}>
        {select('tenant-locale', 'locale', locale, setLocale, options.locales)}
      </Field>
      <Field id="tenant-time-zone" label={t('timeZone')} errors={errorsFor(save.error, 'time_zone')}>
        {select(
          'tenant-time-zone',
          'time_zone',
          timeZone,
          setTimeZone,
          options.zones.map((zone) => ({ value: zone, label: zone })),
        )}
      </Field>
      <Field
        id="tenant-currency"
        label={t('currency')}
        hint={t('currencyHint', { example: formatMoney(123456, currency) })}
        errors={errorsFor(save.error, 'currency')}
      >
        {select('tenant-currency', 'currency', currency, setCurrency, options.currencies)}
      </Field>
      <Submit busy={save.busy}>{t('save')}</Submit>
    </Form>
  );
}
