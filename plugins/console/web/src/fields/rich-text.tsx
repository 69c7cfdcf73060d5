/**
 * A rich text field: a small accessible toolbar (bold, italic, link, lists, heading) over tiptap, which is
 * imported on first use (a chunk of its own). Until it loads, or if it cannot, the HTML is edited as text.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import './fields.css';
import { t } from './messages';
import type { Command, RichTextEditor } from './rich-text-editor';

const buttons: { command: Command; label: 'bold' | 'italic' | 'link' | 'bulletList' | 'orderedList' | 'heading'; glyph: ComponentChildren }[] = [
  { command: 'bold', label: 'bold', glyph: 'B' },
  { command: 'italic', label: 'italic', glyph: 'I' },
  { command: 'heading', label: 'heading', glyph: 'H' },
  { command: 'bulletList', label: 'bulletList', glyph: '•' },
  { command: 'orderedList', label: 'orderedList', glyph: '1.' },
  {
    command: 'link',
    label: 'link',
    glyph: (
      <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
        <path d="M10 13a5 5 0 0 0 7.07 0l3-3a5 5 0 0 0-7.07-7.07l-1.5 1.5" />
        <path d="M14 11a5 5 0 0 0-7.07 0l-3 3a5 5 0 0 0 7.07 7.07l1.5-1.5" />
      </svg>
    ),
  },
];

export function RichText(props: {
  id: string;
  labelId: string;
  value: string;
  describedBy: string | undefined;
  invalid: boolean;
  onValue(html: string): void;
}) {
  const { id, labelId, value, describedBy, invalid, onValue } = props;
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<RichTextEditor | undefined>(undefined);
  const latest = useRef(onValue);
  latest.current = onValue;
  // The HTML the editor reported since the value last came from outside: the value prop may lag several key
  // presses behind (renders are batched), and such an echo must not be written back over newer typing.
  const emitted = useRef(new Set<string>([value]));
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [, setRound] = useState(0);

  useEffect(() => {
    let live = true;
    import('./rich-text-editor').then(
      ({ createEditor }) => {
        if (!live || !host.current) return;
        editor.current = createEditor({
          element: host.current,
          html: value,
          labelledBy: labelId,
          describedBy,
          onHtml: (html) => {
            emitted.current.add(html);
            latest.current(html);
          },
          onState: () => setRound((round) => round + 1),
        });
        setState('ready');
      },
      () => live && setState('failed'),
    );
    return () => {
      live = false;
      editor.current?.destroy();
      editor.current = undefined;
    };
  }, []);

  // A value set from outside (the record loaded, the form reset) replaces the editor's content.
  useEffect(() => {
    if (emitted.current.has(value)) return;
    emitted.current = new Set([value]);
    editor.current?.setHtml(value);
  }, [value]);

  const press = (command: Command) => {
    const current = editor.current;
    if (!current) return;
    if (command === 'link') {
      const href = window.prompt(t('linkPrompt'), current.linkHref());
      if (href === null) return;
      current.run('link', href.trim());
    } else current.run(command);
  };

  return (
    <div class={`rich-text${invalid ? ' invalid' : ''}`}>
      {state !== 'failed' && (
        <div class="rich-text-toolbar" role="toolbar" aria-label={t('formatting')} aria-controls={id}>
          {buttons.map((button) => (
            <button
              key={button.command}
              type="button"
              class="tool"
              title={t(button.label)}
              aria-pressed={state === 'ready' && editor.current?.isActive(button.command) ? 'true' : 'false'}
              disabled={state !== 'ready'}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => press(button.command)}
            >
              <span aria-hidden="true" dir="ltr">
                {button.glyph}
              </span>
              <span class="visually-hidden">{t(button.label)}</span>
            </button>
          ))}
        </div>
      )}
      <div id={id} ref={host} class="rich-text-host" hidden={state === 'failed'} aria-busy={state === 'loading' ? 'true' : undefined} />
      {state === 'loading' && <small class="hint">{t('editorLoading')}</small>}
      {state === 'failed' && (
        <>
          <small class="hint">{t('editorFailed')}</small>
          <textarea
            aria-labelledby={labelId}
            aria-describedby={describedBy}
            dir="ltr"
            rows={5}
            value={value}
            onInput={(event) => onValue((event.currentTarget as HTMLTextAreaElement).value)}
          />
        </>
      )}
    </div>
  );
}
