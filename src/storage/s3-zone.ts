/**
 * An S3 bucket zone through @aws-sdk/client-s3 (AWS, MinIO, Ceph RGW, OpenStack Swift s3api…).
 * Objects above `multipartThresholdBytes` go up as a multipart upload in `partSizeBytes` parts
 * (aborted on failure, so no orphaned parts stay billed); smaller ones in one PUT. Only sealed
 * vault bytes are sent (zone.ts). The secret key is read from a file by the caller and held in
 * memory only; errors name the zone, the key and the S3 error name, never the credentials.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Agent } from 'node:https';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { AppError } from '../lib/errors.ts';
import { BodyBuffers } from './body-buffers.ts';
import { sourceMismatch, type Zone } from './zone.ts';

/** What an S3 zone needs; the secret is the value, already read from its file. */
export interface S3ZoneOptions {
  readonly id: string;
  readonly jurisdiction: string;
  readonly endpoint: string | null;
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly forcePathStyle: boolean;
  /** PEM file of a CA to trust besides the system store (a private S3 endpoint). */
  readonly caFile: string | null;
  /** Prefix of every key (may be empty). */
  readonly prefix: string;
  /** One request (connect to answer) is abandoned after this long: a slow zone is a down zone. */
  readonly requestTimeoutMs: number;
  readonly multipartThresholdBytes: number;
  readonly partSizeBytes: number;
  /**
   * Send `Expect: 100-continue` before a body (the SDK's default in Node). Off by default: each
   * PUT then costs one round trip less; a refused request wastes one body (bench/s3-put-cpu.ts).
   */
  readonly expectContinue?: boolean;
  /** Reuse request body buffers between puts (default true; false only to measure it). */
  readonly reuseBuffers?: boolean;
}

function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function nameOf(e: unknown): string {
  const n = (e as { name?: unknown; code?: unknown }).name ?? (e as { code?: unknown }).code;
  return typeof n === 'string' ? n : 'Error';
}

/**
 * Reads exactly `length` bytes at `offset` into the start of `into`; returns them (a view of
 * `into`). A shorter file is an error naming the zone and key.
 */
async function readExactly(fh: FileHandle, into: Buffer, offset: number, length: number, zone: string, key: string): Promise<Buffer> {
  const body = into.subarray(0, length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(body, got, length - got, offset + got);
    if (bytesRead === 0) throw new AppError('STORAGE_FAILED', `zone ${zone} cannot copy ${key}: the source is shorter than expected`, { zone, key });
    got += bytesRead;
  }
  return body;
}

/**
 * Gives the signer the body's SHA-256 we already computed (x-amz-content-sha256): SigV4 then
 * does not hash the body again, and the server rejects a body that does not match it.
 */
interface MiddlewareHost {
  readonly middlewareStack: { add(middleware: unknown, options: unknown): void };
}

function withPayloadHash<C>(command: C & MiddlewareHost, sha256: string): C {
  command.middlewareStack.add(
    (next: (args: { request: { headers: Record<string, string> } }) => Promise<unknown>) => async (args: { request: { headers: Record<string, string> } }) => {
      args.request.headers['x-amz-content-sha256'] = sha256;
      return next(args);
    },
    { step: 'build', name: 'custosPayloadHash' },
  );
  return command;
}

export class S3Zone implements Zone {
  readonly kind = 's3' as const;
  readonly id: string;
  readonly jurisdiction: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #threshold: number;
  readonly #partSize: number;
  /** Bodies lent to puts; up to four kept (the replicator's default concurrency). */
  readonly #buffers: BodyBuffers | null;

