import type { ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describeError, type Pagination } from './api';
import { BillingErrorNotice, isBillingError } from './billing-notice';
import { formatDateTime } from './format';
import { defineMessages } from './i18n';
import { Icon } from './icons';
import { SessionContext } from './session';

const t = defineMessages({
  en: {
    title: '{title} · Plinth',
    loading: 'Loading…',
    checkFields: 'Check the highlighted fields.',
    inAll: '{total, plural, one {# in all} other {# in all}}',
    pages: 'Pages',
    previous: 'Previous',
    next: 'Next',
    pageOf: 'Page {page, number} of {pages, number} ({total, plural, one {# in all} other {# in all}})',
    copy: 'Copy',
    copied: 'Copied ✓',
    close: 'Close',
    working: 'Working…',
    cancel: 'Cancel',
  },
  ar: {
    title: '{title} · Plinth',
    loading: 'جارٍ التحميل…',
    checkFields: 'راجع الحقول المميّزة.',
    inAll: 'الإجمالي: {total, plural, zero {لا عناصر} one {عنصر واحد} two {عنصران} few {# عناصر} many {# عنصرًا} other {# عنصر}}',
    pages: 'الصفحات',
    previous: 'السابق',
    next: 'التالي',
    pageOf:
      'الصفحة {page, number} من {pages, number} (الإجمالي: {total, plural, zero {لا عناصر} one {عنصر واحد} two {عنصران} few {# عناصر} many {# عنصرًا} other {# عنصر}})',
    copy: 'نسخ',
    copied: 'تم النسخ ✓',
    close: 'إغلاق',
    working: 'جارٍ التنفيذ…',
    cancel: 'إلغاء',
  },
});

/** State of something loaded: data, error, loading, and a way to load it again. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Runs `load` now and whenever `deps` change; the last answer wins. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { ...state, reload };
}

/** Sets the document title. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = t('title', { title });
  }, [title]);
}

/** A page's heading with optional actions on the right. */
export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  useTitle(title);
  return (
    <div class="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children && <div class="actions">{children}</div>}
    </div>
  );
}

