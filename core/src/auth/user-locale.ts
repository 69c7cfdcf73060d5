import { ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { Nullable } from '@plinth/sdk';
import { hostLanguages } from '../http/error-language.js';

/** `locale` as `PATCH /me` takes it: a BCP 47 tag in a supported language, or null to follow the tenant and browser. */
export const UserLocaleField = Nullable(
  Type.String({
    minLength: 2,
    maxLength: 35,
    description: `Your console language: a BCP 47 tag in one of ${hostLanguages.join(', ')} (e.g. 'ar' or 'ar-EG'); null follows the tenant and the browser`,
  }),
);

/**
 * The canonical form of a user's language choice (`AR-eg` → `ar-EG`); null stays null. A tag that is not BCP 47 or
 * whose language the host does not support is refused with a 422 naming `locale`.
 */
export function checkUserLocale(tag: string | null): string | null {
  if (tag === null) return null;
  let canonical: string | undefined;
  try {
    [canonical] = Intl.getCanonicalLocales(tag.trim());
  } catch {
    canonical = undefined;
  }
  if (!canonical) throw new ValidationError({ locale: ["must be a BCP 47 language tag, such as 'en' or 'ar-EG'"] });
  const language = new Intl.Locale(canonical).language;
  if (!(hostLanguages as readonly string[]).includes(language))
    throw new ValidationError({ locale: [`must be in a language this host supports: ${hostLanguages.join(', ')}`] });
  return canonical;
}
