import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** A real S3-compatible server (s3rver) on a free loopback port, storing under a temporary folder. */
export interface S3TestServer {
  endpoint: string;
  bucket: string;
  /** s3rver's own credentials (it checks request signatures against them). */
  accessKeyId: string;
  secretAccessKey: string;
  /** Multipart uploads started and neither completed nor aborted. */
  pendingUploads(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts s3rver in a child process (see s3-test-server.process.mjs for why) with one bucket. */
export async function startS3TestServer(bucket = 'plinth-test'): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'plinth-s3rver-'));
  const script = new URL('./s3-test-server.process.mjs', import.meta.url);
  const child = spawn(process.execPath, ['--openssl-legacy-provider', script.pathname, directory, bucket], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    exited.then(([code]) => Promise.reject(new Error(`s3rver exited with code ${String(code)} before listening`))),
  ]);
  const { port } = JSON.parse(first) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    pendingUploads: () => readdir(path.join(directory, bucket, '._S3rver_uploads')).catch(() => []),
    async stop() {
      child.stdin.end();
      await exited;
      lines.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
