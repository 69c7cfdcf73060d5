/**
 * The input of a schema field marked `x-plinth-file` (the SDK's `FileRef`): a drop zone with a "Choose file"
 * button, an upload with progress, a preview of images, replace and remove. The field's value is the stored
 * file's id; the record's route attaches the file when the form is saved.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, describeError, download, get } from './api';
import { describeTypes, fileFieldText as t } from './file-field-text';
import { formatBytes } from './format';
import './file-field.css';
import type { FileRefOptions } from './schema';
import { useTenant } from './session';
import { uploadFile, type StoredFile } from './upload';

type Upload =
  | { phase: 'idle' }
  | { phase: 'uploading'; name: string; sent: number; total: number; abort: AbortController }
  | { phase: 'done'; file: StoredFile }
  | { phase: 'failed'; message: string };

/** Whether a media type is one of `accept` (`image/png`, `image/*`); everything is when `accept` is empty. */
export function typeAccepted(type: string, accept: readonly string[]): boolean {
  const bare = type.split(';')[0]!.trim().toLowerCase();
  return accept.length === 0 || accept.some((allowed) => (allowed.endsWith('/*') ? bare.startsWith(allowed.slice(0, -1)) : bare === allowed));
}

/** How long to wait for the image variants job, in all; it usually takes a second or two. */
const variantWaitMs = 20_000;

