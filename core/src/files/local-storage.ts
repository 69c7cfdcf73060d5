import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, opendir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { assertKey, assertPrefix, assertRange } from './storage-keys.js';
import type { ObjectStorage, StoredObject } from './storage.js';

/** Temporary files of puts in progress, inside the root so a rename into place never crosses file systems. */
const tempFolder = '.tmp';

/**
 * Objects as files under `root` (the key's segments are the path's): the default store, under `<data dir>/files`.
 * A put writes `root/.tmp/<random>`, fsyncs it and renames it into place, so readers see the old object or the
 * new one, never half of one, and a crash leaves at most a stray temporary file. Folders emptied by deletes are
 * removed.
 */
export function createLocalStorage(root: string): ObjectStorage {
  const base = path.resolve(root);
  const fileOf = (key: string) => {
    assertKey(key);
    if (key === tempFolder || key.startsWith(`${tempFolder}/`)) throw new Error(`Storage key ${JSON.stringify(key)} is reserved`);
    return path.join(base, ...key.split('/'));
  };

  return {
    kind: 'local',
    async put(key, body) {
      const target = fileOf(key);
      await mkdir(path.join(base, tempFolder), { recursive: true });
      const temp = path.join(base, tempFolder, randomUUID());
      try {
        // `flush` fsyncs before the file is closed: the bytes are on disk before the rename publishes them.
        const file = createWriteStream(temp, { flags: 'wx', flush: true });
        await pipeline(body, file);
        await renameIntoPlace(temp, target);
        await syncFolder(path.dirname(target));
        return { size: file.bytesWritten };
      } catch (error) {
        body.destroy();
        await rm(temp, { force: true });
        throw error;
      }
    },
    async get(key, range) {
      if (range) assertRange(range);
      // Open first, then read from the descriptor: a concurrent replace or delete cannot mix two objects' bytes.
      const handle = await open(fileOf(key), 'r').catch(ifMissing(undefined));
      if (!handle) return undefined;
      try {
        const info = await handle.stat();
        if (!info.isFile()) {
          await handle.close();
          return undefined;
        }
        if (range && range.start >= info.size) throw new RangeError(`Byte range ${range.start}-${range.end} starts past the end (${info.size} bytes)`);
        return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
      } catch (error) {
        await handle.close();
        throw error;
      }
    },
    async head(key) {
      const info = await stat(fileOf(key)).catch(ifMissing(undefined));
      return info?.isFile() ? { size: info.size } : undefined;
    },
    async delete(key) {
      const file = fileOf(key);
      await unlink(file).catch(ifMissing(undefined));
      await removeEmptyFolders(base, path.dirname(file));
    },
    async deletePrefix(prefix) {
      assertPrefix(prefix);
      let count = 0;
      const folders = new Set<string>();
      for await (const object of walk(base, prefix)) {
        const file = path.join(base, ...object.key.split('/'));
        await unlink(file).catch(ifMissing(undefined));
        folders.add(path.dirname(file));
        count += 1;
      }
      // Deepest first, so a folder is removed after the folders inside it.
      for (const folder of [...folders].sort((a, b) => b.length - a.length)) await removeEmptyFolders(base, folder);
      return count;
    },
    async *list(prefix) {
      assertPrefix(prefix);
      yield* walk(base, prefix);
    },
    async close() {},
  };
}

/** Renames, creating the target's folders; once more if a concurrent delete removed a folder just emptied. */
async function renameIntoPlace(temp: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(temp, target);
      return;
    } catch (error) {
      if (!isCode(error, 'ENOENT') || attempt === 3) throw error;
    }
  }
}

/** Makes a rename durable: the folder's entry is flushed too. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes `folder` and its parents up to (not including) `root` while they are empty. */
async function removeEmptyFolders(root: string, folder: string): Promise<void> {
  for (let current = folder; current !== root && current.startsWith(`${root}${path.sep}`); current = path.dirname(current)) {
    try {
      await rmdir(current);
    } catch (error) {
      if (isCode(error, 'ENOENT')) continue;
      return; // not empty (or in use): its parents are not empty either
    }
  }
}

/**
 * Files whose key starts with `prefix`, descending only into folders that can hold such keys. Streams folder
 * entries (`opendir`), so a tenant with a million files is not read into memory at once.
 */
async function* walk(root: string, prefix: string): AsyncGenerator<StoredObject> {
  const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
  yield* walkFolder(root, start, prefix);
}

async function* walkFolder(root: string, folderKey: string, prefix: string): AsyncGenerator<StoredObject> {
  const folderPath = folderKey ? path.join(root, ...folderKey.split('/')) : root;
  const folder = await opendir(folderPath).catch(ifMissing(undefined));
  if (!folder) return;
  for await (const entry of folder) {
    if (!folderKey && entry.name === tempFolder) continue;
    const key = folderKey ? `${folderKey}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* walkFolder(root, key, prefix);
    } else if (entry.isFile() && key.startsWith(prefix)) {
      const info = await stat(path.join(folderPath, entry.name)).catch(ifMissing(undefined));
      if (info) yield { key, size: info.size, modifiedAt: info.mtime };
    }
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** A `.catch` handler answering `value` when the file or folder is not there (deleted concurrently included). */
function ifMissing<T>(value: T): (error: unknown) => T {
  return (error) => {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return value;
    throw error;
  };
}
