/**
 * The private media bucket, signed by hand-off rather than through an S3 client: presigned POSTs whose
 * policy pins key, type and size (the uploader posts straight to S3), short-lived presigned GETs (links in
 * responses), a ranged GET of an object's first bytes and a CopyObject, so the platform can check and
 * keep its own copy of what was really uploaded. One SigV4 signer signs all of them; signing needs only
 * the SigV4 primitives, so no function bundles the S3 client (about 200 KB). The signatures are checked
 * against SigV4 as AWS documents it in test/unit/files.test.ts.
 *
 * Key layout (docs/decisions/012-uploads.md):
 *   incoming/<purpose-prefix>/<uploadId>   written by the uploader's presigned POST: untrusted, expires after a day
 *   owned/<purpose-prefix>/<uploadId>.<nonce>   the platform's checked copies, written only by platform code
 *   private/kyc/<uploadId>.<nonce>              the same for identity documents
 */
import { randomBytes } from 'node:crypto';
import { mediaPrefixes } from '../../lib/constructs/media-prefixes.js';
import { isIP } from 'node:net';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { createScope, SignatureV4 } from '@smithy/signature-v4';
import { uploadRules, type StoredObjectFacts, type UploadPurpose } from '../domain/media.js';
import { env, region, required } from '../platform/config.js';

export const UPLOAD_TTL_SECONDS = 15 * 60;
export const DOWNLOAD_TTL_SECONDS = 15 * 60;

const credentials = fromEnv();
const sha256 = Hash.bind(null, 'sha256');
const bucket = (): string => required(env.BUCKET_NAME);

/** Where an uploader's presigned POST writes: nothing there is trusted or shown. */
export const incomingKey = (purpose: UploadPurpose, uploadId: string): string => `${mediaPrefixes.incoming}${uploadRules[purpose].keyPrefix}/${uploadId}`;

/**
 * A fresh key for a platform-owned copy. Each copy gets its own key, so two requests adopting one upload
 * at once (only one of them can claim it) never overwrite each other's checked bytes.
 */
export const newOwnedKey = (purpose: UploadPurpose, uploadId: string): string =>
  `${uploadRules[purpose].private ? mediaPrefixes.privateDocuments : `${mediaPrefixes.owned}${uploadRules[purpose].keyPrefix}/`}${uploadId}.${randomBytes(6).toString('hex')}`;

/** Whether a key is one of the platform's own copies (no upload form can write there). */
export const isOwnedKey = (key: string): boolean => key.startsWith(mediaPrefixes.owned) || key.startsWith(mediaPrefixes.privateDocuments);

let signer: SignatureV4 | undefined;
const sigv4 = (): SignatureV4 => (signer ??= new SignatureV4({ credentials, region: region(), service: 's3', sha256, uriEscapePath: false, applyChecksum: false }));

/**
 * The bucket's URL: `AWS_ENDPOINT_URL_S3` when set (the local engines), else the regional S3 host.
 * Virtual-hosted style (`<bucket>.<host>`) as AWS wants it, except on an IP-address endpoint, where a
 * bucket cannot be a subdomain: there it is path-style (`<host>/<bucket>`), as the S3 endpoint rules do.
 * The local host serves S3 on 127.0.0.1 so that every HTTP client can reach its links, not only the
 * resolvers that know `*.localhost` (API.md, Uploads).
 */
function bucketUrl(): URL {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  const base = endpoint ? new URL(endpoint) : new URL(`https://s3.${region()}.amazonaws.com`);
  const pathStyle = isIP(base.hostname.replace(/^\[|\]$/g, '')) !== 0;
  return pathStyle ? new URL(`${base.origin}/${bucket()}/`) : new URL(`${base.protocol}//${bucket()}.${base.host}/`);
}

/** Where an upload form posts: the bucket itself (path-style: `<host>/<bucket>`, without a trailing slash). */
function formUrl(): string {
  const url = bucketUrl();
  return url.pathname === '/' ? url.toString() : url.toString().slice(0, -1);
}

const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

/** An unsigned request for one object, ready for the signer. */
function objectRequest(method: 'GET' | 'PUT', key: string, headers: Record<string, string> = {}): { url: URL; request: HttpRequest } {
  const url = new URL(encodeKey(key), bucketUrl());
  const request = new HttpRequest({ protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, method, path: url.pathname, headers: { host: url.host, ...headers } });
  return { url, request };
}

/** S3 signs no payload of a presigned GET or a copy. */
const UNSIGNED_PAYLOAD = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };

export async function presignDownload(key: string, options: { signingDate?: Date } = {}): Promise<string> {
  const { url, request } = objectRequest('GET', key, UNSIGNED_PAYLOAD);
  const signed = await sigv4().presign(request, { expiresIn: DOWNLOAD_TTL_SECONDS, ...(options.signingDate && { signingDate: options.signingDate }) });
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(signed.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== null) query.append(name, item);
  }
  return `${url.origin}${url.pathname}?${query.toString()}`;
}

const amzDate = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

/**
 * A presigned POST (S3's browser-upload form): the policy pins the key, the content type and the size
 * range [1, maxBytes], and its signature is the SigV4 signature of the base64 policy.
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
  const signature = await sigv4().sign(encodedPolicy, { signingDate: now });
  return { url: formUrl(), fields: { ...fields, key, Policy: encodedPolicy, 'X-Amz-Signature': signature } };
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

/** A header-signed S3 CopyObject request (PUT of the target, naming the source). */
export async function signCopy(sourceKey: string, targetKey: string, signingDate?: Date) {
  const { url, request } = objectRequest('PUT', targetKey, { 'x-amz-copy-source': `/${bucket()}/${encodeKey(sourceKey)}`, ...UNSIGNED_PAYLOAD });
  return { url, signed: await sigv4().sign(request, signingDate ? { signingDate } : {}) };
}

/**
 * Copies an object to a key only the platform writes. Callers check the copy, never the original, so a
 * second post to a still-valid upload form cannot swap what was checked.
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
