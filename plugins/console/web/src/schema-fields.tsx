/**
 * The inputs of a generated form, one per property, by its kind (see `fields/model.ts`): typed inputs for money,
 * percentages, dates and choices, pickers for references, field groups for nested objects, repeatable sub-forms
 * for arrays of objects, and JSON only for what the schema does not describe. Errors are shown where they point:
 * `variants.1.price` beside the price of the second variant.
 */
import { inSentence } from './plugin-text';
import type { ComponentChildren } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { ApiError } from './api';
import { FileField } from './file-field';
import { ChipList } from './fields/chip-list';
import { ColorInput, DateTimeInput, MoneyInput, PercentInput, Segmented, Switch, zoneNote, type ControlProps } from './fields/inputs';
import { JsonEditor } from './fields/json-editor';
import { describeProblem, t } from './fields/messages';
import {
  claimedBy,
  emptyRow,
  errorsUnder,
  messagesAt,
  newKey,
  draftOf,
  type Draft,
  type Drafts,
  type EntryDraft,
  type FieldSpec,
  type RowDraft,
} from './fields/model';
import { RefPicker } from './fields/ref-picker';
import './fields/fields.css';
import { currencyDigits, formatBasisPoints, formatMoney } from './format';
import { FieldNotes } from './ui';

const RichText = lazy(() => import('./fields/rich-text').then((module) => ({ default: module.RichText })));

interface Place {
  idPrefix: string;
  errors: Record<string, string[]>;
}

/** The inputs of a generated form. `local`: problems `bodyFrom` found, by path. */
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
  const errors = error instanceof ApiError ? errorsUnder(error.errors, errorPrefix) : {};
  // A JSON box shows its own parse error as it is typed: `json:` problems are not repeated beside it.
  for (const [path, problems] of Object.entries(local)) {
    const shown = problems.filter((problem) => !problem.startsWith('json:')).map(describeProblem);
    if (shown.length > 0) (errors[path] ??= []).push(...shown);
  }
  return <FieldList fields={fields} drafts={drafts} onChange={onChange} prefix="" place={{ idPrefix, errors }} />;
}

function FieldList(props: { fields: FieldSpec[]; drafts: Drafts; onChange(drafts: Drafts): void; prefix: string; place: Place }) {
  const { fields, drafts, onChange, prefix, place } = props;
  return (
    <>
      {fields.map((field) => (
        <FieldView
          key={field.name}
          field={field}
          path={`${prefix}${field.name}`}
          draft={drafts[field.name]}
          siblings={drafts}
          onDraft={(draft) => onChange({ ...drafts, [field.name]: draft })}
          place={place}
        />
      ))}
    </>
  );
}

