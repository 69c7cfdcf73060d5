/**
 * Reads an amount typed in a currency's major unit (`12.5`, `12,50`, `١٢٫٥٠`) as minor units for that currency's
 * digits: `undefined` when it is not a plain amount or has more decimals than the currency allows. Integers only,
 * no floating point: `0.1 + 0.2` must not decide what a buyer gets back.
 */
export function parseAmount(text: string, digits: number): number | undefined {
  const western = text
    .trim()
    .replace(/[\u0660-\u0669]/g, (digit) => String(digit.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (digit) => String(digit.charCodeAt(0) - 0x06f0))
    .replace(/[\u066b,]/g, '.');
  const match = /^(\d{1,12})(?:\.(\d*))?$/.exec(western);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}
