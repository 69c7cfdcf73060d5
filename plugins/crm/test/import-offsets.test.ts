import { describe, expect, it } from 'vitest';
import { parseChunkText, parseImport } from '../src/services/import-rows.js';

const options = { definitions: [], membersByEmail: new Map<string, string>(), mapping: undefined };

/** Each chunk of `csv` read as the job reads a stored file: the header's bytes and the chunk's bytes, by offset. */
function chunksByBytes(csv: string, chunkRows: number) {
  const parsed = parseImport(csv, { ...options, chunkRows });
  const bytes = Buffer.from(csv, 'utf8');
  const header = bytes.subarray(0, parsed.chunkOffsets[0]).toString('utf8');
  const invalidLines = new Set(parsed.invalidLines);
  const chunks = parsed.chunkLines.map((fromLine, chunk) => {
    const text = bytes.subarray(parsed.chunkOffsets[chunk], parsed.chunkOffsets[chunk + 1] ?? bytes.length).toString('utf8');
    return parseChunkText({ header, chunk: text }, { fromLine, firstIndex: chunk * chunkRows }, { ...options, invalidLines });
  });
  return { parsed, chunks };
}

describe('reading an import chunk by byte range', () => {
  it('finds the rows of the whole file, with a BOM, CRLF, multi-byte text, blank lines and quoted line breaks', () => {
    const lines = ['\uFEFFname,email,company'];
    for (let i = 0; i < 23; i++) lines.push(`"Zoë 😀 ${i}",p${i}@example.org,"Ünïcode\r\nLtd ${i}"`);
    lines.splice(5, 0, 'Broken,not-an-email,x', '');
    const csv = `${lines.join('\r\n')}\r\n`;
    const { parsed, chunks } = chunksByBytes(csv, 5);
    expect(chunks).toHaveLength(5);
    expect(chunks.flat()).toEqual(parsed.rows);
    expect(parsed.rows).toHaveLength(23);
    expect(parsed.rows[22]).toMatchObject({ name: 'Zoë 😀 22', email: 'p22@example.org', company: 'Ünïcode\r\nLtd 22' });
  });

  it('reads a file without a final line break, and LF-only files', () => {
    for (const csv of ['email,name\na@example.org,Ä\nb@example.org,B', 'email,name\na@example.org,Ä\nb@example.org,B\n']) {
      const { parsed, chunks } = chunksByBytes(csv, 1);
      expect(chunks.flat()).toEqual(parsed.rows);
      expect(parsed.rows.map((row) => row.name)).toEqual(['Ä', 'B']);
    }
  });
});
