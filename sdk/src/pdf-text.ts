import { existsSync } from 'node:fs';

/**
 * Text for PDFs in any of the host's languages (shared by the shop's invoices and the kernel's reports; no pdfkit
 * here). pdfkit shapes Arabic (through fontkit) but has no bidirectional algorithm: it lays out a whole string in
 * one direction. So a line is cut into runs of one direction, each laid out on its own, and the runs are placed in
 * visual order — enough for table cells (a label, a product name, an amount), not a full Unicode bidi
 * implementation (no nesting, no mirrored brackets).
 */

/** Letters of right-to-left scripts (Arabic, Hebrew, Syriac, Thaana and their presentation forms); digits excluded. */
const rtlLetter = /[\u0590-\u05FF\u0600-\u065F\u066E-\u06EF\u06FA-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;
/**
 * Letters and digits of left-to-right text (and Arabic-Indic digits, which read left to right), and currency signs,
 * which stay with their amount (`25.00 US$` is one run).
 */
const ltrLetter = /[\p{L}\p{N}\p{Sc}]/u;
/** Invisible direction marks Intl puts into Arabic numbers and dates: the runs already carry the direction. */
const marks = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** A run of one direction, in logical order. */
export interface TextRun {
  text: string;
  rtl: boolean;
}

/**
 * Cuts a line into direction runs and returns them in visual order (left to right on the page), right-to-left runs
 * cut into words. Neutral characters (spaces, punctuation) between two runs of the same direction join them;
 * elsewhere they take the paragraph's.
 */
export function visualRuns(text: string, paragraphRtl: boolean): TextRun[] {
  const clean = text.replace(marks, '');
  const characters = [...clean];
  // A sign before a digit stays with its number (`-5.00 US$`).
  const classes = characters.map((character, index) =>
    rtlLetter.test(character) ? 'R' : ltrLetter.test(character) || (/[-+\u2212]/.test(character) && /\d/.test(characters[index + 1] ?? '')) ? 'L' : 'N',
  );
  const resolved = classes.map((kind, index) => {
    if (kind !== 'N') return kind;
    const before = classes
      .slice(0, index)
      .reverse()
      .find((other) => other !== 'N');
    const after = classes.slice(index + 1).find((other) => other !== 'N');
    return before && before === after ? before : paragraphRtl ? 'R' : 'L';
  });
  const runs: TextRun[] = [];
  characters.forEach((character, index) => {
    const rtl = resolved[index] === 'R';
    const last = runs[runs.length - 1];
    if (last && last.rtl === rtl) last.text += character;
    else runs.push({ text: character, rtl });
  });
  const visual = paragraphRtl ? runs.reverse() : runs;
  // pdfkit places the words of one text call left to right: a right-to-left run goes word by word, last word first.
  return visual.flatMap((run) =>
    run.rtl
      ? run.text
          .split(/(\s+)/)
          .filter(Boolean)
          .reverse()
          .map((text) => ({ text, rtl: true }))
      : [run],
  );
}

/** Font files: a regular and a bold face covering Latin and, when it can, Arabic. */
export interface PdfFonts {
  regular: string;
  bold: string;
  /** Whether the faces have Arabic glyphs (else Arabic text cannot be rendered). */
  arabic: boolean;
}

// Faces that cover Latin and Arabic in one file (Noto splits them by script, so a Noto pair would need a face per run).
const candidates: PdfFonts[] = [
  { regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', arabic: true },
  { regular: '/usr/share/fonts/dejavu/DejaVuSans.ttf', bold: '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf', arabic: true },
];

let found: PdfFonts | null | undefined;

/**
 * The first installed font pair, or null: PDFs then use the built-in Helvetica, which has no Arabic glyphs.
 * `PLINTH_PDF_FONT` / `PLINTH_PDF_FONT_BOLD` name one first, then the system's DejaVu Sans, then `extra` (the
 * kernel passes the `dejavu-fonts-ttf` package's faces; the SDK depends on no font package). The first pair found
 * is remembered.
 *
 * @example
 * ```ts
 * const fonts = pdfFonts();
 * if (fonts) doc.registerFont('body', fonts.regular).registerFont('bold', fonts.bold);
 * ```
 */
export function pdfFonts(extra: readonly PdfFonts[] = []): PdfFonts | null {
  if (found) return found;
  const configured = process.env.PLINTH_PDF_FONT
    ? [{ regular: process.env.PLINTH_PDF_FONT, bold: process.env.PLINTH_PDF_FONT_BOLD ?? process.env.PLINTH_PDF_FONT, arabic: true }]
    : [];
  found = [...configured, ...candidates, ...extra].find((pair) => existsSync(pair.regular) && existsSync(pair.bold)) ?? null;
  return found;
}
