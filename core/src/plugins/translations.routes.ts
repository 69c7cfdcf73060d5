import { createHash } from 'node:crypto';
import { commonErrors, NotFoundError, RawReply, Reply, Type, type Plugin } from '@plinth/sdk';
import { hostLanguages } from '../http/error-language.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';

/**
 * Every installed plugin's translations into `tag`, by plugin: its catalogue for the language (`ar`) with the
 * catalogue for the exact tag (`ar-EG`) over it. Plugins without any are left out.
 */
export function pluginTranslations(plugins: readonly Plugin[], tag: string): Record<string, Record<string, string>> {
  const language = new Intl.Locale(tag).language;
  const result: Record<string, Record<string, string>> = {};
  for (const plugin of plugins) {
    const catalogue = { ...plugin.translations?.[language], ...(tag === language ? {} : plugin.translations?.[tag]) };
    if (Object.keys(catalogue).length > 0) result[plugin.name] = catalogue;
  }
  return result;
}

/** The canonical form of a BCP 47 tag (`AR-eg` → `ar-EG`), or undefined when it is not one. */
function canonicalTag(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** The answers by tag, computed once: plugins only change at boot. */
const answers = new WeakMap<readonly Plugin[], Map<string, { data: Record<string, Record<string, string>>; etag: string }>>();

const translations = defineRoute({
  method: 'GET',
  path: '/translations/:language',
  summary: "Every installed plugin's console text in a language: plugin → English text → translation (English needs none)",
  tag: 'plugins',
  public: true,
  schema: {
    params: Type.Object(
      {
        language: Type.String({
          minLength: 2,
          maxLength: 35,
          pattern: '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$',
          description: `A BCP 47 tag in a language this host speaks (${hostLanguages.join(', ')}), e.g. 'ar' or 'ar-EG'`,
        }),
      },
      { additionalProperties: false },
    ),
    response: Type.Record(Type.String(), Type.Record(Type.String(), Type.String()), {
      description: 'Plugin name → { English text as the console shows it: its translation }',
    }),
  },
  deps: { plugins: kernelRefs.plugins },
  errors: [commonErrors.not_found],
  async handler({ params, deps, ctx }) {
    const tag = canonicalTag(params.language);
    if (!tag || !(hostLanguages as readonly string[]).includes(new Intl.Locale(tag).language))
      throw new NotFoundError(`This host has no console text in ${params.language}; it speaks ${hostLanguages.join(', ')}`);
    const installed = deps.plugins.plugins;
    // Cached by the catalogue that answers, not by the tag asked: a regional tag no plugin has (`ar-XY`, `ar-001`…) is
    // its language's answer, so anonymous callers cannot grow the cache with made-up tags.
    const key = installed.some((plugin) => plugin.translations?.[tag]) ? tag : new Intl.Locale(tag).language;
    let byTag = answers.get(installed);
    if (!byTag) answers.set(installed, (byTag = new Map()));
    let answer = byTag.get(key);
    if (!answer) {
      const data = pluginTranslations(installed, key);
      answer = { data, etag: `"${createHash('sha256').update(JSON.stringify(data)).digest('base64url').slice(0, 32)}"` };
      byTag.set(key, answer);
    }
    const headers = { etag: answer.etag, 'cache-control': 'public, no-cache', vary: 'accept-encoding' };
    const ifNoneMatch = ctx.get('if-none-match');
    if (ifNoneMatch && ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === answer.etag)) return new RawReply(304, '', headers);
    return Reply.ok(answer.data).withHeaders(headers);
  },
});

/** The public route the console reads plugins' translations from. */
export const translationRoutes: CoreRoute[] = [translations];
