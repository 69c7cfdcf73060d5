import type { ConsoleContext } from '@plinth/sdk/web';
import { useRef, useState } from 'preact/hooks';
import { moved, reorderKey, useSortable } from '../../../../web-kit/sortable';

/** An image of the product being edited: a stored public file, its thumbnail and its alternative text. */
export interface EditedImage {
  file_id: string;
  src: string;
  alt: string;
}

const accepted = 'image/png,image/jpeg,image/gif,image/webp,image/avif';

/**
 * The product's images: upload several at once (public files), thumbnails in display order, reorder by dragging
 * the handle or with the arrow keys on it, alternative text, remove. Changes are the screen's until it saves.
 */
export function ProductImages({ plinth, images, onChange }: { plinth: ConsoleContext; images: EditedImage[]; onChange(images: EditedImage[]): void }) {
  const { t } = plinth;
  const [uploading, setUploading] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  const latest = useRef(images);
  latest.current = images;
  const handles = useRef(new Map<string, HTMLButtonElement>());

  const move = (from: number, to: number) => {
    onChange(moved(latest.current, from, to));
    plinth.announce(t('Moved to position {position} of {count}', { position: to + 1, count: latest.current.length }));
  };
  const list = useSortable<HTMLOListElement>({ handle: '.drag-handle', onMove: ({ oldIndex, newIndex }) => move(oldIndex, newIndex) });

  async function upload(files: FileList | null) {
    if (!files?.length) return;
    setError(undefined);
    const chosen = [...files];
    setUploading(chosen.map((file) => file.name));
    for (const file of chosen) {
      try {
        const stored = await plinth.upload(file, { visibility: 'public' });
        latest.current = [...latest.current, { file_id: stored.id, src: plinth.fileUrl(stored.id), alt: '' }];
        onChange(latest.current);
      } catch (caught) {
        setError(t('{name} was not uploaded: {reason}', { name: file.name, reason: (caught as Error).message }));
      }
      setUploading((names) => names.filter((name) => name !== file.name));
    }
    if (input.current) input.current.value = '';
    plinth.announce(t('{count, plural, one {# image added} other {# images added}}', { count: chosen.length }));
  }

  return (
    <div class="product-images">
      {error && (
        <div class="banner error" role="alert">
          {error}
        </div>
      )}
      <p id="image-move-hint" class="visually-hidden">
        {t('Drag, or use the arrow keys')}
      </p>
      {images.length === 0 && <p class="muted">{t('No images yet. The first image is the one buyers see first.')}</p>}
      <ol class="image-list" ref={list} aria-label={t('Images, in display order')}>
        {images.map((image, index) => {
          const name = t('image {position}', { position: index + 1 });
          return (
            <li key={image.file_id} class="image-item">
              <button
                type="button"
                class="drag-handle"
                aria-label={t('Move {name}', { name })}
                aria-describedby="image-move-hint"
                ref={(node) => {
                  if (node) handles.current.set(image.file_id, node);
                  else handles.current.delete(image.file_id);
                }}
                onKeyDown={(event) =>
                  reorderKey(event, index, images.length, (to) => {
                    move(index, to);
                    requestAnimationFrame(() => handles.current.get(image.file_id)?.focus());
                  })
                }
              >
                <span aria-hidden="true">⠿</span>
              </button>
              <img src={image.src} alt={image.alt || t('Image {position}', { position: index + 1 })} width={96} height={96} />
              <div class="image-fields">
                <label for={`alt-${image.file_id}`}>{t('Alternative text for image {position}', { position: index + 1 })}</label>
                <input
                  id={`alt-${image.file_id}`}
                  type="text"
                  maxLength={300}
                  value={image.alt}
                  placeholder={t('What the image shows')}
                  onInput={(event) =>
                    onChange(latest.current.map((item) => (item.file_id === image.file_id ? { ...item, alt: event.currentTarget.value } : item)))
                  }
                />
                <button type="button" class="danger-link" onClick={() => onChange(latest.current.filter((item) => item.file_id !== image.file_id))}>
                  {t('Remove {name}', { name })}
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      {uploading.length > 0 && (
        <p class="muted" role="status">
          {t('Uploading {names}…', { names: uploading.join(', ') })}
        </p>
      )}
      <label class="button secondary upload-button">
        {t('Add images')}
        <input ref={input} type="file" accept={accepted} multiple class="visually-hidden" onChange={(event) => void upload(event.currentTarget.files)} />
      </label>
    </div>
  );
}
