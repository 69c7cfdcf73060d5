/**
 * Inputs of scalar widgets: money, percent, date-time in the tenant's zone, colour, switch, segmented choices.
 * Each gets the `id`, `aria-*` attributes of its label from the caller (see `SchemaFields`).
 */
import { currentLanguage } from '../i18n';
import { zoneLabel } from './convert';
import './fields.css';
import type { FieldSpec } from './model';
import { t } from './messages';

export interface ControlProps {
  id: string;
  field: FieldSpec;
  value: string;
  invalid: boolean;
  describedBy: string | undefined;
  onValue(value: string): void;
}

function common({ id, field, invalid, describedBy }: ControlProps) {
  return {
    id,
    name: field.name,
    'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
    'aria-required': field.required ? ('true' as const) : undefined,
  };
}

/** An amount typed in major units (`12.50`) beside the currency's code. */
export function MoneyInput(props: ControlProps & { currency: string; digits: number }) {
  const { value, onValue, currency, digits, field } = props;
  return (
    <div class="affixed">
      <span class="affix" aria-hidden="true">
        {currency}
      </span>
      <input
        {...common(props)}
        type="text"
        inputMode="decimal"
        dir="ltr"
        autoComplete="off"
        placeholder={field.placeholder ?? (digits > 0 ? `0.${'0'.repeat(digits)}` : '0')}
        value={value}
        onInput={(event) => onValue((event.currentTarget as HTMLInputElement).value)}
      />
    </div>
  );
}

/** A percentage (basis points in the API) with a `%` beside it. */
export function PercentInput(props: ControlProps) {
  const { value, onValue, field } = props;
  return (
    <div class="affixed">
      <input
        {...common(props)}
        type="text"
        inputMode="decimal"
        dir="ltr"
        autoComplete="off"
        placeholder={field.placeholder ?? '0'}
        value={value}
        onInput={(event) => onValue((event.currentTarget as HTMLInputElement).value)}
      />
      <span class="affix" aria-hidden="true">
        %
      </span>
    </div>
  );
}

/** The tenant zone's name, shown under a date-time input. */
export function zoneNote(timeZone: string): string {
  return t('timeZone', { zone: zoneLabel(timeZone, currentLanguage()) });
}

/** A wall-clock date and time in the tenant's zone (converted to UTC by the model). */
export function DateTimeInput(props: ControlProps) {
  return (
    <input {...common(props)} type="datetime-local" value={props.value} onInput={(event) => props.onValue((event.currentTarget as HTMLInputElement).value)} />
  );
}

/** A colour: the browser's picker and the hex code as text, kept in step. */
export function ColorInput(props: ControlProps) {
  const { id, value, onValue, field } = props;
  const valid = /^#[0-9a-fA-F]{6}$/.test(value);
  return (
    <div class="color-input">
      <input {...common(props)} type="color" value={valid ? value : '#000000'} onInput={(event) => onValue((event.currentTarget as HTMLInputElement).value)} />
      <input
        id={`${id}-hex`}
        type="text"
        dir="ltr"
        aria-label={t('hex', { label: field.label })}
        placeholder="#000000"
        maxLength={7}
        value={value}
        onInput={(event) => onValue((event.currentTarget as HTMLInputElement).value.trim())}
      />
    </div>
  );
}

/** A boolean as a switch: a checkbox with the switch role, its label beside it. */
export function Switch(props: {
  id: string;
  field: FieldSpec;
  checked: boolean;
  invalid: boolean;
  describedBy: string | undefined;
  onChecked(checked: boolean): void;
}) {
  const { id, field, checked, invalid, describedBy, onChecked } = props;
  return (
    <label class="switch" for={id}>
      <input
        id={id}
        name={field.name}
        type="checkbox"
        role="switch"
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy}
        checked={checked}
        onChange={(event) => onChecked((event.currentTarget as HTMLInputElement).checked)}
      />
      <span class="switch-track" aria-hidden="true">
        <span class="switch-thumb" />
      </span>
      <span class="switch-label">{field.label}</span>
    </label>
  );
}

/**
 * A few short choices as a row of radio buttons; "Not set" first when the field takes null. (An optional field
 * without null starts with none checked and is left out when none is chosen.)
 */
export function Segmented(props: ControlProps) {
  const { id, field, value, onValue, invalid, describedBy } = props;
  const choices = [
    ...(field.nullable ? [{ value: '', label: t('notSet') }] : []),
    ...field.options.map((option) => ({ value: option, label: field.optionLabels[option] ?? option })),
  ];
  return (
    <div class="segmented" role="radiogroup" aria-labelledby={`${id}-label`} aria-describedby={describedBy} aria-invalid={invalid ? 'true' : undefined}>
      {choices.map((choice, index) => (
        <label key={choice.value} class={value === choice.value ? 'selected' : undefined}>
          <input
            type="radio"
            id={index === 0 ? id : `${id}-${index}`}
            name={id}
            value={choice.value}
            checked={value === choice.value}
            onChange={() => onValue(choice.value)}
          />
          <span>{choice.label}</span>
        </label>
      ))}
    </div>
  );
}
