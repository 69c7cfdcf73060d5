/** The tenant's billing details (name, email, country, tax id, address), printed on its invoices: `PUT /billing/details`. */
import { useMemo, useState } from 'preact/hooks';
import { call } from './api';
import { billingText as t } from './billing-messages';
import { addressFields, type BillingDetails } from './billing-model';
import { currentLanguage } from './i18n';
import { useTenant } from './session';
import { ErrorBanner, errorsFor, Field, Form, Submit, TextInput, useAction } from './ui';

/** ISO 3166-1 alpha-2 codes, named in the console's language by `Intl.DisplayNames`. */
const countryCodes =
  'AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'.split(
    ' ',
  );

type Draft = { billing_name: string; billing_email: string; country: string; tax_id: string } & Record<(typeof addressFields)[number], string>;

function draftOf(details: BillingDetails): Draft {
  const address = details.address ?? {};
  return {
    billing_name: details.billing_name ?? '',
    billing_email: details.billing_email ?? '',
    country: details.country ?? '',
    tax_id: details.tax_id ?? '',
    ...(Object.fromEntries(addressFields.map((field) => [field, address[field] ?? ''])) as Record<(typeof addressFields)[number], string>),
  };
}

/** The body of `PUT /billing/details`: empty fields as null, the address lines in one object (null when all are empty). */
function bodyOf(draft: Draft) {
  const text = (value: string) => value.trim() || null;
  const address = Object.fromEntries(addressFields.map((field) => [field, draft[field].trim()]).filter(([, value]) => value));
  return {
    billing_name: text(draft.billing_name),
    billing_email: text(draft.billing_email),
    country: text(draft.country),
    tax_id: text(draft.tax_id),
    address: Object.keys(address).length > 0 ? address : null,
  };
}

export function BillingDetailsForm({ details }: { details: BillingDetails }) {
  const tenant = useTenant();
  const manage = tenant.can('core.billing.manage');
  const [draft, setDraft] = useState(() => draftOf(details));
  const [saved, setSaved] = useState(false);
  const language = currentLanguage();
  const countries = useMemo(() => {
    const names = new Intl.DisplayNames([language], { type: 'region' });
    return countryCodes.map((code) => ({ code, name: names.of(code) ?? code })).sort((a, b) => a.name.localeCompare(b.name, language));
  }, [language]);
  const save = useAction(async () => {
    setSaved(false);
    const { data } = await call<BillingDetails>('PUT', '/billing/details', { tenant: tenant.slug, body: bodyOf(draft) });
    if (data && typeof data === 'object' && 'country' in data) setDraft(draftOf(data));
    setSaved(true);
  });
  const set = (field: keyof Draft) => (value: string) => {
    setSaved(false);
    setDraft((previous) => ({ ...previous, [field]: value }));
  };
  const errorsOf = (field: string) => errorsFor(save.error, field);
  const text = (field: keyof Draft, label: string, autoComplete: string, type = 'text') => (
    <TextInput
      id={`billing-${field}`}
      label={label}
      type={type}
      value={draft[field]}
      onInput={set(field)}
      autoComplete={autoComplete}
      errors={errorsOf(addressFields.includes(field as (typeof addressFields)[number]) ? `address.${field}` : field)}
    />
  );
  const placed = ['billing_name', 'billing_email', 'country', 'tax_id', ...addressFields.map((field) => `address.${field}`)];
  return (
    <Form class="panel billing-details" noValidate onSubmit={save.run}>
      <h2>{t('detailsHeading')}</h2>
      <p class="muted">{t('detailsIntro')}</p>
      <ErrorBanner error={save.error} placed={placed} />
      {saved && (
        <p class="banner success" role="status">
          {t('detailsSaved')}
        </p>
      )}
      <fieldset class="billing-fields" disabled={!manage}>
        {text('billing_name', t('billingName'), 'organization')}
        {text('billing_email', t('billingEmail'), 'email', 'email')}
        <Field id="billing-country" label={t('country')} errors={errorsOf('country')}>
          <select
            id="billing-country"
            value={draft.country}
            aria-invalid={errorsOf('country').length > 0 ? 'true' : undefined}
            aria-describedby={errorsOf('country').length > 0 ? 'billing-country-error' : undefined}
            autoComplete="country"
            onChange={(event) => set('country')(event.currentTarget.value)}
          >
            <option value="">{t('noCountry')}</option>
            {countries.map((country) => (
              <option key={country.code} value={country.code}>
                {country.name}
              </option>
            ))}
          </select>
        </Field>
        {text('tax_id', t('taxId'), 'off')}
        {text('line1', t('line1'), 'address-line1')}
        {text('line2', t('line2'), 'address-line2')}
        {text('city', t('city'), 'address-level2')}
        {text('postal_code', t('postal_code'), 'postal-code')}
        {text('state', t('state'), 'address-level1')}
      </fieldset>
      {manage && <Submit busy={save.busy}>{t('saveDetails')}</Submit>}
    </Form>
  );
}
