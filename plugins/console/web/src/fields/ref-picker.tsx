/**
 * A field referencing records of another resource (`x-plinth-ref`): an ARIA 1.2 combobox that searches the
 * resource's list route and shows each record's label and detail, storing its `value` property. One record on a
 * string property, several (as chips) on an array. A caller who may not list the resource (403) types ids instead.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get } from '../api';
import { useTenant } from '../session';
import './fields.css';
import type { RefOptions } from './model';
import { t } from './messages';
import { choiceOf, rememberChoice, useRefNames, type RefChoice } from './ref-names';

type Choice = RefChoice;

export function RefPicker(props: {
  id: string;
  /** The field's label, naming the list of chosen records. */
  label: string;
  reference: RefOptions;
  multiple: boolean;
  value: string | string[];
  onValue(value: string | string[]): void;
  invalid: boolean;
  describedBy: string | undefined;
  required: boolean;
  placeholder?: string | undefined;
}) {
  const { id, reference: refOptions, multiple, value, onValue, invalid, describedBy, required } = props;
  const tenant = useTenant();
  const values = multiple ? (Array.isArray(value) ? value : []) : typeof value === 'string' && value ? [value] : [];
  // Names of the values the record already holds.
  const names = useRefNames(tenant.slug, refOptions, values);
  const [query, setQuery] = useState<string>();
  const [open, setOpen] = useState(false);
  const [results, setResults] = useState<Choice[]>();
  const [active, setActive] = useState(-1);
  const [searchDenied, setDenied] = useState(false);
  const denied = names.denied || searchDenied;
  const input = useRef<HTMLInputElement>(null);
  const listId = `${id}-listbox`;
  const selectedChoice = names.choice;

  // Searching as the person types (a short pause first, so each key press is not a request).
  useEffect(() => {
    if (!open) return;
    let live = true;
    const timer = setTimeout(() => {
      get<Record<string, unknown>[]>(refOptions.resource, { tenant: tenant.slug, query: { [refOptions.search ?? 'q']: query ?? '', per_page: 10 } }).then(
        (records) => {
          if (!live) return;
          const choices = records.map((record) => choiceOf(refOptions, record));
          choices.forEach((choice) => rememberChoice(tenant.slug, refOptions, choice));
          setResults(choices);
          // No option is active until the arrows move to one (list autocomplete without automatic selection).
          setActive(-1);
        },
        (error: unknown) => {
          if (!live) return;
          if (error instanceof ApiError && error.status === 403) setDenied(true);
          setResults([]);
        },
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [open, query, refOptions.resource, tenant.slug]);

  if (denied)
    return (
      <div class="ref-denied">
        <input
          id={id}
          type="text"
          dir="ltr"
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={[`${id}-denied`, describedBy].filter(Boolean).join(' ')}
          value={values.join(', ')}
          onInput={(event) => {
            const text = (event.currentTarget as HTMLInputElement).value;
            onValue(
              multiple
                ? text
                    .split(',')
                    .map((item) => item.trim())
                    .filter(Boolean)
                : text.trim(),
            );
          }}
        />
        <small class="hint" id={`${id}-denied`}>
          {t('refDenied')}
        </small>
      </div>
    );

  const choose = (choice: Choice) => {
    rememberChoice(tenant.slug, refOptions, choice);
    if (multiple) onValue(values.includes(choice.value) ? values : [...values, choice.value]);
    else onValue(choice.value);
    setQuery(undefined);
    setOpen(false);
    setResults(undefined);
  };
  const shownResults = (results ?? []).filter((choice) => !multiple || !values.includes(choice.value));
  const single = !multiple && values[0] !== undefined ? selectedChoice(values[0]) : undefined;
  const text = query ?? (single ? single.label : '');
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!open) return setOpen(true);
      const count = shownResults.length;
      if (count > 0) setActive((current) => (event.key === 'ArrowDown' ? (current + 1) % count : current <= 0 ? count - 1 : current - 1));
    } else if (event.key === 'Enter') {
      if (open && shownResults[active]) {
        event.preventDefault();
        choose(shownResults[active]);
      }
    } else if (event.key === 'Escape') {
      if (open) {
        event.preventDefault();
        event.stopPropagation();
        setOpen(false);
      } else setQuery(undefined);
    }
  };

  return (
    <div class="ref-picker">
      {multiple && values.length > 0 && (
        <ul class="chips" aria-label={t('chosen', { label: props.label })}>
          {values.map((item) => {
            const choice = selectedChoice(item);
            return (
              <li key={item} class="chip">
                <span>{choice.label}</span>
                {choice.detail && <small> · {choice.detail}</small>}
                <button
                  type="button"
                  class="chip-remove"
                  aria-label={t('removeItem', { item: choice.label })}
                  onClick={() => onValue(values.filter((other) => other !== item))}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div class="combobox">
        <input
          ref={input}
          id={id}
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open ? 'true' : 'false'}
          aria-controls={listId}
          aria-activedescendant={open && active >= 0 && shownResults[active] ? `${id}-option-${active}` : undefined}
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={describedBy}
          aria-required={required ? 'true' : undefined}
          autoComplete="off"
          placeholder={props.placeholder ?? t('search')}
          value={text}
          onInput={(event) => {
            setQuery((event.currentTarget as HTMLInputElement).value);
            setOpen(true);
          }}
          onClick={() => setOpen(true)}
          onBlur={() => {
            // Options are chosen on mousedown (which keeps the focus), so a blur is leaving the field.
            setOpen(false);
            if (!multiple && query === '') onValue('');
            setQuery(undefined);
          }}
          onKeyDown={onKeyDown}
        />
        {open && (results === undefined || shownResults.length === 0) && (
          <div class="listbox listbox-note">{results === undefined ? t('loading') : t('noResults')}</div>
        )}
        <ul id={listId} role="listbox" class="listbox" hidden={!open || shownResults.length === 0} aria-label={props.label}>
          {open &&
            shownResults.map((choice, index) => (
              <li
                key={choice.value}
                id={`${id}-option-${index}`}
                role="option"
                aria-selected={index === active ? 'true' : 'false'}
                class={index === active ? 'active' : undefined}
                onMouseDown={(event) => {
                  event.preventDefault();
                  choose(choice);
                }}
                onMouseMove={() => setActive(index)}
              >
                <span class="option-label">{choice.label}</span>
                {choice.detail && <small class="option-detail">{choice.detail}</small>}
              </li>
            ))}
        </ul>
      </div>
      <span class="visually-hidden" role="status" aria-live="polite">
        {open && results !== undefined ? t('results', { n: shownResults.length }) : ''}
      </span>
    </div>
  );
}
