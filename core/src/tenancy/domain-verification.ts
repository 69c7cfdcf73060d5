import { Resolver } from 'node:dns/promises';

/** Looks up the TXT records of a host name: each record as its character-string chunks, as `dns.resolveTxt` gives them. */
export type TxtLookup = (domain: string) => Promise<string[][]>;

const resolver = new Resolver({ timeout: 3000, tries: 2 });
let lookupTxt: TxtLookup = (domain) => resolver.resolveTxt(domain);

/** The TXT record value that proves control of a custom domain. */
export function verificationRecord(token: string): string {
  return `plinth-verification=${token}`;
}

/** Whether `domain` carries the TXT record `plinth-verification=<token>`; an unanswered or failed lookup counts as no. */
export async function hasVerificationRecord(domain: string, token: string): Promise<boolean> {
  const expected = verificationRecord(token);
  try {
    const records = await lookupTxt(domain);
    return records.some((chunks) => chunks.join('') === expected);
  } catch {
    return false;
  }
}

/**
 * Replaces the DNS lookup, for tests (which cannot publish DNS records);
 * returns a function that restores the previous one.
 */
export function setTxtLookupForTests(lookup: TxtLookup): () => void {
  const previous = lookupTxt;
  lookupTxt = lookup;
  return () => {
    lookupTxt = previous;
  };
}
