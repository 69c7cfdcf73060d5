/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A title renamed in place: the input replaces the title, Enter (or leaving the field) saves, Escape cancels.
 * Focus goes back to the Rename button afterwards, so a keyboard user stays where they were.
 */
export function RenameInput({
  plinth,
  label,
  value,
  onSave,
  onDone,
}: {
  plinth: ConsoleContext;
  label: string;
  value: string;
  onSave(title: string): void;
  onDone(): void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(value);
  const finished = useRef(false);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const finish = (save: boolean) => {
    if (finished.current) return;
    finished.current = true;
    const title = text.trim();
    if (save && title && title !== value) onSave(title);
    onDone();
  };
  return (
    <form
      class="builder-rename"
      onSubmit={(event) => {
        event.preventDefault();
        finish(true);
      }}
    >
      <input
        ref={input}
        dir="auto"
        aria-label={label}
        value={text}
        maxLength={200}
        required
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            finish(false);
          }
        }}
        onBlur={() => finish(true)}
      />
      <span class="visually-hidden">{plinth.t('Enter saves, Escape cancels')}</span>
    </form>
  );
}

/** A one-field form that adds an item by its title: type, press Enter; the field empties for the next one. */
export function AddForm({ label, button, onAdd }: { label: string; button: string; onAdd(title: string): Promise<boolean> }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="builder-add"
      onSubmit={async (event) => {
        event.preventDefault();
        const title = text.trim();
        if (!title || busy) return;
        setBusy(true);
        if (await onAdd(title)) setText('');
        setBusy(false);
      }}
    >
      <input dir="auto" aria-label={label} placeholder={label} value={text} maxLength={200} onInput={(event) => setText(event.currentTarget.value)} />
      <button type="submit" class="secondary" disabled={busy}>
        {button}
      </button>
    </form>
  );
}