export function Loading({ label = t('loading') }: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

/** The error of a failed request, with the field errors the form could not place. */
export function ErrorBanner({ error, placed = [] }: { error: unknown; placed?: readonly string[] }) {
  // Brought into view when it appears: the button pressed may be far below (a long form, a dialog).
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.scrollIntoView({ block: 'nearest' }), [error]);
  if (!error) return null;
  // A refusal by the plan or by dunning: explained once, with the way to the billing page (billing-notice.tsx).
  if (isBillingError(error))
    return (
      <div class="banner error" role="alert" ref={ref}>
        <BillingErrorNotice error={error} />
      </div>
    );
  const unplaced = error instanceof ApiError ? Object.entries(error.errors).filter(([field]) => !placed.includes(field)) : [];
  return (
    <div class="banner error" role="alert" ref={ref}>
      <strong>
        {error instanceof ApiError && error.code === 'validation_failed' && unplaced.length === 0 && Object.keys(error.errors).length > 0
          ? t('checkFields')
          : describeError(error)}
      </strong>
      {unplaced.length > 0 && (
        <ul>
          {unplaced.map(([field, messages]) => (
            <li key={field}>
              {field}: {messages.join(', ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The API's messages for a field (`settings.name` when `prefix` is `settings`). */
export function errorsFor(error: unknown, field: string): string[] {
  return error instanceof ApiError ? (error.errors[field] ?? []) : [];
}

/** A labelled control with its hint and error messages, wired for screen readers. */
export function Field(props: {
  id: string;
  label: string;
  hint?: string | undefined;
  errors?: string[] | undefined;
  required?: boolean;
  children: ComponentChildren;
}) {
  const { id, label, hint, errors = [], required, children } = props;
  return (
    <div class={`field${errors.length > 0 ? ' invalid' : ''}`}>
      <label for={id}>
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {children}
      <FieldNotes id={id} hint={hint} errors={errors} />
    </div>
  );
}

/** A control's hint and error messages; with an `id`, as `<id>-hint` and `<id>-error` for `aria-describedby`. */
export function FieldNotes({ id, hint, errors }: { id?: string; hint?: string | undefined; errors: readonly string[] }) {
  return (
    <>
      {hint && (
        <small class="hint" id={id && `${id}-hint`}>
          {hint}
        </small>
      )}
      {errors.length > 0 && (
        <small class="field-error" id={id && `${id}-error`}>
          {errors.join('; ')}
        </small>
      )}
    </>
  );
}

/** A text input inside a `Field`. */
export function TextInput(props: {
  id: string;
  label: string;
  value: string;
  onInput(value: string): void;
  type?: string;
  required?: boolean;
  autoComplete?: string;
  hint?: string;
  errors?: string[];
  placeholder?: string;
  autoFocus?: boolean;
}) {
  const { id, label, value, onInput, type = 'text', required, autoComplete, hint, errors = [], placeholder, autoFocus } = props;
  return (
    <Field id={id} label={label} hint={hint} errors={errors} required={required ?? false}>
      <input
        id={id}
        name={id}
        type={type as 'text'}
        value={value}
        required={required}
        autoComplete={autoComplete}
        placeholder={placeholder}
        autoFocus={autoFocus}
        aria-invalid={errors.length > 0 ? 'true' : undefined}
        aria-describedby={errors.length > 0 ? `${id}-error` : hint ? `${id}-hint` : undefined}
        onInput={(event) => onInput((event.currentTarget as HTMLInputElement).value)}
      />
    </Field>
  );
}

/** Previous / next page controls with the position. */
export function Pager({ pagination, onPage }: { pagination: Pagination | undefined; onPage(page: number): void }) {
  if (!pagination || pagination.total_pages <= 1) return pagination ? <p class="muted">{t('inAll', { total: pagination.total })}</p> : null;
  const { page, total_pages: pages, total } = pagination;
  return (
    <nav class="pager" aria-label={t('pages')}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        <span class="icon-directional" aria-hidden="true">
          ←
        </span>{' '}
        {t('previous')}
      </button>
      <span>{t('pageOf', { page, pages, total })}</span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t('next')}{' '}
        <span class="icon-directional" aria-hidden="true">
          →
        </span>
      </button>
    </nav>
  );
}

/** A button that copies `text` to the clipboard and says so. */
export function CopyButton({ text, label = t('copy') }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="secondary"
      onClick={() => {
        navigator.clipboard?.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? t('copied') : label}
    </button>
  );
}

/** A modal dialog (native `<dialog>`: focus trapped, Escape closes; focus goes back to what opened it). */
export function Dialog({ title, onClose, children }: { title: string; onClose(): void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  // Closing a removed dialog still fires its `close` event (a task later): that is no request to close the
  // dialog shown in its place (a confirmation replaced by its outcome).
  const removed = useRef(false);
  const requestClose = () => {
    if (!removed.current) onClose();
  };
  useEffect(() => {
    const dialog = ref.current;
    // The browser only restores focus when a dialog that stays in the page closes; this one is removed.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      removed.current = true;
      dialog?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="dialog-title" onClose={requestClose} onCancel={requestClose}>
      <div class="dialog-header">
        <h2 id="dialog-title">{title}</h2>
        <button type="button" class="icon" aria-label={t('close')} onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      {children}
    </dialog>
  );
}

/** A date-time in the console's language, in the tenant's time zone (outside a tenant, the browser's). */
export function When({ value }: { value: string | null | undefined }) {
  const timeZone = useContext(SessionContext)?.tenant?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!value) return <span class="muted">—</span>;
  return <time dateTime={value}>{formatDateTime(value, timeZone)}</time>;
}

/** A submit button that shows progress. */
export function Submit({ busy, children }: { busy: boolean; children: ComponentChildren }) {
  return (
    <button type="submit" disabled={busy} aria-busy={busy ? 'true' : undefined}>
      {busy ? t('working') : children}
    </button>
  );
}

/** A form whose submission runs `onSubmit` instead of posting the page. */
export function Form(props: { onSubmit(): unknown; class?: string; role?: 'search'; noValidate?: boolean; children: ComponentChildren }) {
  const { onSubmit, children, ...attributes } = props;
  return (
    <form
      {...attributes}
      onSubmit={(event) => {
        event.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/** A dialog form's buttons: Cancel (calls `onCancel`) and the submit button labelled `children`. */
export function DialogActions({ onCancel, busy, children }: { onCancel(): void; busy: boolean; children: ComponentChildren }) {
  return (
    <div class="dialog-actions">
      <button type="button" class="secondary" onClick={onCancel}>
        {t('cancel')}
      </button>
      <Submit busy={busy}>{children}</Submit>
    </div>
  );
}

/** Runs an action for a form: busy flag, the error, and a submit handler that prevents the page post. */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      await action(...args);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
