import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { isPlinthError, NotFoundError, type Clock } from '@plinth/sdk';
import type { Database } from '../db/database.js';
import { isUuid, runAsSystem, runInTenant, type ScopedDb } from '../db/scoped-db.js';
import type { Logger } from '../logger.js';
import { fileErrors } from './file-errors.js';
import { sniffBytes, sniffContentType, typeAllowed } from './sniff.js';
import { signFileToken, verifyFileToken, type FileSigningKey, type FileTokenClaims } from './signing.js';
import type { ByteRange, ObjectStorage } from './storage.js';

/** One stored variant of an image (`thumb`, `medium`, `webp`). */
export interface FileVariant {
  content_type: string;
  size: number;
  width: number | null;
  height: number | null;
}

/** A file's row: metadata only; the bytes are in the object store under `storage_key`. */
export interface FileRecord {
  id: string;
  tenant_id: string;
  owner_plugin: string;
  owner_id: string | null;
  visibility: 'public' | 'private';
  storage_key: string;
  name: string;
  content_type: string;
  size: number;
  checksum: string;
  width: number | null;
  height: number | null;
  variants: Record<string, FileVariant>;
  created_by: string | null;
  attached_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** What {@link FileService.store} stores: a stream (never read whole into memory) and what the uploader claims about it. */
export interface StoreInput {
  body: Readable;
  /** The original name (sanitised by the caller; kept for `Content-Disposition`, never used in a key). */
  name: string;
  /** The `Content-Type` the uploader declared: a hint for text types, never trusted over the bytes. */
  declaredType?: string | undefined;
  /** At least how many bytes the file holds, when the uploader announced it: refused up front when that cannot fit. */
  declaredLength?: number | undefined;
  visibility?: 'public' | 'private' | undefined;
  /** The record it belongs to; set, the file is attached from the start and never swept as an orphan. */
  ownerId?: string | null | undefined;
  createdBy?: string | null | undefined;
  /** Media types accepted (`image/*`, `application/pdf`); another is 415 `file_type_not_allowed`. Default: any. */
  allowedTypes?: readonly string[] | undefined;
  /** Largest file accepted, in bytes (413 `file_too_large` beyond); default: the service's. */
  maxBytes?: number | undefined;
}

/** Where an operation runs: the tenant, and optionally a transaction of the caller's to run in (a plugin's unit). */
export interface FileScope {
  tenantId: string;
  db?: ScopedDb | undefined;
  /**
   * Only files of this owner plugin are visible; others are 404 (`core` for core's routes, the plugin for its
   * service). {@link anyOwner} on reads whose authority is elsewhere (a signed token, a public file).
   */
  ownerPlugin: string;
}

export interface FileListFilter {
  ownerId?: string | undefined;
  page: number;
  per_page: number;
}

/** Image variants, made by the images helper; plugged in so that the service does not load `sharp` until it is needed. */
export type VariantMaker = (
  storage: ObjectStorage,
  source: { key: string; contentType: string },
  keyOf: (variant: string) => string,
) => Promise<{ width: number | null; height: number | null; variants: Record<string, FileVariant> } | undefined>;

export interface FileServiceOptions {
  database: Database;
  storage: ObjectStorage;
  clock: Clock;
  logger: Logger;
  /** Signs download URLs (`fileSigningKey(config.jwtSecret)`). */
  signingKey: FileSigningKey;
  /** The host's base URL, for signed URLs. */
  publicUrl(): string;
  /** The tenant's storage quota in bytes (its `quotas.storage_bytes`). */
  quotaOf(tenantId: string): Promise<number>;
  /** The key of the cheapest plan giving the tenant more room than `quota` bytes, named in a refusal (`errors.upgrade`). */
  storageUpgrade?(tenantId: string, quota: number): Promise<string | undefined>;
  /** Largest file stored when the caller names no limit (default 50 MiB). */
  defaultMaxBytes?: number;
  /** Awaited once a file is stored and committed, before `store` resolves (queues the variants job for images). */
  onStored?(file: FileRecord): Promise<void>;
  /** Makes an image's variants; without it no variants are made. */
  makeVariants?: VariantMaker;
  /** Whether a content type is one {@link VariantMaker} can read. */
  isVariantSource?(contentType: string): boolean;
}

/**
 * The kernel's file service: file rows in the tenant's forced-RLS `files` table, bytes in the object store under
 * `t/<tenant>/<owner plugin>/<file id>` (variants `….<variant>`), and each tenant's use in `storage_usage`, moved
 * in the same transaction as the rows. Everything runs as the tenant, except the purge of a whole tenant and the
 * orphan sweep, which cross tenants on the system path.
 */
export interface FileService {
  /**
   * Stores a stream: sniffs its type from the first bytes (415 if not allowed), hashes and counts it while it
   * streams to the store (413 past the limit or the quota), then reserves the quota and inserts the row in one
   * transaction. On any failure the object is deleted: no row, no object, quota unchanged.
   */
  store(scope: FileScope, input: StoreInput): Promise<FileRecord>;
  get(scope: FileScope, id: string): Promise<FileRecord | undefined>;
  /** The owner plugin's files (of one record with `ownerId`), newest first, with the total. */
  list(scope: FileScope, filter: FileListFilter): Promise<{ items: FileRecord[]; total: number }>;
  /** The file's bytes (a range of them, or a variant's); 404 when the variant does not exist. */
  open(file: FileRecord, options?: { range?: ByteRange | undefined; variant?: string | undefined }): Promise<Readable>;
  /** The object's key and size for a download of the file or one of its variants (404 for a variant it has not). */
  object(file: FileRecord, variant?: string): { key: string; size: number; contentType: string };
  /** Deletes the row and gives the bytes back to the quota; the objects go once that commits. False when there was no such file. */
  delete(scope: FileScope, id: string): Promise<boolean>;
  /**
   * Ties the file to a record (`ownerId`): from then on it is kept until deleted. With `claimUploads`, a plugin may
   * also claim a file uploaded through core's route that no record holds yet; it becomes the plugin's.
   */
  attach(scope: FileScope, id: string, ownerId: string, options?: { claimUploads?: boolean }): Promise<FileRecord>;
  /** Deletes every file of a plugin in a tenant (its purge); returns how many. */
  purgePlugin(scope: { tenantId: string; db?: ScopedDb | undefined }, plugin: string): Promise<number>;
  /** Deletes every file of a tenant (its deletion), rows and objects; returns how many objects went. */
  purgeTenant(tenantId: string): Promise<number>;
  /** Deletes files never attached and older than `olderThanMs` (default a day), across tenants; returns how many. */
  sweepOrphans(olderThanMs?: number): Promise<number>;
  /**
   * A URL that downloads the file (or a variant) without credentials until it expires: `expiresInSeconds`
   * defaults to an hour and may not exceed 7 days. Anyone holding it can read the file; share it knowingly.
   */
  signedUrl(file: FileRecord, options?: { expiresInSeconds?: number | undefined; variant?: string | undefined }): { url: string; expiresAt: Date };
  /** The tenant and file a signed token names; 403 `signed_url_invalid` when altered, 410 `signed_url_expired` when its time is up. */
  verifyToken(token: string): FileTokenClaims;
  /** Makes an image file's variants and records them with its dimensions (the `core.files.variants` job). */
  makeVariants(tenantId: string, fileId: string): Promise<void>;
  /** The tenant's storage use. */
  usage(tenantId: string): Promise<{ bytes: number; files: number }>;
}

/** Default largest upload: 50 MiB. */
export const defaultUploadLimit = 50 * 1024 * 1024;

/** A {@link FileScope} owner that matches every plugin's files: for reads authorised otherwise (signed URLs, public files). */
export const anyOwner = '*';

/** Signed URLs live an hour unless asked otherwise, and never more than 7 days. */
export const signedUrlDefaultSeconds = 60 * 60;
export const signedUrlMaxSeconds = 7 * 24 * 60 * 60;

/** How long an unattached upload is kept before the sweep removes it. */
export const orphanAgeMs = 24 * 60 * 60 * 1000;

const fileColumns = `id, tenant_id, owner_plugin, owner_id, visibility, storage_key, name, content_type, size::float8 as size, checksum, width, height,
  variants, created_by, attached_at, created_at, updated_at`;

/** The object key of a file (and, with `variant`, of one of its variants). */
export function storageKey(tenantId: string, ownerPlugin: string, fileId: string, variant?: string): string {
  return `t/${tenantId}/${ownerPlugin}/${fileId}${variant ? `.${variant}` : ''}`;
}

export function createFileService(options: FileServiceOptions): FileService {
  const { database, storage, logger } = options;
  const defaultMaxBytes = options.defaultMaxBytes ?? defaultUploadLimit;
  const inScope = <T>(scope: { tenantId: string; db?: ScopedDb | undefined }, fn: (db: ScopedDb) => Promise<T>) =>
    scope.db ? fn(scope.db) : runInTenant(database, scope.tenantId, fn);

  /** Deletes objects once their rows are gone for good; a failure only leaves bytes nobody can reach, which is logged. */
  const deleteObjects = (keys: readonly string[]) =>
    Promise.all(
      keys.map((key) => storage.delete(key).catch((error: unknown) => logger.warn({ err: error, key }, 'could not delete a stored object; it is unreachable'))),
    );
  const keysOf = (file: Pick<FileRecord, 'storage_key' | 'variants'>) => [
    file.storage_key,
    ...Object.keys(file.variants ?? {}).map((variant) => `${file.storage_key}.${variant}`),
  ];
  const bytesOf = (file: Pick<FileRecord, 'size' | 'variants'>) =>
    Number(file.size) + Object.values(file.variants ?? {}).reduce((sum, variant) => sum + variant.size, 0);

  /** Removes rows (already selected for update in `db`) and gives their bytes back; the objects go after commit. */
  const removeRows = async (db: ScopedDb, rows: FileRecord[]) => {
    if (rows.length === 0) return;
    await db.query('delete from files where id = any($1::uuid[])', [rows.map((row) => row.id)]);
    const byTenant = new Map<string, { bytes: number; files: number }>();
    for (const row of rows) {
      const usage = byTenant.get(row.tenant_id) ?? { bytes: 0, files: 0 };
      usage.bytes += bytesOf(row);
      usage.files += 1;
      byTenant.set(row.tenant_id, usage);
    }
    for (const [tenantId, usage] of byTenant) {
      await db.query('update storage_usage set bytes = greatest(bytes - $2, 0), files = greatest(files - $3, 0), updated_at = now() where tenant_id = $1', [
        tenantId,
        usage.bytes,
        usage.files,
      ]);
    }
    const keys = rows.flatMap(keysOf);
    db.afterCommit(() => deleteObjects(keys));
  };

  const service: FileService = {
    async store(scope, input) {
      const maxBytes = input.maxBytes ?? defaultMaxBytes;
      let quota: number;
      let used: number;
      let upgrade: string | undefined;
      const refuseQuota = () =>
        fileErrors.storage_quota_exceeded(`This file would take the tenant past its storage quota (${used} of ${quota} bytes used)`, {
          errors: { storage: [`${used} of ${quota} bytes used`], ...(upgrade ? { upgrade: [upgrade] } : {}) },
        });
      try {
        quota = await options.quotaOf(scope.tenantId);
        upgrade = await options.storageUpgrade?.(scope.tenantId, quota);
        used = (await service.usage(scope.tenantId)).bytes;
        if (input.declaredLength !== undefined && input.declaredLength > maxBytes) throw tooLarge(maxBytes);
        if (input.declaredLength !== undefined && used + input.declaredLength > quota) throw refuseQuota();
      } catch (error) {
        // Refused before a byte was read: the rest of the upload is discarded, not left waiting.
        input.body.destroy();
        throw error;
      }
      const room = Math.max(0, quota - used);

      const id = randomUUID();
      const key = storageKey(scope.tenantId, scope.ownerPlugin, id);
      const hash = createHash('sha256');
      let size = 0;
      let failure: Error | undefined;
      const count = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) throw (failure = tooLarge(maxBytes));
        if (size > room) throw (failure = refuseQuota());
        hash.update(chunk);
      };

      const source = input.body[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
      const next = async () => {
        try {
          return await source.next();
        } catch (error) {
          throw (failure = isPlinthError(error) ? error : fileErrors.file_incomplete(undefined, { cause: error }));
        }
      };
      // The head, for sniffing: counted (and limited) like the rest, then sent first.
      const head: Buffer[] = [];
      let headLength = 0;
      let ended = false;
      try {
        while (headLength < sniffBytes) {
          const step = await next();
          if (step.done) {
            ended = true;
            break;
          }
          const chunk = toBuffer(step.value);
          count(chunk);
          head.push(chunk);
          headLength += chunk.length;
        }
      } catch (error) {
        input.body.destroy();
        throw error;
      }
      const start = Buffer.concat(head);
      if (start.length === 0) throw fileErrors.file_empty('The file is empty (zero bytes)');
      const contentType = await sniffContentType(start, { name: input.name, declaredType: input.declaredType, complete: ended });
      if (input.allowedTypes && !typeAllowed(contentType, input.allowedTypes)) {
        input.body.destroy();
        throw fileErrors.file_type_not_allowed(`Files of type ${contentType} are not accepted here (accepted: ${input.allowedTypes.join(', ')})`);
      }
      const rest = async function* () {
        yield start;
        if (ended) return;
        for (let step = await next(); !step.done; step = await next()) {
          const chunk = toBuffer(step.value);
          count(chunk);
          yield chunk;
        }
      };
      try {
        await storage.put(key, Readable.from(rest(), { objectMode: false }), { contentType });
      } catch (error) {
        input.body.destroy();
        // The driver removes what it wrote; the caller gets our reason (limit, quota, cut upload), not the driver's.
        await storage.delete(key).catch(() => undefined);
        throw failure ?? error;
      }

      const checksum = hash.digest('hex');
      let file: FileRecord;
      try {
        file = await runInTenant(database, scope.tenantId, async (db) => {
          const reserved = await db.query(
            `insert into storage_usage (bytes, files) values ($1, 1)
               on conflict (tenant_id) do update set bytes = storage_usage.bytes + excluded.bytes, files = storage_usage.files + 1, updated_at = now()
               where storage_usage.bytes + excluded.bytes <= $2
             returning bytes`,
            [size, quota],
          );
          if (reserved.length === 0 || size > quota) throw refuseQuota();
          const [row] = await db.query<FileRecord>(
            `insert into files (id, owner_plugin, owner_id, visibility, storage_key, name, content_type, size, checksum, created_by, attached_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, case when $3::text is null then null else now() end)
             returning ${fileColumns}`,
            [
              id,
              scope.ownerPlugin,
              input.ownerId ?? null,
              input.visibility ?? 'private',
              key,
              input.name,
              contentType,
              size,
              checksum,
              input.createdBy ?? null,
            ],
          );
          return row!;
        });
      } catch (error) {
        await storage.delete(key).catch((cause: unknown) => logger.warn({ err: cause, key }, 'could not delete the object of a refused upload'));
        throw error;
      }
      await options.onStored?.(file);
      return file;
    },

    get(scope, id) {
      if (!isUuid(id)) return Promise.resolve(undefined);
      return inScope(scope, (db) =>
        db.one<FileRecord>(`select ${fileColumns} from files where id = $1 and (owner_plugin = $2 or $2 = '*')`, [id, scope.ownerPlugin]),
      );
    },

    async list(scope, filter) {
      return inScope(scope, async (db) => {
        const values: unknown[] = [scope.ownerPlugin];
        const where = ['owner_plugin = $1'];
        if (filter.ownerId !== undefined) where.push(`owner_id = $${values.push(filter.ownerId)}`);
        const limit = filter.per_page;
        const offset = (filter.page - 1) * filter.per_page;
        const items = await db.query<FileRecord>(
          `select ${fileColumns} from files where ${where.join(' and ')} order by created_at desc, id limit $${values.length + 1} offset $${values.length + 2}`,
          [...values, limit, offset],
        );
        const [count] = await db.query<{ total: number }>(`select count(*)::int as total from files where ${where.join(' and ')}`, values);
        return { items, total: count?.total ?? 0 };
      });
    },

    object(file, variant) {
      if (!variant) return { key: file.storage_key, size: Number(file.size), contentType: file.content_type };
      const stored = file.variants?.[variant];
      if (!stored) throw new NotFoundError(`This file has no ${variant} variant`);
      return { key: `${file.storage_key}.${variant}`, size: stored.size, contentType: stored.content_type };
    },

    async open(file, { range, variant } = {}) {
      const { key } = service.object(file, variant);
      const body = await storage.get(key, range);
      if (!body) throw new NotFoundError('The file’s bytes are gone');
      return body;
    },

    async delete(scope, id) {
      if (!isUuid(id)) return false;
      return inScope(scope, async (db) => {
        const rows = await db.query<FileRecord>(`select ${fileColumns} from files where id = $1 and owner_plugin = $2 for update`, [id, scope.ownerPlugin]);
        await removeRows(db, rows);
        return rows.length > 0;
      });
    },

    async attach(scope, id, ownerId, { claimUploads = false } = {}) {
      if (!isUuid(id)) throw new NotFoundError('File not found');
      const row = await inScope(scope, (db) =>
        db.one<FileRecord>(
          `update files set owner_plugin = $2, owner_id = $3, attached_at = coalesce(attached_at, now()), updated_at = now()
            where id = $1 and (owner_plugin = $2 or ($4 and owner_plugin = 'core' and attached_at is null)) returning ${fileColumns}`,
          [id, scope.ownerPlugin, ownerId, claimUploads],
        ),
      );
      if (!row) throw new NotFoundError('File not found');
      return row;
    },

    async purgePlugin(scope, plugin) {
      return inScope(scope, async (db) => {
        const rows = await db.query<FileRecord>(`select ${fileColumns} from files where owner_plugin = $1 for update`, [plugin]);
        await removeRows(db, rows);
        return rows.length;
      });
    },

    async purgeTenant(tenantId) {
      await runAsSystem(database, async (db) => {
        await db.query('delete from files where tenant_id = $1', [tenantId]);
        await db.query('delete from storage_usage where tenant_id = $1', [tenantId]);
      });
      // Everything under the tenant's prefix, variants and objects whose rows a crash lost included.
      return storage.deletePrefix(`t/${tenantId}/`);
    },

    async sweepOrphans(olderThanMs = orphanAgeMs) {
      const before = new Date(options.clock.now().getTime() - olderThanMs);
      return runAsSystem(database, async (db) => {
        const rows = await db.query<FileRecord>(
          `select ${fileColumns} from files where attached_at is null and created_at < $1 order by created_at limit 1000 for update skip locked`,
          [before],
        );
        await removeRows(db, rows);
        return rows.length;
      });
    },

    signedUrl(file, { expiresInSeconds = signedUrlDefaultSeconds, variant } = {}) {
      if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > signedUrlMaxSeconds) {
        throw new RangeError(`a signed URL lives 1 to ${signedUrlMaxSeconds} seconds (7 days)`);
      }
      if (variant) service.object(file, variant);
      const expiresAt = new Date(Math.floor(options.clock.now().getTime() / 1000) * 1000 + expiresInSeconds * 1000);
      const token = signFileToken(options.signingKey, { tenantId: file.tenant_id, fileId: file.id, ...(variant ? { variant } : {}), expiresAt });
      return { url: `${options.publicUrl().replace(/\/$/, '')}/api/v1/files/signed/${token}`, expiresAt };
    },

