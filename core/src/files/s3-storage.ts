import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { sliceStream } from './slice-stream.js';
import { assertKey, assertPrefix, assertRange } from './storage-keys.js';
import type { ObjectStorage, StoredObject } from './storage.js';

export interface S3StorageOptions {
  bucket: string;
  /** Prepended to every key (`plinth/`), so one bucket can hold several hosts' objects; empty or ending with `/`. */
  keyPrefix?: string | undefined;
  /** Unset: the AWS SDK's default chain (`AWS_REGION`, the shared config file…). */
  region?: string | undefined;
  /** An S3-compatible server (MinIO, Ceph, s3rver) such as `http://127.0.0.1:9000`; unset for AWS. */
  endpoint?: string | undefined;
  /** `https://host/bucket/key` rather than `https://bucket.host/key`: what most S3-compatible servers need. */
  forcePathStyle?: boolean | undefined;
  /** Unset: the AWS SDK's default chain (`AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, profiles, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Bytes per multipart part (8 MiB; S3's least is 5 MiB). */
  partSizeBytes?: number;
  /** Parts uploaded at once; the memory a put holds is about `partSizeBytes × (queueSize + 1)`. */
  queueSize?: number;
}

/** S3 deletes at most this many keys per DeleteObjects request. */
const deleteBatchSize = 1000;

/**
 * Objects in an S3 bucket (or any S3-compatible store). A put streams through `@aws-sdk/lib-storage`: one
 * PutObject for a small body, a multipart upload of 8 MiB parts, two at a time, for a large one, so memory stays
 * bounded whatever the size; S3 publishes the object only when the upload completes, and a failed multipart
 * upload is aborted so its parts do not linger (and cost).
 */
export function createS3Storage(options: S3StorageOptions): ObjectStorage {
  const { bucket } = options;
  const keyPrefix = options.keyPrefix ?? '';
  if (keyPrefix !== '') assertPrefix(keyPrefix);
  if (keyPrefix !== '' && !keyPrefix.endsWith('/')) throw new Error(`S3 key prefix ${JSON.stringify(keyPrefix)} must end with "/"`);
  const client = new S3Client({
    region: options.region ?? (options.endpoint ? 'us-east-1' : undefined),
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: options.credentials,
  });
  const partSize = options.partSizeBytes ?? 8 * 1024 * 1024;
  const queueSize = options.queueSize ?? 2;
  const objectKey = (key: string) => {
    assertKey(key);
    return keyPrefix + key;
  };

  async function put(key: string, body: Readable, contentType: string): Promise<{ size: number }> {
    const Key = objectKey(key);
    // The body's own error wins over what the upload makes of it, so a caller's limit error (413) comes back as is.
    let bodyError: unknown;
    body.once('error', (error) => (bodyError ??= error));
    let size = 0;
    const counted = Readable.from(
      countBytes(body, (bytes) => (size += bytes)),
      { objectMode: false },
    );
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key, Body: counted, ContentType: contentType },
      partSize,
      queueSize,
      // We abort ourselves: lib-storage would report a failed abort instead of the error that caused it.
      leavePartsOnError: true,
    });
    try {
      await upload.done();
      return { size };
    } catch (error) {
      body.destroy();
      if (upload.uploadId) await abortUpload(Key, upload.uploadId, error);
      throw bodyError ?? error;
    }
  }

  async function abortUpload(Key: string, UploadId: string, cause: unknown): Promise<void> {
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
    } catch (abortError) {
      // Not fatal to the caller (the put failed anyway) but worth knowing: the parts stay until a lifecycle rule.
      if (cause instanceof Error && cause.cause === undefined) cause.cause = abortError;
    }
  }

  async function* list(prefix: string): AsyncGenerator<StoredObject> {
    assertPrefix(prefix);
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix + prefix, ContinuationToken }));
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key.slice(keyPrefix.length), size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  return {
    kind: 's3',
    put: (key, body, { contentType }) => put(key, body, contentType),
    async get(key, range) {
      if (range) assertRange(range);
      try {
        const object = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: objectKey(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
        );
        const body = object.Body as Readable;
        if (!range || object.ContentRange?.startsWith(`bytes ${range.start}-${range.end}/`)) return body;
        return sliceStream(body, range, servedStart(object.ContentRange));
      } catch (error) {
        if (isS3Error(error, 'NoSuchKey')) return undefined;
        if (range && isS3Error(error, 'InvalidRange')) throw new RangeError(`Byte range ${range.start}-${range.end} starts past the end`);
        throw error;
      }
    },
    async head(key) {
      try {
        const object = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
        return { size: object.ContentLength ?? 0 };
      } catch (error) {
        // A HEAD answer has no body, so S3 can only say 404 `NotFound` (a missing bucket looks the same).
        if (isS3Error(error, 'NotFound') || isS3Error(error, 'NoSuchKey')) return undefined;
        throw error;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
    },
    async deletePrefix(prefix) {
      let count = 0;
      let batch: string[] = [];
      const flush = async () => {
        const result = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
        const failed = result.Errors ?? [];
        if (failed.length > 0) throw new Error(`S3 could not delete ${failed.length} object(s), first ${failed[0]?.Key}: ${failed[0]?.Message}`);
        count += batch.length;
        batch = [];
      };
      for await (const object of list(prefix)) {
        batch.push(keyPrefix + object.key);
        if (batch.length === deleteBatchSize) await flush();
      }
      if (batch.length > 0) await flush();
      return count;
    },
    list,
    async close() {
      client.destroy();
    },
  };
}

async function* countBytes(body: Readable, add: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    add(buffer.length);
    yield buffer;
  }
}

/**
 * Where the bytes the store sent begin: a server may ignore `Range` and send the whole object (HTTP allows it;
 * s3rver does for `bytes=0-0`), so the driver cuts the range out itself.
 */
function servedStart(contentRange: string | undefined): number {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(contentRange ?? '');
  return match ? Number(match[1]) : 0;
}

/** By name, not status: a GET from a missing bucket is a 404 too, and must not pass for a missing object. */
function isS3Error(error: unknown, name: string): boolean {
  return error instanceof S3ServiceException && error.name === name;
}
