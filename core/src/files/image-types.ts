/**
 * Which uploads get image variants, decided without loading sharp (about 30 MB resident once loaded, so it is
 * loaded by the first variants job, not at boot).
 */

/** Sniffed types the shipped sharp reads. Never SVG: it can run script, so it is served as an attachment, never rasterised. */
const sourceTypes = new Set(['image/jpeg', 'image/png', 'image/apng', 'image/webp', 'image/gif', 'image/avif', 'image/tiff']);

/**
 * Whether an image of this (sniffed) content type gets variants. Not HEIC/HEIF: the prebuilt sharp reads AVIF alone
 * of the HEIF family (HEVC is patent-encumbered).
 */
export function isVariantSource(contentType: string): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return sourceTypes.has(type);
}
