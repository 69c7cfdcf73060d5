import { defineMessages } from '../i18n';

/** The words of generated forms: their buttons, notes and the problems found before sending. */
export const t = defineMessages({
  en: {
    add: 'Add {item}',
    remove: 'Remove',
    removeItem: 'Remove {item}',
    moveUp: 'Move up',
    moveDown: 'Move down',
    moveItemUp: 'Move up: {item}',
    moveItemDown: 'Move down: {item}',
    row: '{item} {n}',
    entry: 'Entry {n}',
    chosen: '{label}: chosen',
    key: 'Key',
    value: 'Value',
    addEntry: 'Add entry',
    newItem: 'New {item}',
    noItems: 'None yet.',
    search: 'Search…',
    noResults: 'No results',
    loading: 'Loading…',
    results: '{n, plural, =0 {No results} one {# result} other {# results}}',
    refDenied: 'You may not list these records here: enter the id.',
    refUnknown: 'Unknown record',
    timeZone: 'Time zone: {zone}',
    currency: 'Amount in {currency}',
    percent: 'Percentage',
    hex: '{label} (hex code)',
    notSet: 'Not set',
    on: 'On',
    off: 'Off',
    jsonHint: 'JSON',
    formatting: 'Formatting',
    bold: 'Bold',
    italic: 'Italic',
    link: 'Link',
    bulletList: 'Bulleted list',
    orderedList: 'Numbered list',
    heading: 'Heading',
    linkPrompt: 'Link address (leave empty to remove the link)',
    editorLoading: 'Loading the editor…',
    editorFailed: 'The editor could not be loaded; edit the HTML instead.',
    required: 'Required',
    number: 'Enter a number',
    integer: 'Enter a whole number',
    money:
      '{digits, plural, =0 {Enter a whole amount, without decimals} one {Enter an amount with at most # decimal} other {Enter an amount with at most # decimals}}',
    percentProblem: 'Enter a percentage with at most 2 decimals',
    datetime: 'Enter a date and a time',
    json: 'Invalid JSON at line {line}, column {column}',
    duplicateKey: 'Each key must be different',
    requiredKey: 'Every entry needs a key',
  },
  ar: {
    add: 'إضافة {item}',
    remove: 'إزالة',
    removeItem: 'إزالة {item}',
    moveUp: 'نقل لأعلى',
    moveDown: 'نقل لأسفل',
    moveItemUp: 'نقل لأعلى: {item}',
    moveItemDown: 'نقل لأسفل: {item}',
    row: '{item} {n}',
    entry: 'المدخل {n}',
    chosen: '{label}: المختارة',
    key: 'المفتاح',
    value: 'القيمة',
    addEntry: 'إضافة مدخل',
    newItem: '{item} جديد',
    noItems: 'لا شيء بعد.',
    search: 'بحث…',
    noResults: 'لا نتائج',
    loading: 'جارٍ التحميل…',
    results: '{n, plural, zero {لا نتائج} one {نتيجة واحدة} two {نتيجتان} few {# نتائج} many {# نتيجة} other {# نتيجة}}',
    refDenied: 'لا يحق لك عرض هذه السجلات هنا: أدخل المعرّف.',
    refUnknown: 'سجل غير معروف',
    timeZone: 'المنطقة الزمنية: {zone}',
    currency: 'المبلغ بعملة {currency}',
    percent: 'نسبة مئوية',
    hex: '{label} (رمز سداسي عشري)',
    notSet: 'غير محدد',
    on: 'مفعّل',
    off: 'معطّل',
    jsonHint: 'JSON',
    formatting: 'التنسيق',
    bold: 'غامق',
    italic: 'مائل',
    link: 'رابط',
    bulletList: 'قائمة نقطية',
    orderedList: 'قائمة مرقمة',
    heading: 'عنوان',
    linkPrompt: 'عنوان الرابط (اتركه فارغًا لإزالة الرابط)',
    editorLoading: 'جارٍ تحميل المحرر…',
    editorFailed: 'تعذّر تحميل المحرر؛ حرّر HTML مباشرة.',
    required: 'مطلوب',
    number: 'أدخل رقمًا',
    integer: 'أدخل عددًا صحيحًا',
    money:
      '{digits, plural, zero {أدخل مبلغًا صحيحًا بلا كسور} one {أدخل مبلغًا بمنزلة عشرية واحدة على الأكثر} two {أدخل مبلغًا بمنزلتين عشريتين على الأكثر} other {أدخل مبلغًا بـ # منازل عشرية على الأكثر}}',
    percentProblem: 'أدخل نسبة مئوية بمنزلتين عشريتين على الأكثر',
    datetime: 'أدخل تاريخًا ووقتًا',
    json: 'JSON غير صالح في السطر {line}، العمود {column}',
    duplicateKey: 'يجب أن يختلف كل مفتاح عن الآخر',
    requiredKey: 'كل مدخل يحتاج إلى مفتاح',
  },
});

/** A problem code of `bodyFrom` (`money:2`, `json:3:7`) in the console's language; other text as it is. */
export function describeProblem(problem: string): string {
  const [code, ...args] = problem.split(':');
  switch (code) {
    case 'required':
      return t('required');
    case 'number':
      return t('number');
    case 'integer':
      return t('integer');
    case 'money':
      return t('money', { digits: Number(args[0] ?? 2) });
    case 'percent':
      return t('percentProblem');
    case 'datetime':
      return t('datetime');
    case 'json':
      return t('json', { line: Number(args[0]), column: Number(args[1]) });
    case 'duplicate-key':
      return t('duplicateKey');
    case 'required-key':
      return t('requiredKey');
    default:
      return problem;
  }
}
