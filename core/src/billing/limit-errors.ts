import { limitErrors, type PlinthError } from '@plinth/sdk';

/** Core's limits, by key, with their English and Arabic labels (a plugin's come from its definition). */
export const coreLimitLabels: Readonly<Record<string, { en: string; ar: string }>> = {
  members: { en: 'Members', ar: 'الأعضاء' },
  api_tokens: { en: 'API tokens', ar: 'رموز الواجهة البرمجية' },
  storage_bytes: { en: 'Storage (bytes)', ar: 'التخزين (بايت)' },
  requests_per_minute: { en: 'Requests per minute', ar: 'الطلبات في الدقيقة' },
};

/** What a refusal names: the limit, its label in each language, where the tenant stands and the plan that lifts it. */
export interface LimitRefusal {
  limit: string;
  label: { en: string; ar?: string | undefined };
  max: number;
  used: number;
  /** The key of the cheapest public plan that lifts the limit; absent when none does. */
  upgrade?: string | undefined;
}

/** `Contacts` → `contacts`, leaving an acronym (`API tokens`) as it is. */
function inSentence(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label;
}

/**
 * 409 `limit_reached`: "This organisation has reached its plan limit of 100 contacts", in English and Arabic, with
 * `errors: { limit, max, used, upgrade? }` (each a one-string array, as every `errors` value).
 */
export function limitReached(refusal: LimitRefusal): PlinthError {
  const { limit, label, max, used, upgrade } = refusal;
  return limitErrors.limit_reached(`This organisation has reached its plan limit of ${max} ${inSentence(label.en)}`, {
    errors: { limit: [limit], max: [String(max)], used: [String(used)], ...(upgrade ? { upgrade: [upgrade] } : {}) },
    translations: { ar: `بلغت هذه المؤسسة الحدّ الأقصى في خطتها: ${max} (${label.ar ?? label.en})` },
  });
}