const domId = (place: Place, path: string) => `${place.idPrefix}-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;

function FieldView(props: { field: FieldSpec; path: string; draft: Draft | undefined; siblings: Drafts; onDraft(draft: Draft): void; place: Place }) {
  const { field, path, draft, siblings, onDraft, place } = props;
  if (field.kind === 'hidden') return null;
  const id = domId(place, path);
  const errors = messagesAt(place.errors, path, claimedBy(field, draft));
  const invalid = errors.length > 0;
  const text = typeof draft === 'string' ? draft : '';
  const currency = currencyOfDraft(field, siblings);
  const extraHint =
    field.kind === 'datetime'
      ? zoneNote(field.context.timeZone)
      : field.kind === 'money'
        ? t('currency', { currency })
        : field.kind === 'json'
          ? t('jsonHint')
          : undefined;
  const hint = [field.hint, extraHint].filter(Boolean).join(' — ') || undefined;
  const describedBy = [hint ? `${id}-hint` : undefined, invalid ? `${id}-error` : undefined].filter(Boolean).join(' ') || undefined;

  if (field.readOnly) return <ReadOnly id={id} field={field} draft={draft} currency={currency} />;

  const group = (children: ComponentChildren, className = '') => (
    <fieldset class={`field-group ${className}${invalid ? ' invalid' : ''}`} aria-describedby={describedBy}>
      <legend>
        {field.label}
        {field.required && <span aria-hidden="true"> *</span>}
      </legend>
      {children}
      <FieldNotes id={id} hint={hint} errors={errors} />
    </fieldset>
  );

  switch (field.kind) {
    case 'boolean':
      return (
        <div class={`field switch-field${invalid ? ' invalid' : ''}`}>
          <Switch id={id} field={field} checked={draft === true} invalid={invalid} describedBy={describedBy} onChecked={onDraft} />
          <FieldNotes id={id} hint={hint} errors={errors} />
        </div>
      );
    case 'file': {
      const inner = field.inner;
      return (
        <FileField
          id={id}
          label={field.label}
          hint={hint ?? inner.description}
          errors={errors}
          required={field.required}
          options={inner['x-plinth-file'] ?? {}}
          value={text}
          onChange={onDraft}
        />
      );
    }
    case 'segmented':
      return (
        <div class={`field${invalid ? ' invalid' : ''}`}>
          <LabelRow id={id} field={field} element="span" />
          <Segmented id={id} field={field} value={text} invalid={invalid} describedBy={describedBy} onValue={onDraft} />
          <FieldNotes id={id} hint={hint} errors={errors} />
        </div>
      );
    case 'choices':
      return group(
        <div class="choices">
          {field.options.map((option) => (
            <label key={option}>
              <input
                type="checkbox"
                checked={Array.isArray(draft) && (draft as string[]).includes(option)}
                onChange={(event) => {
                  const current = Array.isArray(draft) ? (draft as string[]) : [];
                  onDraft((event.currentTarget as HTMLInputElement).checked ? [...current, option] : current.filter((item) => item !== option));
                }}
              />{' '}
              {field.optionLabels[option] ?? option}
            </label>
          ))}
        </div>,
        'choices',
      );
    case 'object':
      return group(<FieldList fields={field.fields} drafts={(draft ?? {}) as Drafts} onChange={onDraft} prefix={`${path}.`} place={place} />, 'object');
    case 'rows':
      return group(<Rows field={field} path={path} rows={(draft ?? []) as RowDraft[]} onRows={onDraft} place={place} />, 'rows');
    case 'files':
      return group(<FileList field={field} id={id} files={(draft ?? []) as string[]} onFiles={onDraft} />, 'files');
    case 'map':
      return group(<MapEntries field={field} path={path} entries={(draft ?? []) as EntryDraft[]} onEntries={onDraft} place={place} />, 'map');
    case 'richtext':
      return (
        <div class={`field${invalid ? ' invalid' : ''}`}>
          <LabelRow id={id} field={field} element="span" />
          <Suspense fallback={<small class="hint">{t('editorLoading')}</small>}>
            <RichText id={id} labelId={`${id}-label`} value={text} describedBy={describedBy} invalid={invalid} onValue={onDraft} />
          </Suspense>
          <FieldNotes id={id} hint={hint} errors={errors} />
        </div>
      );
  }

  const control = { id, field, value: text, invalid, describedBy, onValue: onDraft } satisfies ControlProps;
  return (
    <div class={`field${invalid ? ' invalid' : ''}`}>
      <LabelRow id={id} field={field} element="label" />
      <Control control={control} field={field} draft={draft} currency={currency} onDraft={onDraft} />
      <FieldNotes id={id} hint={hint} errors={errors} />
    </div>
  );
}

/**
 * A field's label (`<label for>`, or a span for `aria-labelledby`) and, outside it, the mark of a required field:
 * the label's text is the control's whole name (`getByLabel('Price', { exact: true })`).
 */
function LabelRow({ id, field, element }: { id: string; field: FieldSpec; element: 'label' | 'span' }) {
  const Tag = element;
  return (
    <div class="label-row">
      <Tag class="field-label" id={`${id}-label`} {...(element === 'label' ? { for: id } : {})}>
        {field.label}
      </Tag>
      {field.required && (
        <span class="required-mark" aria-hidden="true">
          *
        </span>
      )}
    </div>
  );
}

/** The input of a field labelled by a `<label for>`. */
function Control(props: { control: ControlProps; field: FieldSpec; draft: Draft | undefined; currency: string; onDraft(draft: Draft): void }) {
  const { control, field, draft, currency, onDraft } = props;
  const { id, value, invalid, describedBy } = control;
  const aria = {
    id,
    name: field.name,
    'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
    'aria-required': field.required ? ('true' as const) : undefined,
  };
  const onInput = (event: Event) => onDraft((event.currentTarget as HTMLInputElement).value);
  switch (field.kind) {
    case 'money':
      return <MoneyInput {...control} currency={currency} digits={currencyDigits(currency)} />;
    case 'percent':
      return <PercentInput {...control} />;
    case 'datetime':
      return <DateTimeInput {...control} />;
    case 'color':
      return <ColorInput {...control} />;
    case 'ref':
    case 'refs':
      return (
        <RefPicker
          id={id}
          label={field.label}
          reference={field.ref!}
          multiple={field.kind === 'refs'}
          value={(draft ?? (field.kind === 'refs' ? [] : '')) as string | string[]}
          onValue={onDraft}
          invalid={invalid}
          describedBy={describedBy}
          required={field.required}
          placeholder={field.placeholder}
        />
      );
    case 'list':
      return <ChipList id={id} field={field} value={(draft ?? []) as string[]} invalid={invalid} describedBy={describedBy} onValue={onDraft} />;
    case 'json':
      return <JsonEditor id={id} value={value} invalid={invalid} describedBy={describedBy} onValue={onDraft} />;
    case 'select':
      return (
        <select {...aria} value={value} onChange={onInput}>
          {(!field.required || field.nullable || value === '') && <option value="">—</option>}
          {field.options.map((option) => (
            <option key={option} value={option}>
              {field.optionLabels[option] ?? option}
            </option>
          ))}
        </select>
      );
    case 'textarea':
      return <textarea {...aria} rows={4} dir="auto" placeholder={field.placeholder} maxLength={field.inner.maxLength} value={value} onInput={onInput} />;
    case 'date':
      return <input {...aria} type="date" value={value} onInput={onInput} />;
    case 'number':
      return (
        <input
          {...aria}
          type="text"
          inputMode={field.inner.type === 'integer' ? 'numeric' : 'decimal'}
          dir="ltr"
          autoComplete="off"
          placeholder={field.placeholder}
          value={value}
          onInput={onInput}
        />
      );
    default: {
      const ltr = field.inputType !== 'text' || field.inner.format === 'uuid';
      return (
        <input
          {...aria}
          type={field.inputType as 'text'}
          dir={ltr ? 'ltr' : 'auto'}
          placeholder={field.placeholder}
          maxLength={field.inner.maxLength}
          value={value}
          autoComplete={field.inputType === 'password' ? 'new-password' : field.inputType === 'email' ? 'email' : field.inputType === 'tel' ? 'tel' : 'off'}
          onInput={onInput}
        />
      );
    }
  }
}

function currencyOfDraft(field: FieldSpec, siblings: Drafts): string {
  const sibling = field.currencyField ? siblings[field.currencyField] : undefined;
  return typeof sibling === 'string' && /^[A-Za-z]{3}$/.test(sibling) ? sibling.toUpperCase() : field.context.currency;
}

/** A property the API sets (`readOnly`): its value as text. */
function ReadOnly({ id, field, draft, currency }: { id: string; field: FieldSpec; draft: Draft | undefined; currency: string }) {
  let shown: string;
  if (draft === undefined || draft === '' || (Array.isArray(draft) && draft.length === 0)) shown = t('notSet');
  else if (field.kind === 'boolean') shown = draft === true ? t('on') : t('off');
  else if (field.kind === 'money') shown = formatMoney(Math.round(Number(draft) * 10 ** currencyDigits(currency)), currency);
  else if (field.kind === 'percent') shown = formatBasisPoints(Math.round(Number(draft) * 100));
  else if (field.kind === 'datetime' && typeof draft === 'string') shown = draft.replace('T', ' ');
  else if (typeof draft === 'string') shown = field.optionLabels[draft] ?? draft;
  else if (Array.isArray(draft) && draft.every((item) => typeof item === 'string')) shown = (draft as string[]).join(', ');
  else shown = JSON.stringify(draft);
  return (
    <div class="field readonly">
      <span class="field-label" id={`${id}-label`}>
        {field.label}
      </span>
      <output id={id} aria-labelledby={`${id}-label`} dir="auto">
        {shown}
      </output>
      {field.kind === 'datetime' && <small class="hint">{zoneNote(field.context.timeZone)}</small>}
    </div>
  );
}

/** `list` with the item at `from` moved to `to`. */
function moved<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list];
  next.splice(to, 0, ...next.splice(from, 1));
  return next;
}

/** "Move up" and "Move down" for the item at `index` of `count`, named for screen readers by `name` ("Variant 2"). */
function MoveButtons(props: { name: string; index: number; count: number; onMove(to: number): void }) {
  const { name, index, count, onMove } = props;
  return (
    <>
      <button
        type="button"
        class="button secondary small"
        aria-label={t('moveItemUp', { item: name })}
        disabled={index === 0}
        onClick={() => onMove(index - 1)}
      >
        {t('moveUp')}
      </button>
      <button
        type="button"
        class="button secondary small"
        aria-label={t('moveItemDown', { item: name })}
        disabled={index === count - 1}
        onClick={() => onMove(index + 1)}
      >
        {t('moveDown')}
      </button>
    </>
  );
}

/** Repeatable sub-forms (an array of objects): each row a fieldset, with remove and move buttons. */
function Rows(props: { field: FieldSpec; path: string; rows: RowDraft[]; onRows(rows: RowDraft[]): void; place: Place }) {
  const { field, path, rows, onRows, place } = props;
  const item = field.itemLabel;
  return (
    <>
      {rows.length === 0 && <p class="hint">{t('noItems')}</p>}
      {rows.map((row, index) => {
        const name = t('row', { item, n: index + 1 });
        const rowPath = `${path}.${index}`;
        const rowErrors = messagesAt(place.errors, rowPath, (rest) => field.fields.some((sub) => rest === sub.name || rest.startsWith(`${sub.name}.`)));
        return (
          <fieldset class={`row${rowErrors.length ? ' invalid' : ''}`} key={row.key}>
            <legend>{name}</legend>
            <FieldList
              fields={field.fields}
              drafts={row.drafts}
              prefix={`${rowPath}.`}
              place={place}
              onChange={(drafts) => onRows(rows.map((other) => (other === row ? { ...row, drafts } : other)))}
            />
            {rowErrors.length > 0 && <FieldNotes errors={rowErrors} />}
            <div class="row-actions">
              <MoveButtons name={name} index={index} count={rows.length} onMove={(to) => onRows(moved(rows, index, to))} />
              <button
                type="button"
                class="button danger small"
                aria-label={t('removeItem', { item: name })}
                onClick={() => onRows(rows.filter((other) => other !== row))}
              >
                {t('remove')}
              </button>
            </div>
          </fieldset>
        );
      })}
      <button type="button" class="button secondary add-row" onClick={() => onRows([...rows, emptyRow(field)])}>
        {t('add', { item: inSentence(item) })}
      </button>
    </>
  );
}

/** An array of stored files (images in display order): an upload widget per file, and one more to add a file. */
function FileList(props: { field: FieldSpec; id: string; files: string[]; onFiles(files: string[]): void }) {
  const { field, id, files, onFiles } = props;
  const item = field.itemLabel;
  const options = field.item?.inner['x-plinth-file'] ?? {};
  return (
    <>
      {files.map((file, index) => {
        const name = t('row', { item, n: index + 1 });
        return (
          <div class="file-row" key={file}>
            <FileField
              id={`${id}-${index}`}
              label={name}
              hint={undefined}
              errors={[]}
              required={false}
              options={options}
              value={file}
              onChange={(value) => onFiles(value ? files.map((other, at) => (at === index ? value : other)) : files.filter((_, at) => at !== index))}
            />
            {files.length > 1 && (
              <div class="row-actions">
                <MoveButtons name={name} index={index} count={files.length} onMove={(to) => onFiles(moved(files, index, to))} />
              </div>
            )}
          </div>
        );
      })}
      <FileField
        key={`new-${files.length}`}
        id={`${id}-new`}
        label={t('add', { item: inSentence(item) })}
        hint={undefined}
        errors={[]}
        required={false}
        options={options}
        value=""
        onChange={(value) => value && onFiles([...files, value])}
      />
    </>
  );
}

/** A map (`additionalProperties`): key/value rows. */
function MapEntries(props: { field: FieldSpec; path: string; entries: EntryDraft[]; onEntries(entries: EntryDraft[]): void; place: Place }) {
  const { field, path, entries, onEntries, place } = props;
  const valueField = field.item!;
  const update = (entry: EntryDraft, change: Partial<EntryDraft>) => onEntries(entries.map((other) => (other === entry ? { ...entry, ...change } : other)));
  return (
    <>
      {entries.map((entry, index) => {
        const entryName = t('entry', { n: index + 1 });
        const keyId = domId(place, `${path}.${entry.key}.key`);
        return (
          <div class="map-entry" key={entry.key} role="group" aria-label={entryName}>
            <div class="field">
              <label for={keyId}>{t('key')}</label>
              <input
                id={keyId}
                type="text"
                dir="auto"
                value={entry.name}
                onInput={(event) => update(entry, { name: (event.currentTarget as HTMLInputElement).value })}
              />
            </div>
            <FieldView
              field={{ ...valueField, label: t('value') }}
              path={`${path}.${entry.name.trim() || `#${entry.key}`}`}
              draft={entry.value}
              siblings={{}}
              onDraft={(value) => update(entry, { value })}
              place={place}
            />
            <button
              type="button"
              class="button danger small"
              aria-label={t('removeItem', { item: entryName })}
              onClick={() => onEntries(entries.filter((other) => other !== entry))}
            >
              {t('remove')}
            </button>
          </div>
        );
      })}
      <button
        type="button"
        class="button secondary add-row"
        onClick={() => onEntries([...entries, { key: newKey(), name: '', value: draftOf(valueField, valueField.inner.default) }])}
      >
        {t('addEntry')}
      </button>
    </>
  );
}
