import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '@plinth/sdk';
import busboy from 'busboy';
import { assertSafeInput } from '../http/validation.js';

/** Limits of one `multipart/form-data` upload. */
export interface UploadOptions {
  /** The largest file accepted, in bytes: past it the file's stream fails with 413. */
  maxBytes: number;
  /**
   * The smallest file accepted (default 1: an empty file is refused). The check runs when the file has been read,
   * so an empty file also fails its stream, with 422 `validation_failed` on `file`. Pass 0 to accept empty files.
   */
  minBytes?: number;
  /** Text fields allowed before the file (default 20); one more is 400. */
  maxFields?: number;
  /** The longest text field, in bytes (default 64 KiB); longer is 400. */
  maxFieldBytes?: number;
  /** The form field that carries the file (default `file`); a file in another field is 400. */
  fileField?: string;
}

/** An upload whose file is still arriving: read `file.stream` to receive it. */
export interface Upload {
  /** The text fields sent before the file (null prototype: a field named `__proto__` is just a field). */
  fields: Record<string, string>;
  file: {
    /** The client's file name, made safe by {@link safeFileName}: for display and `Content-Disposition` only. */
    name: string;
    /** The Content-Type the client declared for the part: a claim, not a fact (sniff the bytes). */
    declaredType: string;
    /**
     * The file's bytes. It ends only once the whole request has been parsed and found valid, so a consumer that
     * stores it until `end` never keeps a file from a bad request. It fails instead with 413 past `maxBytes`
     * (having passed on no more than `maxBytes`), 422 below `minBytes`, and 400 for a truncated or malformed
     * body, a second file, a field after the file, or a client that went away. Destroying it discards the rest
     * of the request.
     */
    stream: Readable;
  };
}

const defaults = { minBytes: 1, maxFields: 20, maxFieldBytes: 64 * 1024, fileField: 'file' };

/**
 * Reads a `multipart/form-data` request (streamed with busboy, never held in memory) up to the start of its one
 * file, and resolves with the fields sent before it and a stream of the file's bytes. Rejects with 415 for
 * another media type, and with 400 when the body has no file, a second file, a file in another field or without
 * a name, too many or too long fields, or is malformed or cut short before the file starts. Fields must precede
 * the file (as the console's uploader sends them): the caller decides what to do with the file before its bytes
 * arrive. A declared Content-Length that no valid upload could have is 413 at once. After a failure the rest of the
 * request is read and discarded, so the 4xx reaches the client.
 *
 * @example
 * ```ts
 * const upload = await readUpload(ctx.req, { maxBytes: 50 * 1024 * 1024 });
 * const stored = await storage.put(key, upload.file.stream, { contentType }); // rejects, leaving nothing, on a bad upload
 * ```
 */
