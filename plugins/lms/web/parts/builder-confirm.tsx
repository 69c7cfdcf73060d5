/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useRef } from 'preact/hooks';

/** What a confirmation asks: `message` as the dialog's text, `action` as the dangerous button. */
export interface Confirmation {
  title: string;
  message: string;
  action: string;
  run(): Promise<void> | void;
}

/**
 * A modal confirmation before something is deleted: a native `<dialog>` (focus moves into it, Escape cancels,
 * the page behind is inert), with Cancel focused first so Enter alone never deletes.
 */
export function ConfirmDialog({ plinth, confirmation, onClose }: { plinth: ConsoleContext; confirmation: Confirmation; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const node = dialog.current;
    if (node && !node.open) node.showModal();
    return () => node?.close();
  }, []);
  const { t } = plinth;
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="builder-confirm-title" aria-describedby="builder-confirm-message" onClose={onClose}>
      <div class="dialog-header">
        <h2 id="builder-confirm-title">{confirmation.title}</h2>
      </div>
      <p id="builder-confirm-message">{confirmation.message}</p>
      <div class="dialog-actions">
        <button type="button" class="secondary" autofocus onClick={() => dialog.current?.close()}>
          {t('Cancel')}
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            dialog.current?.close();
            void confirmation.run();
          }}
        >
          {confirmation.action}
        </button>
      </div>
    </dialog>
  );
}
