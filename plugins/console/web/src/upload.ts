/**
 * Uploads to `POST /api/v1/files` with progress. `fetch` cannot report how much of a request body has gone out,
 * so this one request is an XMLHttpRequest; it carries the same session and tenant headers as `call`.
 */
import { ApiError, errorOfAnswer, refreshSession, sessionHeaders } from './api';

/** A stored file as `GET /api/v1/files/:id` shows it (the fields the console uses). */
export interface StoredFile {
  id: string;
  name: string;
  content_type: string;
  size: number;
  visibility: 'public' | 'private';
  width: number | null;
  height: number | null;
  variants: Record<string, { content_type: string; size: number }>;
}

export interface UploadOptions {
  tenant: string;
  visibility: 'public' | 'private';
  /** Called as bytes go out: `sent` of `total`. */
  onProgress?(sent: number, total: number): void;
  /** Aborts the upload (the promise rejects with an `AbortError`). */
  signal?: AbortSignal;
}

/** Uploads `file`; resolves with the stored file, rejects with the API's `ApiError` (413, 415, 409 …). */
export async function uploadFile(file: File, options: UploadOptions): Promise<StoredFile> {
  let answer = await send(file, options, await sessionHeaders(options.tenant));
  // An access token that expired meanwhile: refreshed once, like `call` does.
  if (answer.status === 401 && (await refreshSession())) answer = await send(file, options, await sessionHeaders(options.tenant));
  if (answer.status !== 201) throw errorOfAnswer(answer.status, answer.text);
  try {
    return (JSON.parse(answer.text) as { data: StoredFile }).data;
  } catch {
    throw new ApiError(answer.status, 'bad_response', 'The server answered without JSON');
  }
}

function send(file: File, options: UploadOptions, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/v1/files');
    request.setRequestHeader('accept', 'application/json');
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => options.onProgress?.(event.loaded, event.lengthComputable ? event.total : file.size);
    request.onload = () => resolve({ status: request.status, text: request.responseText });
    // A network failure reads like `fetch`'s, so `describeError` explains it the same way.
    request.onerror = () => reject(new TypeError('Failed to upload'));
    request.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    options.signal?.addEventListener('abort', () => request.abort(), { once: true });
    // The visibility first: the server reads the fields that come before the file.
    const body = new FormData();
    body.append('visibility', options.visibility);
    body.append('file', file, file.name);
    request.send(body);
  });
}
