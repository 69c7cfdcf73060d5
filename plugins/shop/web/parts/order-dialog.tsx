import type { ConsoleApiError } from '@plinth/sdk/web';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let dialogs = 0;

/**
 * A modal dialog (`<dialog>` shown with `showModal`: focus is trapped inside, Escape closes it). Focus goes back
 * to `returnFocus()` when it closes — the button that opened it, or a heading when that button is gone (a fulfilled
 * order has no Fulfil button any more).
 */
export function OrderDialog(props: { title: string; closeLabel: string; onClose(): void; returnFocus(): HTMLElement | null; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useRef(`shop-order-dialog-${++dialogs}`);
  const latest = useRef(props);
  latest.current = props;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      // After the order re-rendered: the opener may have gone with the action it offered.
      queueMicrotask(() => latest.current.returnFocus()?.focus());
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog shop-order-dialog"
      aria-labelledby={id.current}
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
    >
      <div class="dialog-header">
        <h2 id={id.current}>{props.title}</h2>
        <button type="button" class="icon" aria-label={props.closeLabel} onClick={props.onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {props.children}
    </dialog>
  );
}

/** A failed call's message in an alert banner, with the messages per field below it. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const failure = error as Partial<ConsoleApiError>;
  const details = Object.entries(failure.errors ?? {}).flatMap(([path, messages]) => messages.map((message) => `${path}: ${message}`));
  return (
    <div class="banner error" role="alert">
      <p>{failure.message || String(error)}</p>
      {details.length > 0 && (
        <ul>
          {details.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
