/**
 * The upload widget's words in the console's languages (see i18n.ts): sizes and percentages go through
 * format.ts, so they are in the language's digits.
 */
import { defineMessages } from './i18n';

export const fileFieldText = defineMessages({
  en: {
    drop: 'Drag a file here, or',
    dropAnother: 'Drag another file here, or',
    dropHere: 'Drop the file to upload it',
    choose: 'Choose file',
    replace: 'Replace',
    remove: 'Remove',
    cancel: 'Cancel upload',
    uploading: 'Uploading {name}: {fraction, number, percent}',
    uploaded: '{name} ({size}) uploaded. Save to keep it.',
    current: 'A file is attached.',
    removed: 'The file will be removed when you save.',
    /** What follows the accepted types (shown first, isolated: they are Latin in every language). */
    limitsUpTo: ', up to {size}.',
    limitsNone: '.',
    anyType: 'Any type',
    /** `image/*`, `video/*`, `audio/*` in words. */
    kind: '{kind, select, image {Images} video {Videos} audio {Audio files} text {Text files} other {{kind}}}',
    tooLarge: 'This file is {size}; the most allowed here is {limit}.',
    wrongType: 'Files of type {type} are not accepted here.',
    wrongBytes: 'The file’s contents are {type}, which is not accepted here. Choose another file.',
    preview: 'Preview of {name}',
  },
  ar: {
    drop: 'اسحب ملفًا إلى هنا، أو',
    dropAnother: 'اسحب ملفًا آخر إلى هنا، أو',
    dropHere: 'أفلت الملف لرفعه',
    choose: 'اختر ملفًا',
    replace: 'استبدال',
    remove: 'إزالة',
    cancel: 'إلغاء الرفع',
    uploading: 'جارٍ رفع {name}: {fraction, number, percent}',
    uploaded: 'تم رفع {name} ({size}). احفظ للإبقاء عليه.',
    current: 'يوجد ملف مرفق.',
    removed: 'ستتم إزالة الملف عند الحفظ.',
    limitsUpTo: '، بحد أقصى {size}.',
    limitsNone: '.',
    anyType: 'أي نوع',
    kind: '{kind, select, image {الصور} video {مقاطع الفيديو} audio {الملفات الصوتية} text {الملفات النصية} other {{kind}}}',
    tooLarge: 'حجم هذا الملف {size}؛ والحد الأقصى المسموح به هنا {limit}.',
    wrongType: 'الملفات من النوع {type} غير مقبولة هنا.',
    wrongBytes: 'محتوى الملف من النوع {type}، وهو غير مقبول هنا. اختر ملفًا آخر.',
    preview: 'معاينة {name}',
  },
});

/** Accepted types for people: `image/png` → `PNG`, `image/*` → `Images`, as a list in the console's language. */
export function describeTypes(accept: readonly string[]): string {
  if (accept.length === 0) return fileFieldText('anyType');
  const name = (type: string) => {
    const [kind = type, subtype = ''] = type.split('/');
    return subtype === '*' ? fileFieldText('kind', { kind }) : subtype.replace(/^x-/, '').toUpperCase();
  };
  return accept.map(name).join(', ');
}
