/** A list of short values (tags, numbers) as removable chips, with an input to add one (Enter or the Add button). */
import { useState } from 'preact/hooks';
import './fields.css';
import type { FieldSpec } from './model';
import { t } from './messages';

export function ChipList(props: {
  id: string;
  field: FieldSpec;
  value: string[];
  invalid: boolean;
  describedBy: string | undefined;
  onValue(items: string[]): void;
}) {
  const { id, field, value, invalid, describedBy, onValue } = props;
  const [text, setText] = useState('');
  const item = field.item;
  const numeric = item?.kind === 'number';
  const add = () => {
    const entry = text.trim();
    if (!entry) return;
    onValue([...value, entry]);
    setText('');
  };
  return (
    <div class="chip-list">
      {value.length > 0 && (
        <ul class="chips" aria-label={t('chosen', { label: field.label })}>
          {value.map((entry, index) => (
            <li class="chip" key={`${index}-${entry}`}>
              <span dir="auto">{entry}</span>
              <button
                type="button"
                class="chip-remove"
                aria-label={t('removeItem', { item: entry })}
                onClick={() => onValue(value.filter((_, other) => other !== index))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="chip-entry">
        <input
          id={id}
          type={(item?.inputType === 'email' || item?.inputType === 'url' ? item.inputType : 'text') as 'text'}
          inputMode={numeric ? 'decimal' : undefined}
          dir="auto"
          autoComplete="off"
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={describedBy}
          placeholder={field.placeholder}
          value={text}
          onInput={(event) => setText((event.currentTarget as HTMLInputElement).value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              add();
            } else if (event.key === 'Backspace' && text === '' && value.length > 0) onValue(value.slice(0, -1));
          }}
          onBlur={add}
        />
        <button type="button" class="button secondary small" onClick={add} aria-label={t('add', { item: field.label.toLowerCase() })}>
          +
        </button>
      </div>
    </div>
  );
}
