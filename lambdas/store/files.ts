/**
 * The private media bucket: presigned POSTs whose policy pins key, type and size; short-lived presigned
 * GETs for reading; and a peek at an object's first bytes so workers can check what was really uploaded.
 */
import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { env, required } from '../platform/config.js';
import type { StoredObjectFacts } from '../domain/media.js';

let client: S3Client | undefined;
const s3 = (): S3Client => (client ??= new S3Client({}));
const bucket = (): string => required(env.BUCKET_NAME);

export const UPLOAD_TTL_SECONDS = 15 * 60;
export const DOWNLOAD_TTL_SECONDS = 15 * 60;

/** The POST policy itself enforces the limits: S3 refuses another key, another type or a larger file. */
export function presignUpload(key: string, contentType: string, maxBytes: number): Promise<PresignedPost> {
  return createPresignedPost(s3(), {
    Bucket: bucket(),
    Key: key,
    Conditions: [
      ['eq', '$key', key],
      ['eq', '$Content-Type', contentType],
      ['content-length-range', 1, maxBytes],
    ],
    Fields: { 'Content-Type': contentType },
    Expires: UPLOAD_TTL_SECONDS,
  });
}

export function presignDownload(key: string): Promise<string> {
  return getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucket(), Key: key }), { expiresIn: DOWNLOAD_TTL_SECONDS });
}

const HEAD_BYTES = 32;

/** Size and first bytes of an object, in one ranged GET; `exists: false` if nothing was uploaded. */
export async function inspectObject(key: string): Promise<StoredObjectFacts> {
  try {
    const object = await s3().send(new GetObjectCommand({ Bucket: bucket(), Key: key, Range: `bytes=0-${HEAD_BYTES - 1}` }));
    const head = object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
    const total = object.ContentRange?.split('/')[1];
    const size = total && total !== '*' ? Number(total) : (object.ContentLength ?? head.length);
    return { exists: true, size, head };
  } catch (error) {
    if (error instanceof NoSuchKey || (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404))) return { exists: false };
    // An empty object cannot satisfy a byte range.
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 416) return { exists: true, size: 0, head: new Uint8Array() };
    throw error;
  }
}
