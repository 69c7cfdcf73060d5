import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { shellText } from './shell-messages';
import { Dialog, ErrorBanner, Form } from './ui';

/**
 * Confirms a destructive action by having the name of what it destroys typed (suspend a tenant, purge a plugin's
 * data): the confirm button stays disabled until the typed text matches `name` exactly.
 */
export function TypeToConfirmDialog(props: {
  title: string;
  /** What must be typed: the tenant's slug, the plugin's name. */
  name: string;
  /** The confirm button's label, e.g. "Suspend tenant". */
  action: string;
  busy: boolean;
  error?: unknown;
  /** Error keys the dialog shows beside its input (e.g. `confirm`). */
  placed?: readonly string[];
  onConfirm(): unknown;
  onClose(): void;
  children?: ComponentChildren;
}) {
  const { title, name, action, busy, error, placed, onConfirm, onClose, children } = props;
  const [typed, setTyped] = useState('');
  const matches = typed.trim() === name;
  return (
    <Dialog title={title} onClose={onClose}>
      <Form noValidate onSubmit={() => (matches ? onConfirm() : undefined)}>
        <ErrorBanner error={error} placed={placed ?? []} />
        {children}
        <div class="field">
          <label for="type-to-confirm">
            <TypeLabel name={name} />
          </label>
          <input
            id="type-to-confirm"
            value={typed}
            dir="ltr"
            autoComplete="off"
            spellcheck={false}
            aria-describedby="type-to-confirm-hint"
            onInput={(event) => setTyped(event.currentTarget.value)}
          />
          <small class="hint" id="type-to-confirm-hint">
            {shellText('cannotUndo')}
          </small>
        </div>
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={onClose}>
            {shellText('cancel')}
          </button>
          <button type="submit" class="danger" disabled={busy || !matches} aria-busy={busy ? 'true' : undefined}>
            {busy ? shellText('working') : action}
          </button>
        </div>
      </Form>
    </Dialog>
  );
}

/** "Type <strong>name</strong> to confirm", with the name emphasised wherever the language puts it. */
function TypeLabel({ name }: { name: string }) {
  const marker = '\u0000';
  const [before = '', after = ''] = shellText('typeToConfirm', { name: marker }).split(marker);
  return (
    <>
      {before}
      <strong dir="ltr">{name}</strong>
      {after}
    </>
  );
}
