const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for HTML element content and double-quoted attribute values. Every user string goes through it. */
export function escapeHtml(value: string | null | undefined): string {
  return (value ?? '').replace(/[&<>"'`]/g, (character) => entities[character]!);
}

/** A tagged template that escapes every interpolated value, unless it is already {@link SafeHtml}. */
export function html(strings: TemplateStringsArray, ...values: (string | number | SafeHtml | null | undefined | readonly SafeHtml[])[]): SafeHtml {
  let out = squash(strings[0]!);
  values.forEach((value, index) => {
    if (value instanceof SafeHtml) out += value.value;
    else if (Array.isArray(value)) out += value.map((item: SafeHtml) => item.value).join('');
    else out += escapeHtml(value === null || value === undefined ? '' : String(value));
    out += squash(strings[index + 1]!);
  });
  return new SafeHtml(out);
}

/** The template's own layout (line breaks and indentation between tags, self-closing slashes) is not sent. */
function squash(markup: string): string {
  return markup
    .replace(/\n\s*/g, ' ')
    .replace(/>\s+</g, '><')
    .replace(/^\s+</, '<')
    .replace(/>\s+$/, '>')
    .replace(/\s*\/?>/g, '>');
}

/** HTML known to be safe: built by {@link html} from escaped values. */
export class SafeHtml {
  constructor(readonly value: string) {}
}