export function FileField(props: {
  id: string;
  label: string;
  hint?: string | undefined;
  errors: string[];
  required: boolean;
  options: FileRefOptions;
  value: string;
  onChange(value: string): void;
}) {
  const { id, label, hint, errors, required, options, value, onChange } = props;
  const tenant = useTenant();
  const accept = options.accept ?? [];
  const images = accept.length > 0 && accept.every((type) => type.startsWith('image/'));
  const visibility = options.public ? 'public' : 'private';
  const input = useRef<HTMLInputElement>(null);
  const chooser = useRef<HTMLButtonElement>(null);
  const [upload, setUpload] = useState<Upload>({ phase: 'idle' });
  const [dragging, setDragging] = useState(false);
  const [localPreview, setLocalPreview] = useState<string>();
  const [thumb, setThumb] = useState<string>();
  const [previewFailed, setPreviewFailed] = useState(false);
  // Files this widget uploaded and then dropped (replaced, removed) before the form was saved: deleted at once.
  const uploadedHere = useRef(new Set<string>());
  const originalValue = useRef(value);

  useEffect(() => () => localPreview && URL.revokeObjectURL(localPreview), [localPreview]);
  useEffect(() => () => thumb?.startsWith('blob:') && URL.revokeObjectURL(thumb), [thumb]);

  // Once uploaded, the image's thumbnail replaces the local preview when the variants job has made it.
  useEffect(() => {
    if (upload.phase !== 'done' || !upload.file.content_type.startsWith('image/')) return;
    let live = true;
    const started = Date.now();
    const look = async (delay: number) => {
      if (!live || Date.now() - started > variantWaitMs) return;
      const file = await get<StoredFile>(`/files/${upload.file.id}`, { tenant: tenant.slug }).catch(() => undefined);
      if (!live) return;
      if (file?.variants.thumb) return setThumb(await variantUrl(file, tenant.slug));
      setTimeout(() => void look(Math.min(delay * 2, 4000)), delay);
    };
    void look(500);
    return () => {
      live = false;
    };
  }, [upload, tenant.slug]);

  const discard = (fileId: string | undefined) => {
    if (!fileId || fileId === originalValue.current || !uploadedHere.current.delete(fileId)) return;
    void call('DELETE', `/files/${fileId}`, { tenant: tenant.slug }).catch(() => undefined);
  };

  const start = async (file: File) => {
    if (upload.phase === 'uploading') upload.abort.abort();
    setThumb(undefined);
    setPreviewFailed(false);
    if (options.maxBytes !== undefined && file.size > options.maxBytes) {
      return setUpload({ phase: 'failed', message: t('tooLarge', { size: formatBytes(file.size), limit: formatBytes(options.maxBytes) }) });
    }
    if (file.type && !typeAccepted(file.type, accept)) return setUpload({ phase: 'failed', message: t('wrongType', { type: file.type }) });
    const abort = new AbortController();
    setLocalPreview(file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined);
    setUpload({ phase: 'uploading', name: file.name, sent: 0, total: file.size, abort });
    try {
      const stored = await uploadFile(file, {
        tenant: tenant.slug,
        visibility,
        signal: abort.signal,
        onProgress: (sent, total) => setUpload((current) => (current.phase === 'uploading' && current.abort === abort ? { ...current, sent, total } : current)),
      });
      uploadedHere.current.add(stored.id);
      // The API sniffs the bytes: a file whose contents are not what this field takes is dropped again.
      if (!typeAccepted(stored.content_type, accept)) {
        discard(stored.id);
        setLocalPreview(undefined);
        return setUpload({ phase: 'failed', message: t('wrongBytes', { type: stored.content_type }) });
      }
      discard(value || undefined);
      setUpload({ phase: 'done', file: stored });
      onChange(stored.id);
    } catch (error) {
      setLocalPreview(undefined);
      if (error instanceof DOMException && error.name === 'AbortError') return setUpload({ phase: 'idle' });
      setUpload({ phase: 'failed', message: error instanceof ApiError ? apiMessage(error) : describeError(error) });
    }
  };

  const remove = () => {
    discard(value || undefined);
    setLocalPreview(undefined);
    setThumb(undefined);
    setUpload({ phase: 'idle' });
    onChange('');
    chooser.current?.focus();
  };

  const saved = value && upload.phase !== 'done' ? value : undefined;
  // A saved public image is shown from its public URL: its thumbnail, else the original.
  const savedPreview = saved && images && options.public && !previewFailed ? publicUrl(tenant.slug, saved, 'thumb') : undefined;
  const preview = thumb ?? localPreview ?? savedPreview;
  const previewName = upload.phase === 'done' ? upload.file.name : upload.phase === 'uploading' ? upload.name : label;
  const limits = options.maxBytes === undefined ? t('limitsNone') : t('limitsUpTo', { size: formatBytes(options.maxBytes) });
  const problems = [...(upload.phase === 'failed' ? [upload.message] : []), ...errors];
  const describedBy = [`${id}-limits`, hint ? `${id}-hint` : '', problems.length ? `${id}-error` : ''].filter(Boolean).join(' ');
  const pick = () => input.current?.click();

  return (
    <div class={`field file-field${problems.length ? ' invalid' : ''}`} role="group" aria-labelledby={`${id}-label`}>
      <label id={`${id}-label`} for={id}>
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      <input
        ref={input}
        id={id}
        type="file"
        class="visually-hidden"
        tabIndex={-1}
        accept={accept.join(',') || undefined}
        aria-describedby={describedBy}
        onChange={(event) => {
          const file = (event.currentTarget as HTMLInputElement).files?.[0];
          (event.currentTarget as HTMLInputElement).value = '';
          if (file) void start(file);
        }}
      />
      <div
        class={`drop-zone${dragging ? ' dragging' : ''}`}
        data-testid={`${id}-drop`}
        onDragEnter={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragOver={(event) => {
          event.preventDefault();
          if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={(event) => {
          if (!(event.currentTarget as HTMLElement).contains(event.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          const file = event.dataTransfer?.files[0];
          if (file) void start(file);
        }}
      >
        <div class="file-preview" aria-hidden={preview ? undefined : 'true'}>
          {preview ? (
            <img
              src={preview}
              alt={t('preview', { name: previewName })}
              onError={() => {
                if (preview === savedPreview) setPreviewFailed(true);
              }}
            />
          ) : (
            <FileIcon kind={value ? 'file' : 'upload'} />
          )}
        </div>
        <div class="file-body">
          <p class="file-prompt">{dragging ? t('dropHere') : value ? t('dropAnother') : t('drop')}</p>
          <div class="file-actions">
            <button ref={chooser} type="button" class="secondary" aria-describedby={describedBy} onClick={pick} disabled={upload.phase === 'uploading'}>
              {value ? t('replace') : t('choose')}
            </button>
            {upload.phase === 'uploading' ? (
              <button type="button" class="danger-link" onClick={() => upload.abort.abort()}>
                {t('cancel')}
              </button>
            ) : (
              value && (
                <button type="button" class="danger-link" onClick={remove}>
                  {t('remove')}
                </button>
              )
            )}
          </div>
          <small class="hint" id={`${id}-limits`}>
            <bdi>{describeTypes(accept)}</bdi>
            {limits}
          </small>
        </div>
      </div>
      {upload.phase === 'uploading' && <progress class="file-progress" max={Math.max(upload.total, 1)} value={upload.sent} aria-labelledby={`${id}-status`} />}
      <p class="file-status" id={`${id}-status`} role="status">
        {upload.phase === 'uploading'
          ? t('uploading', { name: upload.name, fraction: upload.total ? upload.sent / upload.total : 0 })
          : upload.phase === 'done'
            ? t('uploaded', { name: upload.file.name, size: formatBytes(upload.file.size) })
            : saved
              ? t('current')
              : !value && originalValue.current
                ? t('removed')
                : ''}
      </p>
      {hint && (
        <small class="hint" id={`${id}-hint`}>
          {hint}
        </small>
      )}
      {problems.length > 0 && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {problems.join(' ')}
        </p>
      )}
    </div>
  );
}

/**
 * The API's message for a refused upload. A 415 lists every type the upload route takes, which is more than this
 * field does (the field's own limits are shown beside it), so the list is left out.
 */
function apiMessage(error: ApiError): string {
  return error.status === 415 ? error.message.replace(/\s*\(accepted: [^)]*\)\s*$/, '').replace(/\.?$/, '.') : error.message;
}

/** The public URL of a public file (or of one of its variants). */
function publicUrl(tenant: string, fileId: string, variant?: string): string {
  return `/api/v1/files/public/${encodeURIComponent(tenant)}/${fileId}${variant ? `?variant=${variant}` : ''}`;
}

/** Where the preview reads a file's thumbnail: its public URL, or (private) the bytes fetched with the session. */
async function variantUrl(file: StoredFile, tenant: string): Promise<string | undefined> {
  if (file.visibility === 'public') return publicUrl(tenant, file.id, 'thumb');
  const { blob } = await download(`/files/${file.id}/content`, { tenant, query: { variant: 'thumb' } }).catch(() => ({ blob: undefined }));
  return blob && URL.createObjectURL(blob);
}

/** A drawn icon (fonts may lack the emoji): an arrow into a tray, or a page with a folded corner. */
function FileIcon({ kind }: { kind: 'upload' | 'file' }) {
  return (
    <svg
      class="file-icon"
      viewBox="0 0 24 24"
      width="28"
      height="28"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      {kind === 'upload' ? (
        <path d="M12 15V4m0 0L7.5 8.5M12 4l4.5 4.5M4 15v3.5A1.5 1.5 0 0 0 5.5 20h13a1.5 1.5 0 0 0 1.5-1.5V15" />
      ) : (
        <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zm0 0v5h5" />
      )}
    </svg>
  );
}
