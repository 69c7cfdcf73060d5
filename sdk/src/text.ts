/**
 * The words the web console derives from a plugin's definition, in ONE place: the console shows them, and a
 * plugin's `translations` are keyed by them (see `translatableStrings` in `@plinth/core/testing`). No imports:
 * the console loads this file alone, as `@plinth/sdk/text`.
 */

/** `custom_fields` → `Custom fields`, `compareAtPrice` → `Compare at price`, `in-stock` → `In stock`. */
export function humanize(name: string): string {
  const words = name
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `Contacts` → `Contact`, `Categories` → `Category`, `Boxes` → `Box`, `Addresses` → `Address`, `Address` stays. */
export function singular(label: string): string {
  if (/ies$/i.test(label)) return label.replace(/ies$/i, 'y');
  if (/(ss|x|ch|sh)es$/i.test(label)) return label.replace(/es$/i, '');
  if (/ss$/i.test(label)) return label;
  return label.replace(/s$/i, '');
}
