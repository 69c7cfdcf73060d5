import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import sharp, { type OutputInfo, type Sharp } from 'sharp';
import type { ObjectStorage } from './storage.js';

/**
 * The image can never give variants (corrupt, truncated, not an image sharp reads, or gone from the store):
 * retrying will not help, so the job records it and stops. Storage failures are never this error: they retry.
 */
export class ImageUnreadable extends Error {
  override name = 'ImageUnreadable';
}

/** The image is past the limits (pixels or bytes): a decompression bomb is refused from its header, before any decoding. */
export class ImageTooLarge extends ImageUnreadable {
  override name = 'ImageTooLarge';
}

/** One variant: the box it fits inside (never upscaled), and the WebP effort it is encoded with. */
export interface ImageVariantSpec {
  maxWidth: number;
  maxHeight: number;
  /** libwebp's effort (0–6): above 2 it keeps much more per pixel (3× for a noisy photo), so the full-size rendition stays at 2. */
  effort: number;
}

/** WebP's largest side: the `webp` rendition of a wider image is scaled down to it. */
const webpMaxSide = 16_383;

/**
 * The variants every image gets, all WebP, orientation applied and metadata stripped; made in this order, largest
 * first: its peak then comes before the small ones leave freed memory behind (138 MB over the baseline for a
 * 6000×4000 JPEG, against 148 MB the other way round).
 */
export const imageVariants = {
  /** The original size (within WebP's limit), for browsers that take WebP over a heavy JPEG or PNG. */
  webp: { maxWidth: webpMaxSide, maxHeight: webpMaxSide, effort: 2 },
  medium: { maxWidth: 1024, maxHeight: 1024, effort: 4 },
  thumb: { maxWidth: 200, maxHeight: 200, effort: 4 },
} as const satisfies Record<string, ImageVariantSpec>;

export type ImageVariantName = keyof typeof imageVariants;

/** A stored variant. */
export interface ImageVariant {
  key: string;
  contentType: string;
  size: number;
  width: number;
  height: number;
}

/** The original's dimensions (as displayed, orientation applied) and its stored variants. */
export interface ImageVariants {
  width: number;
  height: number;
  variants: Record<ImageVariantName, ImageVariant>;
}

export interface ImageLimits {
  /**
   * Largest image, in pixels (default 64 megapixels: a 50 MP camera passes). Memory grows with it (about 5.5 bytes
   * a pixel at the peak, the full-size WebP encode), so it is the bound on what a variants job may take.
   */
  maxPixels?: number;
  /** Largest original, in bytes (default 100 MiB): sharp holds the compressed original in memory while it works. */
  maxBytes?: number;
}

const defaultMaxPixels = 64_000_000;
const defaultMaxBytes = 100 * 1024 * 1024;

export { isVariantSource } from './image-types.js';

// One image at a time per process: the peak memory of a variants job is that of one image, whatever the job
// concurrency. libvips' operation cache keeps decoded tiles for a reuse that never comes (every job is a new image).
const oneAtATime = pLimit(1);
let sharpConfigured = false;

/**
 * Makes the {@link imageVariants} of the image under `source.key` and stores each under `keyOf(variant)`, as WebP.
 * The original is read once from the store, streamed into sharp, and each variant is a `clone()` of that input
 * (its own libvips pipeline, run one after another; JPEG shrink-on-load makes the small ones cheap). Orientation
 * comes from EXIF; no metadata survives (EXIF, GPS, XMP, ICC: colours are converted to sRGB). GIFs and other
 * multi-page images give their first frame.
 *
 * Rejects with {@link ImageTooLarge} or {@link ImageUnreadable} for an image that will never work (after removing
 * any variant it stored), and with the store's own error when storage fails (worth a retry).
 */
export function makeVariants(
  storage: ObjectStorage,
  source: { key: string; contentType: string },
  keyOf: (variant: string) => string,
  limits: ImageLimits = {},
): Promise<ImageVariants> {
  if (!sharpConfigured) {
    sharp.cache(false);
    sharpConfigured = true;
  }
  return oneAtATime(() => variantsOf(storage, source.key, keyOf, limits));
}

