/**
 * The rich text editor (tiptap), loaded on demand by `rich-text.tsx` so it stays out of the first-load bundle.
 * It edits the restricted HTML the kernel keeps (p, br, strong, em, u, s, a[href], ul, ol, li, h2, h3,
 * blockquote, code); code blocks and rules are left out.
 */
import { Editor } from '@tiptap/core';
import Link from '@tiptap/extension-link';
import StarterKit from '@tiptap/starter-kit';

export interface RichTextOptions {
  element: HTMLElement;
  html: string;
  labelledBy: string;
  describedBy: string | undefined;
  onHtml(html: string): void;
  onState(): void;
}

/** Marks and nodes the toolbar toggles. */
export type Command = 'bold' | 'italic' | 'bulletList' | 'orderedList' | 'heading' | 'link';

export function createEditor(options: RichTextOptions) {
  const editor = new Editor({
    element: options.element,
    content: options.html,
    extensions: [
      StarterKit.configure({ codeBlock: false, horizontalRule: false, link: false, heading: { levels: [2, 3] } }),
      Link.configure({
        openOnClick: false,
        autolink: true,
        protocols: ['http', 'https', 'mailto'],
        HTMLAttributes: { rel: 'noopener noreferrer nofollow', target: null },
      }),
    ],
    editorProps: {
      attributes: {
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-labelledby': options.labelledBy,
        ...(options.describedBy ? { 'aria-describedby': options.describedBy } : {}),
        class: 'rich-text-content',
        dir: 'auto',
      },
    },
    onUpdate: ({ editor: current }) => options.onHtml(current.isEmpty ? '' : current.getHTML()),
    onSelectionUpdate: () => options.onState(),
    onTransaction: () => options.onState(),
  });
  return {
    isActive: (command: Command) => editor.isActive(command === 'heading' ? 'heading' : command),
    linkHref: () => (editor.getAttributes('link').href as string | undefined) ?? '',
    run(command: Command, href?: string) {
      const chain = editor.chain().focus();
      if (command === 'bold') chain.toggleBold().run();
      else if (command === 'italic') chain.toggleItalic().run();
      else if (command === 'bulletList') chain.toggleBulletList().run();
      else if (command === 'orderedList') chain.toggleOrderedList().run();
      else if (command === 'heading') chain.toggleHeading({ level: 2 }).run();
      else if (command === 'link') {
        if (href) chain.extendMarkRange('link').setLink({ href }).run();
        else chain.extendMarkRange('link').unsetLink().run();
      }
    },
    setHtml(html: string) {
      if (html !== (editor.isEmpty ? '' : editor.getHTML())) editor.commands.setContent(html, { emitUpdate: false });
    },
    destroy: () => editor.destroy(),
  };
}

export type RichTextEditor = ReturnType<typeof createEditor>;
