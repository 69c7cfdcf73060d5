import type { ConsoleContext } from '@plinth/sdk/web';
import { useState } from 'preact/hooks';
import type { ProductOption } from './product-model';

const MAX_OPTIONS = 3;

/** One option: its name and its values as chips (type a value, Enter or comma adds it; each chip can be removed). */
function OptionEditor(props: { plinth: ConsoleContext; option: ProductOption; index: number; onChange(option: ProductOption): void; onRemove(): void }) {
  const { plinth, option, index, onChange, onRemove } = props;
  const { t } = plinth;
  const [draft, setDraft] = useState('');
  const id = `option-${index}`;
  const shownName = option.name.trim() || t('option {position}', { position: index + 1 });

  const add = (text: string) => {
    const values = text
      .split(',')
      .map((value) => value.trim())
      .filter((value) => value && !option.values.includes(value));
    setDraft('');
    if (values.length === 0) return;
    onChange({ ...option, values: [...option.values, ...new Set(values)] });
    plinth.announce(t('{values} added to {option}', { values: values.join(', '), option: shownName }));
  };

  return (
    <fieldset class="option-editor">
      <legend>{t('Option {position}', { position: index + 1 })}</legend>
      <div class="field">
        <label for={`${id}-name`}>{t('Option name')}</label>
        <input
          id={`${id}-name`}
          type="text"
          maxLength={40}
          value={option.name}
          placeholder={t('Size, Colour, Material…')}
          onInput={(event) => onChange({ ...option, name: event.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for={`${id}-value`}>{t('Values')}</label>
        <span class="hint" id={`${id}-hint`}>
          {t('Type a value and press Enter, or separate values with commas')}
        </span>
        {option.values.length > 0 && (
          <ul class="chips" aria-label={t('Values of {option}', { option: shownName })}>
            {option.values.map((value) => (
              <li key={value} class="chip">
                <span>{value}</span>
                <button
                  type="button"
                  class="icon"
                  aria-label={t('Remove {value}', { value })}
                  onClick={() => onChange({ ...option, values: option.values.filter((candidate) => candidate !== value) })}
                >
                  <span aria-hidden="true">×</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <div class="chip-input">
          <input
            id={`${id}-value`}
            type="text"
            maxLength={200}
            value={draft}
            aria-describedby={`${id}-hint`}
            onInput={(event) => {
              const text = event.currentTarget.value;
              if (!text.includes(',')) return setDraft(text);
              event.currentTarget.value = '';
              add(text);
            }}
            onKeyDown={(event) => {
              if (event.key !== 'Enter') return;
              event.preventDefault();
              add(draft);
            }}
            onBlur={() => add(draft)}
          />
        </div>
      </div>
      <button type="button" class="danger-link" onClick={onRemove}>
        {t('Remove option {option}', { option: shownName })}
      </button>
    </fieldset>
  );
}

/** The product's options (up to three); the variants list below proposes every combination of their values. */
export function ProductOptions({ plinth, options, onChange }: { plinth: ConsoleContext; options: ProductOption[]; onChange(options: ProductOption[]): void }) {
  const { t } = plinth;
  return (
    <div class="product-options">
      {options.map((option, index) => (
        <OptionEditor
          key={index}
          plinth={plinth}
          option={option}
          index={index}
          onChange={(changed) => onChange(options.map((candidate, at) => (at === index ? changed : candidate)))}
          onRemove={() => onChange(options.filter((_, at) => at !== index))}
        />
      ))}
      {options.length < MAX_OPTIONS && (
        <button type="button" class="secondary" onClick={() => onChange([...options, { name: '', values: [] }])}>
          {options.length ? t('Add another option') : t('Add options like size or colour')}
        </button>
      )}
    </div>
  );
}
