import type { Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';

/**
 * The tenant archive's container: a gzip-compressed POSIX tar (ustar) of regular files, written and read as streams,
 * so neither side ever holds a part in memory. Core builds it with node:zlib and the ~100 lines below rather than the
 * `tar` package, which node_modules holds only as another package's dependency (not declared by core).
 */

/** A problem with the archive itself (damaged, truncated, not an archive): its message is all the operator needs. */
export class TransferError extends Error {
  override name = 'TransferError';
}

/** One file to put into the archive: its size must be known before its bytes (tar writes it in the header). */
export interface ArchiveEntry {
  name: string;
  size: number;
  body: AsyncIterable<Buffer>;
}

/** One file read back from the archive; its `body` must be read (or left) before the next entry is asked for. */
export interface ReadEntry {
  name: string;
  size: number;
  body: AsyncIterable<Buffer>;
}

const block = 512;
/** The largest size an 11-digit octal header field holds (8 GiB - 1). */
const maxEntrySize = 8 ** 11 - 1;

/** Writes the entries `entries` yields, in order, to `file` (which must not exist) as a .tar.gz. */
export async function writeArchive(file: string, entries: AsyncIterable<ArchiveEntry>): Promise<void> {
  await pipeline(Readable.from(tarStream(entries)), createGzip(), createWriteStream(file, { flags: 'wx' }));
}

async function* tarStream(entries: AsyncIterable<ArchiveEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    yield header(entry.name, entry.size);
    let written = 0;
    for await (const chunk of entry.body) {
      written += chunk.length;
      if (written > entry.size) break;
      yield chunk;
    }
    if (written !== entry.size) throw new TransferError(`${entry.name} changed while it was archived (${written} bytes instead of ${entry.size})`);
    const padding = (block - (entry.size % block)) % block;
    if (padding > 0) yield Buffer.alloc(padding);
  }
  yield Buffer.alloc(block * 2);
}

/** A ustar header of a regular file; a name longer than 100 bytes is split into the 155-byte prefix at a `/`. */
function header(name: string, size: number): Buffer {
  if (!Number.isSafeInteger(size) || size < 0 || size > maxEntrySize) throw new TransferError(`${name} is too large for the archive (${size} bytes)`);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100 || Buffer.byteLength(name.slice(0, cut)) > 155) {
      throw new TransferError(`the name ${name} is too long for the archive`);
    }
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  const buffer = Buffer.alloc(block);
  buffer.write(base, 0, 100, 'utf8');
  buffer.write('0000644\0', 100, 'ascii');
  buffer.write('0000000\0', 108, 'ascii');
  buffer.write('0000000\0', 116, 'ascii');
  buffer.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  buffer.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
    'ascii',
  );
  buffer.write('        ', 148, 'ascii');
  buffer.write('0', 156, 'ascii');
  buffer.write('ustar\u000000', 257, 'ascii');
  buffer.write(prefix, 345, 155, 'utf8');
  buffer.write(`${checksumOf(buffer).toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return buffer;
}

function checksumOf(headerBlock: Buffer): number {
  let sum = 0;
  for (let index = 0; index < block; index++) sum += index >= 148 && index < 156 ? 32 : headerBlock[index]!;
  return sum;
}

/**
 * The entries of the .tar.gz `file`, one at a time. Anything that is not a well-formed archive of regular files (a
 * bad header checksum, a truncated body, a link or device) throws a {@link TransferError}.
 */
export async function* readArchive(file: string): AsyncGenerator<ReadEntry> {
  const source = createReadStream(file).pipe(createGunzip());
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  try {
    for (;;) {
      const head = await reader.exact(block, true);
      if (!head || head.every((byte) => byte === 0)) return;
      const entry = parseHeader(head);
      let left = entry.size;
      const body = reader.take(entry.size, (taken) => (left -= taken));
      yield { name: entry.name, size: entry.size, body };
      // Whatever the reader left of the body is skipped, then its padding.
      for await (const _chunk of reader.take(left)) void _chunk;
      await reader.exact((block - (entry.size % block)) % block);
    }
  } catch (error) {
    if (error instanceof TransferError) throw error;
    throw new TransferError(`the archive cannot be read (${(error as Error).message}); is it a file "plinth tenant export" wrote?`);
  } finally {
    source.destroy();
  }
}

function parseHeader(head: Buffer): { name: string; size: number } {
  const field = (start: number, length: number) => head.toString('utf8', start, start + length).replace(/\0.*$/s, '');
  const stored = Number.parseInt(field(148, 8).trim(), 8);
  if (stored !== checksumOf(head)) throw new TransferError('the archive has a damaged header; it is not a complete "plinth tenant export" archive');
  const type = field(156, 1);
  const prefix = field(345, 155);
  const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
  if (type !== '0' && type !== '') throw new TransferError(`the archive holds ${name}, which is not a regular file`);
  const size = Number.parseInt(field(124, 12).trim(), 8);
  if (!Number.isSafeInteger(size) || size < 0) throw new TransferError(`the archive gives ${name} a bad size`);
  return { name, size };
}

/** Exact reads over a stream of chunks. */
class ByteReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  /** The next `count` bytes; at the very end of the stream, undefined when `endOk`. */
  async exact(count: number, endOk: true): Promise<Buffer | undefined>;
  async exact(count: number): Promise<Buffer>;
  async exact(count: number, endOk = false): Promise<Buffer | undefined> {
    while (this.pending.length < count) {
      if (!(await this.fill())) {
        if (endOk && this.pending.length === 0) return undefined;
        throw new TransferError('the archive ends in the middle of an entry (truncated?)');
      }
    }
    const out = this.pending.subarray(0, count);
    this.pending = this.pending.subarray(count);
    return out;
  }

  /** The next `count` bytes as chunks; `onTaken` hears of each chunk's length. */
  async *take(count: number, onTaken: (taken: number) => void = () => undefined): AsyncGenerator<Buffer> {
    let left = count;
    while (left > 0) {
      if (this.pending.length === 0 && !(await this.fill())) throw new TransferError('the archive ends in the middle of an entry (truncated?)');
      const piece = this.pending.subarray(0, Math.min(left, this.pending.length));
      this.pending = this.pending.subarray(piece.length);
      left -= piece.length;
      onTaken(piece.length);
      yield piece;
    }
  }

  private async fill(): Promise<boolean> {
    const next = await this.chunks.next();
    if (next.done) return false;
    this.pending = this.pending.length === 0 ? (next.value as Buffer) : Buffer.concat([this.pending, next.value as Buffer]);
    return true;
  }
}

/** The lines of a body of UTF-8 text (without their `\n`), one at a time. */
export async function* linesOf(body: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of body) {
    const text = rest + decoder.write(chunk);
    const lines = text.split('\n');
    rest = lines.pop()!;
    yield* lines;
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}

/** Passes `body` through, feeding each chunk to `hash` (a sha256 the caller reads once the body is done). */
export async function* hashed(body: AsyncIterable<Buffer>, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
}
