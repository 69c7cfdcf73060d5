import { currencyFieldKeyword, fileRefKeyword, formWidgets, refKeyword, richTextAttributes, richTextTags, widgetKeyword } from '@plinth/sdk';
import type { Ajv, KeywordDefinition } from 'ajv';
import sanitizeHtml from 'sanitize-html';

const richTextOptions: sanitizeHtml.IOptions = {
  allowedTags: [...richTextTags],
  allowedAttributes: Object.fromEntries(Object.entries(richTextAttributes).map(([tag, names]) => [tag, [...names]])),
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'], video: ['http', 'https'], source: ['http', 'https'] },
  // `source` is a void element, written without an end tag.
  selfClosing: [...sanitizeHtml.defaults.selfClosing, 'source'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // What editors and pasted documents often write, kept as the allowed tag of the same meaning.
  transformTags: { b: 'strong', i: 'em', strike: 's', del: 's', h1: 'h2' },
};

/**
 * Rich text as the kernel keeps it (the SDK's `RichText`, `x-plinth-widget: 'richtext'`): only the SDK's
 * `richTextTags` and `richTextAttributes`, links with an `http`, `https`, `mailto` or `tel` URL, media over http(s). Scripts, styles,
 * event handlers and `javascript:` URLs are removed; the text of other elements stays.
 */
export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html, richTextOptions);
}

/** Where ajv found the value a keyword checks (ajv's `DataValidationCxt`, which its entry point does not export). */
interface DataPlace {
  parentData?: Record<string | number, unknown>;
  parentDataProperty: string | number;
}

function sanitizeInPlace(data: unknown, place?: DataPlace): boolean {
  if (typeof data === 'string' && place?.parentData !== undefined) {
    const clean = sanitizeRichText(data);
    if (clean !== data) place.parentData[place.parentDataProperty] = clean;
  }
  return true;
}
const accept = () => true;

/**
 * The SDK's form annotations as ajv keywords. They never reject a value; a malformed annotation (an unknown
 * widget, a reference without `resource`) fails to compile, so it stops the boot like any bad schema. A
 * `richtext` widget sanitises the value where it stands (a property or an array item: a whole body that is
 * one string is not).
 */
function formKeywords(sanitize: boolean): KeywordDefinition[] {
  return [
    { keyword: fileRefKeyword },
    {
      keyword: widgetKeyword,
      metaSchema: { enum: [...formWidgets] },
      modifying: sanitize,
      errors: false,
      compile: (widget: string) => (sanitize && widget === 'richtext' ? sanitizeInPlace : accept),
    },
    {
      keyword: refKeyword,
      metaSchema: {
        type: 'object',
        required: ['resource'],
        additionalProperties: false,
        properties: {
          resource: { type: 'string', pattern: '^/[a-z0-9/_-]+$' },
          value: { type: 'string', minLength: 1 },
          label: { type: 'string', minLength: 1 },
          detail: { type: 'string', minLength: 1 },
          search: { type: 'string', minLength: 1 },
        },
      },
    },
    { keyword: currencyFieldKeyword, metaSchema: { type: 'string', minLength: 1 } },
  ];
}

/**
 * Teaches `ajv` the form annotations (see {@link formKeywords}); with `sanitize: false` (checking what the
 * server answers) rich text is left as it is.
 */
export function addFormKeywords(ajv: Ajv, options: { sanitize?: boolean } = {}): Ajv {
  ajv.addVocabulary(formKeywords(options.sanitize ?? true));
  return ajv;
}
