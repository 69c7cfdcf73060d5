/**
 * The upload widget's words in the console's languages. The console takes its language and direction from the
 * document (`<html lang dir>`); the widget follows them as they change, and formats numbers for that language.
 */
import { useEffect, useState } from 'preact/hooks';

export interface FileFieldText {
  drop: string;
  dropAnother: string;
  dropHere: string;
  choose: string;
  replace: string;
  remove: string;
  cancel: string;
  uploading(name: string, percent: string): string;
  uploaded(name: string, size: string): string;
  current: string;
  removed: string;
  /** What follows the accepted types (shown first, isolated: they are Latin in every language). */
  limits(size: string | undefined): string;
  anyType: string;
  /** `image/*`, `video/*`, `audio/*` in words. */
  kinds: Record<string, string>;
  tooLarge(size: string, limit: string): string;
  wrongType(type: string): string;
  wrongBytes(type: string): string;
  preview(name: string): string;
  units: [string, string, string, string];
}

const en: FileFieldText = {
  drop: 'Drag a file here, or',
  dropAnother: 'Drag another file here, or',
  dropHere: 'Drop the file to upload it',
  choose: 'Choose file',
  replace: 'Replace',
  remove: 'Remove',
  cancel: 'Cancel upload',
  uploading: (name, percent) => `Uploading ${name}: ${percent}`,
  uploaded: (name, size) => `${name} (${size}) uploaded. Save to keep it.`,
  current: 'A file is attached.',
  removed: 'The file will be removed when you save.',
  limits: (size) => (size ? `, up to ${size}.` : '.'),
  anyType: 'Any type',
  kinds: { image: 'Images', video: 'Videos', audio: 'Audio files', text: 'Text files' },
  tooLarge: (size, limit) => `This file is ${size}; the most allowed here is ${limit}.`,
  wrongType: (type) => `Files of type ${type || 'unknown'} are not accepted here.`,
  wrongBytes: (type) => `The file’s contents are ${type}, which is not accepted here. Choose another file.`,
  preview: (name) => `Preview of ${name}`,
  units: ['bytes', 'KB', 'MB', 'GB'],
};

const ar: FileFieldText = {
  drop: 'اسحب ملفًا إلى هنا، أو',
  dropAnother: 'اسحب ملفًا آخر إلى هنا، أو',
  dropHere: 'أفلت الملف لرفعه',
  choose: 'اختر ملفًا',
  replace: 'استبدال',
  remove: 'إزالة',
  cancel: 'إلغاء الرفع',
  uploading: (name, percent) => `جارٍ رفع ${name}: ${percent}`,
  uploaded: (name, size) => `تم رفع ${name} (${size}). احفظ للإبقاء عليه.`,
  current: 'يوجد ملف مرفق.',
  removed: 'ستتم إزالة الملف عند الحفظ.',
  limits: (size) => (size ? `، بحد أقصى ${size}.` : '.'),
  anyType: 'أي نوع',
  kinds: { image: 'الصور', video: 'مقاطع الفيديو', audio: 'الملفات الصوتية', text: 'الملفات النصية' },
  tooLarge: (size, limit) => `حجم هذا الملف ${size}؛ والحد الأقصى المسموح به هنا ${limit}.`,
  wrongType: (type) => `الملفات من النوع ${type || 'غير المعروف'} غير مقبولة هنا.`,
  wrongBytes: (type) => `محتوى الملف من النوع ${type}، وهو غير مقبول هنا. اختر ملفًا آخر.`,
  preview: (name) => `معاينة ${name}`,
  units: ['بايت', 'كيلوبايت', 'ميغابايت', 'غيغابايت'],
};

const catalogue: Record<string, FileFieldText> = { en, ar };

/** The document's language (`ar`, `en`), following changes of `<html lang>`. */
export function useDocumentLanguage(): string {
  const read = () => document.documentElement.lang || 'en';
  const [language, setLanguage] = useState(read);
  useEffect(() => {
    const observer = new MutationObserver(() => setLanguage(read()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang', 'dir'] });
    return () => observer.disconnect();
  }, []);
  return language;
}

/** The widget's words for a language (English when the console has none in it). */
export function fileFieldText(language: string): FileFieldText {
  return catalogue[language.toLowerCase().split('-')[0]!] ?? en;
}

/** A size for people: `12 KB`, `3.4 MB`, in the language's digits. */
export function formatBytes(bytes: number, language: string, text: FileFieldText): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < text.units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const number = new Intl.NumberFormat(language, { maximumFractionDigits: unit === 0 || value >= 10 ? 0 : 1 }).format(value);
  return `${number} ${text.units[unit]}`;
}

/** A share as a percentage in the language's digits and sign. */
export function formatPercent(fraction: number, language: string): string {
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

/** Accepted types for people: `image/png` → `PNG`, `image/*` → `Images`. */
export function describeTypes(accept: readonly string[], text: FileFieldText): string {
  if (accept.length === 0) return text.anyType;
  const name = (type: string) => {
    const [kind = type, subtype = ''] = type.split('/');
    return subtype === '*' ? (text.kinds[kind] ?? type) : subtype.replace(/^x-/, '').toUpperCase();
  };
  return accept.map(name).join(', ');
}
