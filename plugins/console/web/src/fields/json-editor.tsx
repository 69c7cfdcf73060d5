/**
 * The last resort for a value the schema does not describe: JSON typed by hand, checked as it is typed, with the
 * line and column of the first problem.
 */
import './fields.css';
import { parseJson } from './convert';
import { t } from './messages';

export function JsonEditor(props: { id: string; value: string; invalid: boolean; describedBy: string | undefined; onValue(text: string): void }) {
  const { id, value, invalid, describedBy, onValue } = props;
  const parsed = value.trim() === '' ? undefined : parseJson(value);
  const problem = parsed && !('value' in parsed) ? t('json', { line: parsed.line, column: parsed.column }) : undefined;
  return (
    <>
      <textarea
        id={id}
        class="json-editor"
        rows={Math.min(12, Math.max(4, value.split('\n').length + 1))}
        dir="ltr"
        spellcheck={false}
        aria-invalid={invalid || problem ? 'true' : undefined}
        aria-describedby={[problem ? `${id}-json` : undefined, describedBy].filter(Boolean).join(' ') || undefined}
        value={value}
        onInput={(event) => onValue((event.currentTarget as HTMLTextAreaElement).value)}
      />
      {problem && (
        <small class="field-error" id={`${id}-json`}>
          {problem}
        </small>
      )}
    </>
  );
}
