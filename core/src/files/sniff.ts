/** How many leading bytes the file service reads before deciding a file's type. */
export const sniffBytes = 64 * 1024;

/** The type of a file the bytes do not name: no signature, and not text either. */
export const unknownBinary = 'application/octet-stream';

/**
 * The media type of a file from its first bytes (`head`; `complete` when it is the whole file): what the bytes
 * say wins over the name and the declared header. `file-type` names binary formats by their signatures; what it
 * cannot see (plain text, CSV, JSON, SVG and other XML, HTML) is decided here, conservatively: anything with a
 * NUL byte or that is not UTF-8 is binary (`application/octet-stream`), markup is named as markup whatever the
 * name says (so an `.png` that is really HTML is HTML), and CSV or JSON only when the name or header claims it
 * and the bytes agree. The name and header never promote bytes to a binary type.
 */
export async function sniffContentType(head: Buffer, claims: { name: string; declaredType?: string | undefined; complete: boolean }): Promise<string> {
  // Loaded by the first upload (about 12 MB resident): a process that stores no file never holds it.
  const { fileTypeFromBuffer } = await import('file-type');
  const detected = await fileTypeFromBuffer(head);
  if (detected && detected.mime !== 'application/xml') return detected.mime;
  if (!isText(head, claims.complete)) return detected?.mime ?? unknownBinary;
  return textType(head.toString('utf8').replace(/^\uFEFF/, ''), claims);
}

function textType(text: string, claims: { name: string; declaredType?: string | undefined; complete: boolean }): string {
  const start = text.trimStart().slice(0, 1024).toLowerCase();
  const claimed = (extension: string, type: string) =>
    claims.name.toLowerCase().endsWith(extension) || (claims.declaredType ?? '').toLowerCase().split(';')[0]!.trim() === type;
  // Markup first: a browser would run script in it, so it must never pass as something harmless.
  if (/<svg[\s>]/.test(text.slice(0, sniffBytes).toLowerCase()) && (start.startsWith('<') || start.startsWith('<?xml'))) return 'image/svg+xml';
  if (/^<!doctype html|^<html[\s>]|^<head[\s>]|^<body[\s>]|^<script[\s>]|^<iframe[\s>]/.test(start)) return 'text/html';
  if (start.startsWith('<?xml')) return 'application/xml';
  if ((start.startsWith('{') || start.startsWith('[')) && (claimed('.json', 'application/json') || (claims.complete && parses(text)))) {
    return claims.complete && !parses(text) ? 'text/plain' : 'application/json';
  }
  if (claimed('.csv', 'text/csv')) return 'text/csv';
  return 'text/plain';
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether `head` is UTF-8 text without NUL or other control bytes (a character cut at the end of an incomplete head is fine). */
function isText(head: Buffer, complete: boolean): boolean {
  for (const byte of head) if (byte === 0 || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b)) return false;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(head, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/** Whether `type` is covered by one of `allowed` (`image/png`, `image/*`, `*`). */
export function typeAllowed(type: string, allowed: readonly string[]): boolean {
  return allowed.some(
    (pattern) => pattern === '*' || pattern === '*/*' || pattern === type || (pattern.endsWith('/*') && type.startsWith(pattern.slice(0, -1))),
  );
}