  constructor(opts: S3ZoneOptions) {
    this.id = opts.id;
    this.jurisdiction = opts.jurisdiction;
    this.#bucket = opts.bucket;
    this.#prefix = opts.prefix;
    this.#threshold = opts.multipartThresholdBytes;
    this.#partSize = opts.partSizeBytes;
    this.#buffers = opts.reuseBuffers === false ? null : new BodyBuffers(4, Math.max(opts.multipartThresholdBytes, opts.partSizeBytes));
    const ca = opts.caFile === null ? undefined : readFileSync(opts.caFile, 'utf8');
    this.#client = new S3Client({
      ...(opts.endpoint === null ? {} : { endpoint: opts.endpoint }),
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      // Retries belong to the replicator (which keeps the copy in the spool), not to one request.
      maxAttempts: 1,
      expectContinueHeader: opts.expectContinue ?? false,
      // Checksums only where the protocol requires them: older S3 servers refuse the CRC headers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: opts.requestTimeoutMs,
        requestTimeout: opts.requestTimeoutMs,
        ...(ca === undefined ? {} : { httpsAgent: new Agent({ ca, keepAlive: true }) }),
      },
    });
  }

  #take(size: number): Buffer {
    return this.#buffers?.take(size) ?? Buffer.allocUnsafe(size);
  }

  #key(key: string): string {
    return `${this.#prefix}${key}`;
  }

  #fail(op: string, key: string, e: unknown): AppError {
    const status = statusOf(e);
    return new AppError('STORAGE_FAILED', `zone ${this.id} cannot ${op} ${key}: ${nameOf(e)}${status === undefined ? '' : ` (HTTP ${status})`}`, { zone: this.id, key, op, status: status ?? null });
  }

  /**
   * Reads the file once: each body (the object, or a part) is hashed once, and that hash both
   * signs the request (x-amz-content-sha256, so the SDK does not hash it again and the server
   * checks the bytes it received) and feeds the whole-object hash checked against `sha256`
   * before the object is made visible (the PUT is sent only after the check; a multipart upload
   * is completed only after it).
   */
  async put(key: string, file: string, size: number, sha256?: string): Promise<string> {
    try {
      const fh = await open(file, 'r');
      try {
        if (size <= this.#threshold) {
          const buffer = this.#take(size);
          const body = await readExactly(fh, buffer, 0, size, this.id, key);
          const digest = createHash('sha256').update(body).digest('hex');
          if (sha256 !== undefined && digest !== sha256) {
            this.#buffers?.give(buffer); // never sent
            throw sourceMismatch(this.id, key);
          }
          await this.#client.send(withPayloadHash(new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(key), Body: body, ContentLength: size, ContentType: 'application/octet-stream' }), digest));
          this.#buffers?.give(buffer);
          return digest;
        }
        return await this.#multipart(key, fh, size, sha256);
      } finally {
        await fh.close();
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw this.#fail('put', key, e);
    }
  }

  async #multipart(key: string, fh: FileHandle, size: number, sha256: string | undefined): Promise<string> {
    const created = await this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#key(key), ContentType: 'application/octet-stream' }));
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw new AppError('STORAGE_FAILED', `zone ${this.id} gave no upload id for ${key}`, { zone: this.id, key });
    try {
      const whole = createHash('sha256');
      const parts: { ETag: string; PartNumber: number }[] = [];
      // One buffer for every part: a part is read only after the previous one was answered.
      const buffer = this.#take(Math.min(this.#partSize, size));
      for (let offset = 0, n = 1; offset < size; offset += this.#partSize, n++) {
        const length = Math.min(this.#partSize, size - offset);
        const body = await readExactly(fh, buffer, offset, length, this.id, key);
        whole.update(body);
        const digest = createHash('sha256').update(body).digest('hex');
        const part = await this.#client.send(withPayloadHash(new UploadPartCommand({ Bucket: this.#bucket, Key: this.#key(key), UploadId: uploadId, PartNumber: n, Body: body, ContentLength: length }), digest));
        parts.push({ ETag: part.ETag ?? '', PartNumber: n });
      }
      this.#buffers?.give(buffer);
      const digest = whole.digest('hex');
      if (sha256 !== undefined && digest !== sha256) throw sourceMismatch(this.id, key);
      await this.#client.send(new CompleteMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#key(key), UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      return digest;
    } catch (e) {
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#key(key), UploadId: uploadId })).catch(() => undefined);
      throw e;
    }
  }

  async get(key: string): Promise<AsyncIterable<Buffer> | null> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
      return out.Body as AsyncIterable<Buffer>;
    } catch (e) {
      if (statusOf(e) === 404 || nameOf(e) === 'NoSuchKey') return null;
      throw this.#fail('get', key, e);
    }
  }

  async head(key: string): Promise<number | null> {
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
      return out.ContentLength ?? 0;
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw this.#fail('head', key, e);
    }
  }

  async remove(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
    } catch (e) {
      if (statusOf(e) === 404) return;
      throw this.#fail('delete', key, e);
    }
  }

  async *list(): AsyncIterable<string> {
    let token: string | undefined;
    do {
      let out;
      try {
        out = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix, ContinuationToken: token }));
      } catch (e) {
        throw this.#fail('list', this.#prefix || '/', e);
      }
      for (const o of out.Contents ?? []) if (o.Key !== undefined) yield o.Key.slice(this.#prefix.length);
      token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async probe(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (e) {
      throw this.#fail('reach bucket', this.#bucket, e);
    }
  }

  async fill(): Promise<{ usedBytes: number | null; totalBytes: number | null }> {
    return { usedBytes: null, totalBytes: null };
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}