    verifyToken(token) {
      const check = verifyFileToken(options.signingKey, token, options.clock.now());
      if (check.valid) return check.claims;
      if (check.reason === 'expired') throw fileErrors.signed_url_expired('This signed URL has expired; ask for a new one');
      throw fileErrors.signed_url_invalid('This signed URL is not valid');
    },

    async makeVariants(tenantId, fileId) {
      const { makeVariants, isVariantSource } = options;
      if (!makeVariants) return;
      const file = await runInTenant(database, tenantId, (db) => db.one<FileRecord>(`select ${fileColumns} from files where id = $1`, [fileId]));
      if (!file || (isVariantSource && !isVariantSource(file.content_type)) || Object.keys(file.variants ?? {}).length > 0) return;
      const made = await makeVariants(storage, { key: file.storage_key, contentType: file.content_type }, (variant) => `${file.storage_key}.${variant}`);
      if (!made) return;
      const added = Object.values(made.variants).reduce((sum, variant) => sum + variant.size, 0);
      const kept = await runInTenant(database, tenantId, async (db) => {
        const row = await db.one(
          `update files set variants = $2, width = $3, height = $4, updated_at = now() where id = $1 and variants = '{}'::jsonb returning id`,
          [fileId, JSON.stringify(made.variants), made.width, made.height],
        );
        // Variants count against the tenant's storage like the original (never refused: the original was accepted).
        if (row) await db.query('update storage_usage set bytes = bytes + $1, updated_at = now()', [added]);
        return row !== undefined;
      });
      // The file was deleted (or another run got there first) meanwhile: these variants belong to nobody.
      if (!kept) await deleteObjects(Object.keys(made.variants).map((variant) => `${file.storage_key}.${variant}`));
    },

    async usage(tenantId) {
      const row = await runInTenant(database, tenantId, (db) =>
        db.one<{ bytes: number; files: number }>('select bytes::float8 as bytes, files from storage_usage'),
      );
      return { bytes: row?.bytes ?? 0, files: row?.files ?? 0 };
    },
  };
  return service;
}

function tooLarge(maxBytes: number) {
  return fileErrors.file_too_large(`The file is larger than ${maxBytes} bytes, the most this upload accepts`);
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}