export async function readUpload(req: IncomingMessage, options: UploadOptions): Promise<Upload> {
  const { maxBytes, minBytes, maxFields, maxFieldBytes, fileField } = { ...defaults, ...options };
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new Error('readUpload: maxBytes must be a positive integer');
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(`Content-Type must be multipart/form-data (got ${contentType || 'none'})`);
  }
  // Refused before a byte is read when the declared length could not hold a file within the limit, whatever the
  // fields (each part's headers are at most 16 KiB for busboy).
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes + (maxFields + 1) * (maxFieldBytes + 16 * 1024 + 256)) throw new PayloadTooLargeError(`The file is larger than ${maxBytes} bytes`);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defCharset: 'utf8',
      defParamCharset: 'utf8',
      // The name as sent, so that a path in it is refused (busboy would quietly keep its last segment).
      preservePath: true,
      // One byte past the limit, so that a file of exactly `maxBytes` is not taken for a longer one.
      limits: { fileSize: maxBytes + 1, files: 1, fields: maxFields, fieldSize: maxFieldBytes, headerPairs: 20 },
    });
  } catch (error) {
    throw new BadRequestError('The multipart Content-Type has no valid boundary', { cause: error });
  }
  return new Promise<Upload>((resolve, reject) => {
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    let upload: Upload | undefined;
    let source: Readable | undefined;
    let failed = false;
    let parsed = false;
    let fileEnded = false;
    let received = 0;

    const output = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > maxBytes) return callback(tooLarge());
        callback(null, chunk);
      },
      flush(callback) {
        if (received < minBytes) return callback(new ValidationError({ file: [received === 0 ? 'is empty' : `must have at least ${minBytes} bytes`] }));
        callback();
      },
    });
    // Also keeps an error from crashing the process as unhandled when the caller failed before reading the stream.
    output.on('error', () => stop());
    output.on('close', () => {
      if (!output.writableFinished) stop();
    });

    const tooLarge = () => new PayloadTooLargeError(`The file is larger than ${maxBytes} bytes`);

    /** Stops parsing and lets the rest of the request drain into nothing. */
    function stop(): void {
      failed = true;
      req.unpipe(parser);
      source?.unpipe(output);
      source?.resume();
      req.resume();
    }

    function fail(error: Error): void {
      if (failed) return;
      stop();
      if (upload) output.destroy(error);
      else reject(error);
    }

    function finishIfDone(): void {
      if (!failed && parsed && fileEnded) output.end();
    }

    parser.on('field', (name, value, info) => {
      if (failed) return;
      if (upload) return fail(new BadRequestError(`Send the fields before the file (got "${name}" after it)`));
      // busboy takes a part with an empty `filename=""` (and no binary type) for a text field.
      if (name === fileField) return fail(new BadRequestError(`The form field "${fileField}" must be a file, with a file name`));
      if (info.valueTruncated) return fail(new BadRequestError(`The field "${name}" is longer than ${maxFieldBytes} bytes`));
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (failed) return void stream.resume();
      if (name !== fileField) {
        stream.resume();
        return fail(new BadRequestError(`Send the file in the form field "${fileField}" (got "${name}")`));
      }
      if (!info.filename?.trim()) {
        stream.resume();
        return fail(new BadRequestError('The file has no name'));
      }
      // Browsers send a base name; a path (`../../etc/passwd`, `C:\\x\\y.txt`) is refused, not guessed at.
      if (isPath(info.filename)) {
        stream.resume();
        return fail(new BadRequestError(`The file name must be a name, not a path (got ${JSON.stringify(info.filename.slice(0, 100))})`));
      }
      try {
        assertSafeInput(fields, 'fields');
      } catch (error) {
        stream.resume();
        return fail(error as Error);
      }
      source = stream;
      stream.on('limit', () => fail(tooLarge()));
      stream.on('error', (error) => fail(new BadRequestError('The multipart body is truncated or malformed', { cause: error })));
      stream.on('end', () => {
        fileEnded = true;
        finishIfDone();
      });
      stream.pipe(output, { end: false });
      upload = { fields, file: { name: safeFileName(info.filename), declaredType: info.mimeType, stream: output } };
      resolve(upload);
    });
    parser.on('filesLimit', () => fail(new BadRequestError('Send one file per request')));
    parser.on('fieldsLimit', () => fail(new BadRequestError(`Send at most ${maxFields} fields with the file`)));
    parser.on('error', (error) => fail(new BadRequestError('The multipart body is truncated or malformed', { cause: error })));
    parser.on('finish', () => {
      parsed = true;
      if (!upload) return fail(new BadRequestError(`The request has no file (send it in the form field "${fileField}")`));
      finishIfDone();
    });
    req.on('error', () => fail(new BadRequestError('The upload was interrupted')));
    req.on('close', () => {
      if (!req.complete) fail(new BadRequestError('The upload was interrupted'));
    });
    req.pipe(parser);
  });
}

/** Whether a client's file name names a path rather than a file: a separator, or only dots. */
export function isPath(name: string): boolean {
  return /[/\\]/.test(name) || /^\s*\.+\s*$/.test(name);
}

/** C0 and C1 controls (NUL, CR, LF, DEL…), bidirectional marks, overrides and isolates, and byte-order marks. */
const unsafeCharacters = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|\p{Surrogate}/gu;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * A client's file name made safe to store and show: the base name only (`../../etc/passwd` → `passwd`,
 * `C:\\x\\y.txt` → `y.txt`), without control characters, NUL, lone surrogates or bidirectional overrides (which
 * make `exe.txt` read as `txt.exe`), NFC-normalised, at most `maxBytes` UTF-8 bytes (cut between characters, the
 * extension kept), and never empty or only dots (`file` then). It never names a path on disk: storage keys are ids.
 */
export function safeFileName(raw: string, maxBytes = 255): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  const clean = base.replace(unsafeCharacters, '').normalize('NFC').trim();
  if (/^\.*$/.test(clean)) return 'file';
  return truncateUtf8(clean, maxBytes);
}

function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && Buffer.byteLength(name.slice(dot)) <= 32 ? name.slice(dot) : '';
  const stem = extension ? name.slice(0, dot) : name;
  let kept = '';
  let used = Buffer.byteLength(extension);
  for (const { segment } of graphemes.segment(stem)) {
    used += Buffer.byteLength(segment);
    if (used > maxBytes) break;
    kept += segment;
  }
  return (kept.trimEnd() || 'file') + extension;
}
