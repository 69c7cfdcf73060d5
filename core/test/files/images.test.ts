import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageTooLarge, ImageUnreadable, imageVariants, isVariantSource, makeVariants, probeImage } from '../../src/files/images.js';
import { createLocalStorage } from '../../src/files/local-storage.js';
import type { ObjectStorage } from '../../src/files/storage.js';

let root: string;
let storage: ObjectStorage;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'plinth-images-'));
  storage = createLocalStorage(join(root, 'store'));
});

afterAll(async () => {
  await storage.close();
  await rm(root, { recursive: true, force: true });
});

/** Stores `bytes` under a fresh key and names where its variants go. */
async function stored(bytes: Buffer, contentType: string) {
  const key = `t/${randomUUID()}/core/${randomUUID()}`;
  await storage.put(key, Readable.from([bytes]), { contentType });
  return { source: { key, contentType }, keyOf: (variant: string) => `${key}.${variant}` };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of storage.list(prefix)) keys.push(object.key);
  return keys.sort();
}

async function bytesOf(key: string): Promise<Buffer> {
  const body = await storage.get(key);
  if (!body) throw new Error(`nothing under ${key}`);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The tags of IFD0 of an EXIF block (`Exif\0\0` then TIFF): 0x0112 is the orientation, 0x8825 points at GPS data. */
function ifd0Tags(exif: Buffer): number[] {
  const tiff = exif.subarray(exif.indexOf('Exif\0\0') + 6);
  const littleEndian = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (littleEndian ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (littleEndian ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd = u32(4);
  return Array.from({ length: u16(ifd) }, (_, i) => u16(ifd + 2 + i * 12));
}

const gpsPointerTag = 0x8825;
const orientationTag = 0x0112;

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG header claiming 50000×50000 grey pixels (2.5 gigapixels), followed by a few rows of zeros. */
function pixelBomb(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(50_000, 0);
  header.writeUInt32BE(50_000, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(Buffer.alloc(50_001 * 64))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** Checks a stored variant: WebP by its magic bytes and by sharp, no metadata, dimensions as recorded. */
async function expectCleanWebp(variant: { key: string; contentType: string; size: number; width: number; height: number }) {
  const bytes = await bytesOf(variant.key);
  expect(variant.contentType).toBe('image/webp');
  expect(bytes.length).toBe(variant.size);
  expect(bytes.toString('latin1', 0, 4)).toBe('RIFF');
  expect(bytes.toString('latin1', 8, 12)).toBe('WEBP');
  const metadata = await sharp(bytes).metadata();
  expect(metadata.format).toBe('webp');
  expect([metadata.width, metadata.height]).toEqual([variant.width, variant.height]);
  expect(metadata.exif).toBeUndefined();
  expect(metadata.xmp).toBeUndefined();
  expect(metadata.icc).toBeUndefined();
  expect(metadata.orientation).toBeUndefined();
  return bytes;
}

const execFileAsync = promisify(execFile);
const coreFolder = fileURLToPath(new URL('../..', import.meta.url));

// First in the file, so no earlier decode has already grown the heap that this one would then reuse unseen.
describe('memory', () => {
  it('processes a 6000×4000 JPEG within 150 MB of peak RSS growth', async () => {
    // The image is made in a child process, so this process has decoded nothing large before the measure.
    const key = `t/${randomUUID()}/core/${randomUUID()}`;
    const path = join(root, 'large.jpg');
    const script = `
      import sharp from 'sharp';
      const noise = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
      await sharp(noise).resize(6000, 4000, { kernel: 'cubic' }).jpeg({ quality: 85 }).toFile(process.argv[1]);`;
    await execFileAsync(process.execPath, ['--input-type=module', '-e', script, path], { cwd: coreFolder });
    await storage.put(key, createReadStream(path), { contentType: 'image/jpeg' });

    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
    try {
      const made = await makeVariants(storage, { key, contentType: 'image/jpeg' }, (variant) => `${key}.${variant}`);
      expect([made.width, made.height]).toEqual([6000, 4000]);
      expect([made.variants.webp.width, made.variants.webp.height]).toEqual([6000, 4000]);
    } finally {
      clearInterval(sampler);
    }
    expect((peak - baseline) / 1e6).toBeLessThan(150);
  });
});

describe('makeVariants', () => {
  it('applies the EXIF orientation, then strips EXIF and GPS from every variant', async () => {
    // Stored landscape, top half red and bottom half blue; orientation 6 displays it turned 90° clockwise (portrait,
    // red on the right), with the position of the camera in GPS tags.
    const jpeg = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#ff0000' } })
      .composite([{ input: { create: { width: 3000, height: 1000, channels: 3, background: '#0000ff' } }, top: 1000, left: 0 }])
      .jpeg({ quality: 90 })
      .withExif({
        IFD0: { Make: 'Plinth' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 0/1' },
      })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const original = await sharp(jpeg).metadata();
    expect(original.orientation).toBe(6);
    expect(ifd0Tags(original.exif ?? Buffer.alloc(0))).toEqual(expect.arrayContaining([gpsPointerTag, orientationTag]));

    const { source, keyOf } = await stored(jpeg, 'image/jpeg');
    const made = await makeVariants(storage, source, keyOf);

    expect([made.width, made.height]).toEqual([2000, 3000]);
    expect(Object.keys(made.variants).sort()).toEqual(['medium', 'thumb', 'webp']);
    expect(made.variants.thumb).toMatchObject({ key: keyOf('thumb'), width: 133, height: 200 });
    expect(made.variants.medium).toMatchObject({ key: keyOf('medium'), width: 683, height: 1024 });
    expect(made.variants.webp).toMatchObject({ key: keyOf('webp'), width: 2000, height: 3000 });
    for (const variant of Object.values(made.variants)) {
      const bytes = await expectCleanWebp(variant);
      const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
      const middle = Math.floor(info.height / 2);
      const [left, right] = [pixel(2, middle), pixel(info.width - 3, middle)];
      expect(left[2]).toBeGreaterThan(200); // blue on the left
      expect(left[0]).toBeLessThan(60);
      expect(right[0]).toBeGreaterThan(200); // red on the right
      expect(right[2]).toBeLessThan(60);
    }
    expect(await keysUnder(source.key)).toEqual([source.key, keyOf('medium'), keyOf('thumb'), keyOf('webp')].sort());
  });

  it('keeps the alpha channel of a PNG', async () => {
    const png = await sharp({ create: { width: 1600, height: 1200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: { create: { width: 800, height: 600, channels: 4, background: { r: 0, g: 200, b: 0, alpha: 1 } } }, top: 300, left: 400 }])
      .png()
      .toBuffer();
    const { source, keyOf } = await stored(png, 'image/png');
    const made = await makeVariants(storage, source, keyOf);

    expect([made.width, made.height]).toEqual([1600, 1200]);
    expect([made.variants.thumb.width, made.variants.thumb.height]).toEqual([200, 150]);
    expect([made.variants.medium.width, made.variants.medium.height]).toEqual([1024, 768]);
    for (const variant of Object.values(made.variants)) {
      const bytes = await expectCleanWebp(variant);
      const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(4);
      expect(data[3]).toBe(0); // the corner is transparent
      const centre = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * 4;
      expect(data[centre + 3]).toBe(255);
      expect(data[centre + 1]).toBeGreaterThan(150);
    }
  });

  it('makes the variants of an animated GIF from its first frame', async () => {
    const frame = (background: string) =>
      sharp({ create: { width: 400, height: 300, channels: 3, background } })
        .png()
        .toBuffer();
    const gif = await sharp([await frame('#ff0000'), await frame('#00ff00')], { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const { source, keyOf } = await stored(gif, 'image/gif');
    const made = await makeVariants(storage, source, keyOf);

    expect([made.width, made.height]).toEqual([400, 300]);
    for (const variant of Object.values(made.variants)) {
      const bytes = await expectCleanWebp(variant);
      expect((await sharp(bytes).metadata()).pages ?? 1).toBe(1);
      const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      expect(data[0]).toBeGreaterThan(200); // red, the first frame
      expect(data[1]).toBeLessThan(60);
    }
  });

  it('never upscales a small image', async () => {
    const png = await sharp({ create: { width: 100, height: 80, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const { source, keyOf } = await stored(png, 'image/png');
    const made = await makeVariants(storage, source, keyOf);

    expect([made.width, made.height]).toEqual([100, 80]);
    for (const name of Object.keys(imageVariants) as (keyof typeof imageVariants)[]) {
      expect([made.variants[name].width, made.variants[name].height]).toEqual([100, 80]);
      await expectCleanWebp(made.variants[name]);
    }
  });

  it('refuses a truncated JPEG with ImageUnreadable and stores nothing', async () => {
    const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
      .jpeg()
      .toBuffer();
    const { source, keyOf } = await stored(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'image/jpeg');

    const error = await makeVariants(storage, source, keyOf).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImageUnreadable);
    expect(error).not.toBeInstanceOf(ImageTooLarge);
    expect((error as Error).message).toMatch(/cannot be read/);
    expect(await keysUnder(source.key)).toEqual([source.key]);
  });

  it('refuses bytes that are no image with ImageUnreadable', async () => {
    const { source, keyOf } = await stored(Buffer.from('%PDF-1.7 this is not an image at all'), 'image/png');
    await expect(makeVariants(storage, source, keyOf)).rejects.toBeInstanceOf(ImageUnreadable);
    expect(await keysUnder(source.key)).toEqual([source.key]);
  });

  it('refuses a 50000×50000 pixel bomb from its header: fast, typed, and without eating memory', async () => {
    const { source, keyOf } = await stored(pixelBomb(), 'image/png');
    const before = process.memoryUsage.rss();
    const started = performance.now();

    const error = await makeVariants(storage, source, keyOf).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ImageTooLarge);
    expect(error).toBeInstanceOf(ImageUnreadable); // so the job records it instead of retrying
    expect((error as Error).message).toMatch(/more pixels/);
    expect(performance.now() - started).toBeLessThan(2000);
    expect((process.memoryUsage.rss() - before) / 1e6).toBeLessThan(50);
    expect(await keysUnder(source.key)).toEqual([source.key]);
  });

  it('honours lower limits on pixels and bytes', async () => {
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
      .png()
      .toBuffer();
    const { source, keyOf } = await stored(png, 'image/png');
    await expect(makeVariants(storage, source, keyOf, { maxPixels: 400 * 300 - 1 })).rejects.toBeInstanceOf(ImageTooLarge);
    await expect(makeVariants(storage, source, keyOf, { maxBytes: png.length - 1 })).rejects.toThrow(/larger than/);
    const made = await makeVariants(storage, source, keyOf, { maxPixels: 400 * 300, maxBytes: png.length });
    expect([made.width, made.height]).toEqual([400, 300]);
  });

  it('refuses a missing original with ImageUnreadable', async () => {
    const key = `t/${randomUUID()}/core/${randomUUID()}`;
    await expect(makeVariants(storage, { key, contentType: 'image/png' }, (variant) => `${key}.${variant}`)).rejects.toBeInstanceOf(ImageUnreadable);
  });

  it('passes a storage failure through (worth a retry) and removes the variants it had stored', async () => {
    const png = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#884422' } })
      .png()
      .toBuffer();
    const { source, keyOf } = await stored(png, 'image/png');
    const outage = new Error('the store is down');
    const failing: ObjectStorage = {
      ...storage,
      async put(key, body, options) {
        if (key === keyOf('thumb')) {
          body.destroy();
          throw outage;
        }
        return storage.put(key, body, options);
      },
    };

    const error = await makeVariants(failing, source, keyOf).catch((caught: unknown) => caught);
    expect(error).toBe(outage);
    expect(await keysUnder(source.key)).toEqual([source.key]);
  });

  it('passes a read failure of the original through, not as ImageUnreadable', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#884422' } })
      .png()
      .toBuffer();
    const { source, keyOf } = await stored(png, 'image/png');
    const cut = new Error('connection reset');
    const failing: ObjectStorage = {
      ...storage,
      async get() {
        return new Readable({
          read() {
            this.push(png.subarray(0, 100));
            this.destroy(cut);
          },
        });
      },
    };
    const error = await makeVariants(failing, source, keyOf).catch((caught: unknown) => caught);
    expect(error).toBe(cut);
    expect(await keysUnder(source.key)).toEqual([source.key]);
  });
});

describe('isVariantSource', () => {
  it('takes the raster types sharp reads, never SVG', () => {
    for (const type of ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff', 'IMAGE/PNG', 'image/jpeg; charset=binary']) {
      expect(isVariantSource(type), type).toBe(true);
    }
    for (const type of ['image/svg+xml', 'application/pdf', 'text/html', 'video/mp4', 'image/x-icon', '']) {
      expect(isVariantSource(type), type).toBe(false);
    }
  });

  it('never takes HEIC, which the shipped libvips does not decode', () => {
    expect((sharp.format.heif.input.fileSuffix ?? []).includes('.heic')).toBe(false);
    expect(isVariantSource('image/heic')).toBe(false);
  });
});

describe('probeImage', () => {
  it('reads the displayed dimensions from the first bytes of a JPEG', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect(jpeg.length).toBeGreaterThan(8192);
    expect(await probeImage(jpeg.subarray(0, 4096))).toEqual({ width: 480, height: 640, format: 'jpeg' });
  });

  it('answers undefined for bytes that are no image', async () => {
    expect(await probeImage(Buffer.from('hello'))).toBeUndefined();
    expect(await probeImage(await readFile(fileURLToPath(import.meta.url)))).toBeUndefined();
  });
});
