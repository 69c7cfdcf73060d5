/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import { useRef, useState } from 'preact/hooks';

/** An attachment as the lesson PATCH takes it: a link, or a stored private file (with its name, for the list). */
export type Attachment = { key: string; title: string; url: string } | { key: string; title: string; file_id: string; name?: string };

let keys = 0;
export const attachmentKey = () => `a${(keys += 1)}`;

/** The PATCH's `attachments` from the list being edited. */
export function attachmentsBody(list: Attachment[]) {
  return list.map((item) => ('file_id' in item ? { title: item.title.trim(), file_id: item.file_id } : { title: item.title.trim(), url: item.url.trim() }));
}

/**
 * A lesson's attachments: links and uploaded files (private: served only to those who may read the lesson), each
 * with the title learners see. Uploading shows its progress; a refused upload (too large, wrong type) says why.
 */
export function AttachmentsEditor({
  plinth,
  list,
  errors,
  onChange,
}: {
  plinth: ConsoleContext;
  list: Attachment[];
  errors: Record<string, string[]>;
  onChange(list: Attachment[]): void;
}) {
  const { t } = plinth;
  const picker = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const latest = useRef(list);
  latest.current = list;
  const change = (index: number, changes: Partial<{ title: string; url: string }>) =>
    onChange(list.map((item, at) => (at === index ? ({ ...item, ...changes } as Attachment) : item)));

  async function upload(files: FileList | null): Promise<void> {
    setProblem(undefined);
    for (const file of Array.from(files ?? [])) {
      setUploading(t('Uploading {name}: {percent}%', { name: file.name, percent: 0 }));
      try {
        const stored = await plinth.upload(file, {
          visibility: 'private',
          onProgress: (sent, total) => setUploading(t('Uploading {name}: {percent}%', { name: file.name, percent: Math.round((sent * 100) / (total || 1)) })),
        });
        const title = stored.name.replace(/\.[^.]+$/, '') || stored.name;
        onChange([...latest.current, { key: attachmentKey(), title, file_id: stored.id, name: stored.name }]);
        plinth.announce(t('{name} uploaded', { name: stored.name }));
      } catch (caught) {
        setProblem((caught as Error).message);
      }
    }
    setUploading(undefined);
    if (picker.current) picker.current.value = '';
  }

  return (
    <fieldset class="builder-attachments">
      <legend>{t('Attachments')}</legend>
      {list.length === 0 && <p class="muted">{t('No attachments: add a link or upload a file.')}</p>}
      <ol>
        {list.map((item, index) => {
          const titleErrors = errors[`attachments.${index}.title`];
          const urlErrors = errors[`attachments.${index}.url`] ?? errors[`attachments.${index}.file_id`] ?? errors[`attachments.${index}`];
          return (
            <li key={item.key} class="builder-attachment">
              <input
                dir="auto"
                aria-label={t('Title of attachment {number}', { number: index + 1 })}
                value={item.title}
                maxLength={200}
                onInput={(event) => change(index, { title: event.currentTarget.value })}
                aria-invalid={titleErrors ? 'true' : undefined}
              />
              {'file_id' in item ? (
                <span class="builder-attachment-file">{item.name ?? t('Uploaded file')}</span>
              ) : (
                <input
                  type="url"
                  dir="ltr"
                  aria-label={t('Link of attachment {number}', { number: index + 1 })}
                  placeholder="https://"
                  value={item.url}
                  maxLength={2000}
                  onInput={(event) => change(index, { url: event.currentTarget.value })}
                  aria-invalid={urlErrors ? 'true' : undefined}
                />
              )}
              <button
                type="button"
                class="danger-link"
                aria-label={t('Remove attachment {number}', { number: index + 1 })}
                onClick={() => onChange(list.filter((_, at) => at !== index))}
              >
                ✕
              </button>
              {(titleErrors || urlErrors) && <small class="field-error">{[...(titleErrors ?? []), ...(urlErrors ?? [])].join(' ')}</small>}
            </li>
          );
        })}
      </ol>
      <div class="builder-attachment-actions">
        <button type="button" class="secondary" onClick={() => onChange([...list, { key: attachmentKey(), title: '', url: '' }])}>
          {t('Add link')}
        </button>
        <label class="button secondary">
          {t('Upload files')}
          <input
            ref={picker}
            type="file"
            multiple
            class="visually-hidden"
            disabled={uploading !== undefined}
            onChange={(event) => void upload(event.currentTarget.files)}
          />
        </label>
      </div>
      {uploading && (
        <p class="muted" role="status">
          {uploading}
        </p>
      )}
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
