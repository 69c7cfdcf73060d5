import { FileField } from './file-field';
import { humanize } from './openapi';
import { fieldErrors, unwrapNullable, type Drafts, type FieldSpec } from './schema';
import { Field, FieldNotes } from './ui';

/** The inputs of a generated form. */
export function SchemaFields(props: {
  fields: FieldSpec[];
  drafts: Drafts;
  onChange(drafts: Drafts): void;
  error: unknown;
  idPrefix: string;
  errorPrefix?: string;
  local?: Record<string, string[]>;
}) {
  const { fields, drafts, onChange, error, idPrefix, errorPrefix = '', local = {} } = props;
  const set = (name: string, value: string | boolean | string[]) => onChange({ ...drafts, [name]: value });
  return (
    <>
      {fields.map((field) => {
        const id = `${idPrefix}-${field.name}`;
        const errors = [...(local[field.name] ?? []), ...fieldErrors(error, field.name, errorPrefix)];
        const label = field.schema.title ?? humanize(field.name);
        const described = errors.length > 0 ? `${id}-error` : field.schema.description ? `${id}-hint` : undefined;
        const common = { id, name: field.name, 'aria-invalid': errors.length > 0 ? ('true' as const) : undefined, 'aria-describedby': described };
        const draft = drafts[field.name];
        const hint =
          field.kind === 'list'
            ? [field.schema.description, 'Separate with commas'].filter(Boolean).join('. ')
            : field.kind === 'json'
              ? [field.schema.description, 'JSON'].filter(Boolean).join(' — ')
              : field.schema.description;
        if (field.kind === 'boolean')
          return (
            <div class={`field checkbox${errors.length ? ' invalid' : ''}`} key={field.name}>
              <label>
                <input
                  type="checkbox"
                  {...common}
                  checked={draft === true}
                  onChange={(event) => set(field.name, (event.currentTarget as HTMLInputElement).checked)}
                />{' '}
                {label}
              </label>
              <FieldNotes id={id} hint={hint} errors={errors} />
            </div>
          );
        if (field.kind === 'file') {
          // A nullable reference keeps its title and description on the file schema inside `anyOf`.
          const inner = unwrapNullable(field.schema).schema;
          return (
            <FileField
              key={field.name}
              id={id}
              label={field.schema.title ?? inner.title ?? label}
              hint={hint ?? inner.description}
              errors={errors}
              required={field.required}
              options={inner['x-plinth-file'] ?? {}}
              value={String(draft ?? '')}
              onChange={(value) => set(field.name, value)}
            />
          );
        }
        if (field.kind === 'choices')
          return (
            <fieldset class={`field choices${errors.length ? ' invalid' : ''}`} key={field.name}>
              <legend>{label}</legend>
              {field.options.map((option) => (
                <label key={option}>
                  <input
                    type="checkbox"
                    checked={Array.isArray(draft) && draft.includes(option)}
                    onChange={(event) => {
                      const current = Array.isArray(draft) ? draft : [];
                      set(field.name, (event.currentTarget as HTMLInputElement).checked ? [...current, option] : current.filter((item) => item !== option));
                    }}
                  />{' '}
                  {option}
                </label>
              ))}
              <FieldNotes errors={errors} />
            </fieldset>
          );
        return (
          <Field id={id} label={label} hint={hint} errors={errors} required={field.required} key={field.name}>
            {field.kind === 'select' ? (
              <select
                {...common}
                value={String(draft ?? '')}
                required={field.required}
                onChange={(event) => set(field.name, (event.currentTarget as HTMLSelectElement).value)}
              >
                {(!field.required || field.nullable || draft === '') && <option value="">—</option>}
                {field.options.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            ) : field.kind === 'textarea' || field.kind === 'json' ? (
              <textarea
                {...common}
                rows={field.kind === 'json' ? 4 : 3}
                dir={field.kind === 'json' ? 'ltr' : 'auto'}
                value={String(draft ?? '')}
                onInput={(event) => set(field.name, (event.currentTarget as HTMLTextAreaElement).value)}
              />
            ) : (
              <input
                {...common}
                type={field.inputType as 'text'}
                dir="auto"
                step={field.kind === 'number' && unwrapNullable(field.schema).schema.type === 'number' ? 'any' : undefined}
                value={String(draft ?? '')}
                required={field.required && field.kind === 'text' && !field.nullable}
                autoComplete={field.inputType === 'password' ? 'new-password' : 'off'}
                onInput={(event) => set(field.name, (event.currentTarget as HTMLInputElement).value)}
              />
            )}
          </Field>
        );
      })}
    </>
  );
}
