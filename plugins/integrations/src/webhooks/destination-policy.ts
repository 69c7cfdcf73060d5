import type { HttpClient } from '@plinth/sdk';
import { urlProblems } from './endpoint-store.js';

/**
 * Why the server may not call `value` (a webhook URL, a store's base URL), as field messages; empty when it may.
 * Checked when the URL is registered or changed: its form, then the kernel's outbound guard (`coreServices.http`:
 * IP literals in any notation, names of the machine itself or of internal networks, what the name resolves to
 * now). Every delivery checks the address again, since DNS can change.
 */
export async function destinationProblems(value: string, http: HttpClient): Promise<string[]> {
  const problems = urlProblems(value);
  if (problems.length > 0) return problems;
  const refusal = await http.check(value);
  return refusal ? [refusal] : [];
}
