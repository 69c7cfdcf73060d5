import { Readable } from 'node:stream';
import type { ByteRange } from './storage.js';

/**
 * Bytes `range.start` to `range.end` of `source`, whose first byte is byte `servedStart` of the object: for a
 * store that answered a range request with more than the range. Ending early destroys `source`.
 */
export function sliceStream(source: Readable, range: ByteRange, servedStart: number): Readable {
  return Readable.from(slice(source, range.start - servedStart, range.end - range.start + 1), { objectMode: false });
}

async function* slice(source: Readable, skip: number, take: number): AsyncGenerator<Buffer> {
  let toSkip = skip;
  let toTake = take;
  for await (const chunk of source) {
    let buffer = chunk as Buffer;
    if (toSkip > 0) {
      const skipped = Math.min(toSkip, buffer.length);
      buffer = buffer.subarray(skipped);
      toSkip -= skipped;
    }
    if (buffer.length === 0) continue;
    const part = buffer.subarray(0, toTake);
    toTake -= part.length;
    yield part;
    if (toTake === 0) return;
  }
}
