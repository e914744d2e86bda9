/**
 * The private media bucket, signed by hand-off rather than through an S3 client: presigned POSTs whose
 * policy pins key, type and size (the uploader posts straight to S3), short-lived presigned GETs (links in
 * responses), and a ranged GET of an object's first bytes so workers can check what was really uploaded.
 * Signing needs only the SigV4 primitives, so no function bundles the S3 client (about 200 KB); the
 * signatures are checked against SigV4 as AWS documents it in test/unit/files.test.ts.
 */
import { createHmac } from 'node:crypto';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { createScope, getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import type { StoredObjectFacts } from '../domain/media.js';
import { env, required } from '../platform/config.js';

export const UPLOAD_TTL_SECONDS = 15 * 60;
export const DOWNLOAD_TTL_SECONDS = 15 * 60;

const credentials = fromEnv();
const sha256 = Hash.bind(null, 'sha256');
const region = (): string => process.env.AWS_REGION ?? required('AWS_DEFAULT_REGION');
const bucket = (): string => required(env.BUCKET_NAME);

let presigner: S3RequestPresigner | undefined;

/** Virtual-hosted bucket URL: `AWS_ENDPOINT_URL_S3` when set (the local engines), else the regional S3 host. */
function bucketUrl(): URL {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  const base = endpoint ? new URL(endpoint) : new URL(`https://s3.${region()}.amazonaws.com`);
  return new URL(`${base.protocol}//${bucket()}.${base.host}/`);
}

const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');
const objectUrl = (key: string): URL => new URL(encodeKey(key), bucketUrl());

/** An unsigned request for one object, ready for a signer. */
function objectRequest(method: 'GET' | 'PUT', key: string, headers: Record<string, string> = {}): { url: URL; request: HttpRequest } {
  const url = objectUrl(key);
  const request = new HttpRequest({ protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, method, path: url.pathname, headers: { host: url.host, ...headers } });
  return { url, request };
}

export async function presignDownload(key: string, options: { signingDate?: Date } = {}): Promise<string> {
  presigner ??= new S3RequestPresigner({ credentials, region: region(), sha256 });
  const { url, request } = objectRequest('GET', key);
  const signed = await presigner.presign(request, { expiresIn: DOWNLOAD_TTL_SECONDS, ...(options.signingDate && { signingDate: options.signingDate }) });
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(signed.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== null) query.append(name, item);
  }
  return `${url.origin}${url.pathname}?${query.toString()}`;
}

const amzDate = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

/**
 * A presigned POST (S3's browser-upload form): the policy pins the key, the content type and the size
 * range, and is signed with the SigV4 signing key of the day, region and service.
 */
export async function presignUpload(key: string, contentType: string, maxBytes: number, options: { now?: Date } = {}): Promise<{ url: string; fields: Record<string, string> }> {
  const now = options.now ?? new Date();
  const date = amzDate(now);
  const identity = await credentials();
  const fields: Record<string, string> = {
    'Content-Type': contentType,
    bucket: bucket(),
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${identity.accessKeyId}/${createScope(date.slice(0, 8), region(), 's3')}`,
    'X-Amz-Date': date,
    ...(identity.sessionToken && { 'X-Amz-Security-Token': identity.sessionToken }),
  };
  const policy = {
    expiration: new Date(now.getTime() + UPLOAD_TTL_SECONDS * 1000).toISOString(),
    conditions: [['eq', '$key', key], ['eq', '$Content-Type', contentType], ['content-length-range', 1, maxBytes], ...Object.entries(fields).map(([name, value]) => ({ [name]: value })), { key }],
  };
  const encodedPolicy = Buffer.from(JSON.stringify(policy)).toString('base64');
  const signingKey = await getSigningKey(sha256, identity, date.slice(0, 8), region(), 's3');
  const signature = createHmac('sha256', Buffer.from(signingKey)).update(encodedPolicy).digest('hex');
  return { url: bucketUrl().toString(), fields: { ...fields, key, Policy: encodedPolicy, 'X-Amz-Signature': signature } };
}

const HEAD_BYTES = 32;

/** Size and first bytes of an object, from one ranged GET of a presigned link; `exists: false` if nothing was uploaded. */
export async function inspectObject(key: string): Promise<StoredObjectFacts> {
  const response = await fetch(await presignDownload(key), { headers: { range: `bytes=0-${HEAD_BYTES - 1}` } });
  if (response.status === 404) return { exists: false };
  // An empty object cannot satisfy a byte range.
  if (response.status === 416) return { exists: true, size: 0, head: new Uint8Array() };
  if (!response.ok) throw new Error(`Reading ${key} failed: ${response.status}`);
  const head = new Uint8Array(await response.arrayBuffer()).slice(0, HEAD_BYTES);
  const total = response.headers.get('content-range')?.split('/')[1];
  const size = total && total !== '*' ? Number(total) : Number(response.headers.get('content-length') ?? head.length);
  return { exists: true, size, head };
}

let signer: SignatureV4 | undefined;

/** A header-signed S3 CopyObject request (PUT of the target, naming the source). */
export async function signCopy(sourceKey: string, targetKey: string, signingDate?: Date) {
  signer ??= new SignatureV4({ credentials, region: region(), service: 's3', sha256, uriEscapePath: false, applyChecksum: false });
  const { url, request } = objectRequest('PUT', targetKey, { 'x-amz-copy-source': `/${bucket()}/${encodeKey(sourceKey)}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
  return { url, signed: await signer.sign(request, signingDate ? { signingDate } : {}) };
}

/**
 * Copies an object to a key only the platform writes. Moderation checks and publishes the copy, so a
 * second post to a still-valid upload ticket cannot swap what was approved.
 */
export async function copyObject(sourceKey: string, targetKey: string): Promise<'copied' | 'missing'> {
  const { url, signed } = await signCopy(sourceKey, targetKey);
  const response = await fetch(url, { method: 'PUT', headers: signed.headers });
  // S3 may answer 200 and put the error in the body of a copy.
  const body = await response.text();
  if (response.status === 404 || body.includes('<Code>NoSuchKey</Code>')) return 'missing';
  if (!response.ok || body.includes('<Error>')) throw new Error(`Copying ${sourceKey} failed: ${response.status} ${body.slice(0, 200)}`);
  return 'copied';
}