async function variantsOf(storage: ObjectStorage, key: string, keyOf: (variant: string) => string, limits: ImageLimits): Promise<ImageVariants> {
  const maxPixels = limits.maxPixels ?? defaultMaxPixels;
  const original = await storage.get(key);
  if (!original) throw new ImageUnreadable(`There is no object under ${key} to make image variants of`);
  // `pages: 1` (sharp's default) reads the first frame of a GIF; `failOn: 'error'` refuses truncated or corrupt
  // data but not a harmless warning; `sequentialRead` lets libvips stream the decode top to bottom.
  const image = sharp({ autoOrient: true, sequentialRead: true, limitInputPixels: maxPixels, failOn: 'error', pages: 1 });
  // Clones made before the input arrives share its buffer; made after, each would copy it.
  const outputs = Object.entries(imageVariants).map(([name, spec]) => ({ name: name as ImageVariantName, output: render(image.clone(), spec) }));
  await pipeline(original, byteLimit(limits.maxBytes ?? defaultMaxBytes, key), image);
  const { width, height } = await displayedSize(image, key);

  const variants: Partial<Record<ImageVariantName, ImageVariant>> = {};
  try {
    for (const { name, output } of outputs) variants[name] = await store(storage, output, keyOf(name), key);
  } catch (error) {
    await Promise.allSettled(Object.values(variants).map((variant) => storage.delete(variant.key)));
    throw error;
  }
  return { width, height, variants: variants as Record<ImageVariantName, ImageVariant> };
}

/** The size of the image as displayed, from its header: a pixel bomb is refused here, before any decoding. */
async function displayedSize(image: Sharp, key: string): Promise<{ width: number; height: number }> {
  try {
    return (await image.metadata()).autoOrient;
  } catch (error) {
    throw imageError(error, key);
  }
}

function render(image: Sharp, spec: ImageVariantSpec): Sharp {
  return image.resize({ width: spec.maxWidth, height: spec.maxHeight, fit: 'inside', withoutEnlargement: true }).webp({ effort: spec.effort });
}

/** Streams one variant into the store, telling an image that cannot be decoded from a store that fails. */
async function store(storage: ObjectStorage, output: Sharp, key: string, sourceKey: string): Promise<ImageVariant> {
  let info: OutputInfo | undefined;
  let failure: unknown;
  output.once('info', (outputInfo: OutputInfo) => (info = outputInfo));
  output.once('error', (error: unknown) => (failure = error));
  let size: number;
  try {
    ({ size } = await storage.put(key, output, { contentType: 'image/webp' }));
  } catch (error) {
    throw failure === undefined ? error : imageError(failure, sourceKey);
  }
  if (!info) throw new Error(`sharp stored ${key} without telling its dimensions`);
  return { key, contentType: 'image/webp', size, width: info.width, height: info.height };
}

function imageError(error: unknown, key: string): ImageUnreadable {
  const reason = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(reason)) return new ImageTooLarge(`The image under ${key} has more pixels than variants are made for`, { cause: error });
  return new ImageUnreadable(`The image under ${key} cannot be read: ${reason}`, { cause: error });
}

/** Passes bytes through, failing with {@link ImageTooLarge} past `maxBytes` (sharp buffers what it is given). */
function byteLimit(maxBytes: number, key: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new ImageTooLarge(`The image under ${key} is larger than ${maxBytes} bytes, the most variants are made for`));
      else callback(null, chunk);
    },
  });
}

/**
 * The dimensions (as displayed, orientation applied) of an image from its first bytes, read from the header
 * without decoding; undefined when they are not enough or not an image sharp reads. The first 64 KiB usually do.
 */
export async function probeImage(firstBytes: Buffer): Promise<{ width: number; height: number; format: string } | undefined> {
  try {
    const { autoOrient, format } = await sharp(firstBytes, { limitInputPixels: false }).metadata();
    return { ...autoOrient, format };
  } catch {
    return undefined;
  }
}
