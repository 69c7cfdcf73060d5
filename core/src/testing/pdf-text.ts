import { inflateSync } from 'node:zlib';

/**
 * The text of a PDF as pdfkit writes it (embedded fonts, glyph ids in hex strings, a ToUnicode map per font), one
 * line per text-showing operator, in the order drawn. Enough to check what an invoice or a report says in tests;
 * not a general PDF reader. Right-to-left runs come out in visual order (reversed).
 */
export function pdfText(pdf: Buffer): string {
  const source = pdf.toString('latin1');
  const objects = new Map<string, { dict: string; stream: Buffer | null }>();
  for (const match of source.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) {
    const body = match[2]!;
    const streamAt = body.indexOf('stream');
    let stream: Buffer | null = null;
    if (streamAt >= 0) {
      const start = body.indexOf('\n', streamAt) + 1;
      // The dictionary's /Length, not the text before `endstream`: compressed bytes may themselves end in a newline.
      const length = Number(/\/Length (\d+)/.exec(body.slice(0, streamAt))?.[1] ?? Number.NaN);
      const end = Number.isFinite(length) ? start + length : body.lastIndexOf('endstream');
      const raw = Buffer.from(body.slice(start, end), 'latin1');
      stream = body.slice(0, streamAt).includes('/FlateDecode') ? inflateSync(raw) : raw;
    }
    objects.set(match[1]!, { dict: streamAt >= 0 ? body.slice(0, streamAt) : body, stream });
  }
  const ref = (dict: string, key: string) => new RegExp(`/${key} (\\d+) 0 R`).exec(dict)?.[1];

  const cmaps = new Map<string, Map<number, string>>();
  const cmapOf = (fontId: string): Map<number, string> => {
    let map = cmaps.get(fontId);
    if (map) return map;
    map = new Map();
    const cmapId = ref(objects.get(fontId)?.dict ?? '', 'ToUnicode');
    const text = cmapId ? (objects.get(cmapId)?.stream?.toString('latin1') ?? '') : '';
    const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');
    for (const range of text.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*\[([^\]]*)\]/gi)) {
      const first = parseInt(range[1]!, 16);
      // One entry per glyph; a ligature maps to several code units (`<0644 0625>`).
      [...range[3]!.matchAll(/<([0-9a-f\s]*)>/gi)].forEach((entry, index) => map!.set(first + index, utf16(entry[1]!.replace(/\s/g, ''))));
    }
    for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
      for (const pair of block[1]!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>/gi)) map.set(parseInt(pair[1]!, 16), utf16(pair[2]!));
    }
    cmaps.set(fontId, map);
    return map;
  };

  const lines: string[] = [];
  for (const { dict } of objects.values()) {
    if (!/\/Type \/Page\b/.test(dict)) continue;
    const contents = objects.get(ref(dict, 'Contents') ?? '')?.stream?.toString('latin1') ?? '';
    const resources = objects.get(ref(dict, 'Resources') ?? '')?.dict ?? dict;
    const fontsDict = /\/Font\s*<<([\s\S]*?)>>/.exec(resources)?.[1] ?? '';
    const fonts = new Map([...fontsDict.matchAll(/\/(\S+) (\d+) 0 R/g)].map((match) => [match[1]!, match[2]!]));
    let font = '';
    for (const op of contents.matchAll(/\/(\S+) [\d.]+ Tf|\[((?:[^\]])*)\] TJ|<([0-9a-f]*)> Tj/gi)) {
      if (op[1]) {
        font = fonts.get(op[1]) ?? '';
        continue;
      }
      const hexes = op[2] !== undefined ? [...op[2].matchAll(/<([0-9a-f]*)>/gi)].map((match) => match[1]!) : [op[3]!];
      const map = cmapOf(font);
      lines.push(hexes.map((hex) => (hex.match(/.{4}/g) ?? []).map((code) => map.get(parseInt(code, 16)) ?? '\uFFFD').join('')).join(''));
    }
  }
  return lines.join('\n');
}
