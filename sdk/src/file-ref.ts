import { Type, type StringOptions, type TString } from '@sinclair/typebox';

/** The schema keyword marking a string as the id of a stored file; the console renders an upload widget for it. */
export const fileRefKeyword = 'x-plinth-file';

/** What a {@link FileRef} field accepts, as the console shows and enforces it before uploading. */
export interface FileRefOptions {
  /** Media types accepted (`image/*`, `application/pdf`): the widget's file chooser filter and its first check. */
  accept?: readonly string[];
  /** Largest file in bytes the widget lets through (the API's own limit still applies). */
  maxBytes?: number;
  /** Upload the file as `visibility: public` (reachable by its public URL, e.g. an image on a public page). */
  public?: boolean;
}

/** The `x-plinth-file` keyword's value in the schema (and the OpenAPI document). */
export interface FileRefKeyword {
  accept: string[];
  maxBytes?: number;
  public: boolean;
}

/**
 * A field holding the id of a file uploaded through `POST /api/v1/files`: a UUID string carrying the
 * `x-plinth-file` keyword, so that generated forms offer an upload widget (drop zone, progress, preview) for it.
 * The route still checks the file itself when it attaches it (`deps.files.attach`): the keyword is a hint.
 *
 * @example
 * ```ts
 * const SiteInput = Type.Object({
 *   avatar_file_id: Type.Optional(Type.Union([FileRef({ accept: ['image/*'], maxBytes: 5_000_000, public: true }), Type.Null()])),
 * });
 * ```
 */
export function FileRef(options: FileRefOptions = {}, schemaOptions: StringOptions = {}): TString {
  const keyword: FileRefKeyword = { accept: [...(options.accept ?? [])], public: options.public ?? false };
  if (options.maxBytes !== undefined) keyword.maxBytes = options.maxBytes;
  return Type.String({ ...schemaOptions, format: 'uuid', [fileRefKeyword]: keyword });
}
