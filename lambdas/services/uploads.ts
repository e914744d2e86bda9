/** Uploads: a presigned POST per file, and the check that a body only names the caller's own uploads. */
import { DomainError } from '../domain/errors.js';
import { maxBytesFor, uploadRules, type UploadPurpose } from '../domain/media.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { newId } from '../platform/ids.js';
import { presignUpload, UPLOAD_TTL_SECONDS } from '../store/files.js';
import { getUploads, saveUpload, type UploadRecord } from '../store/uploads.js';

export async function createUpload(principal: Principal, request: { purpose: UploadPurpose; contentType: string; contentLength: number }) {
  const maxBytes = maxBytesFor(request.purpose, request.contentType);
  if (maxBytes === undefined) {
    const allowed = Object.keys(uploadRules[request.purpose].types).join(', ');
    throw new DomainError('CONTENT_TYPE_NOT_ALLOWED', `${request.purpose} accepts ${allowed}.`, [{ path: 'body.contentType', message: `one of ${allowed}` }]);
  }
  if (request.contentLength > maxBytes) {
    throw new DomainError('FILE_TOO_LARGE', `${request.contentType} files for ${request.purpose} are limited to ${maxBytes} bytes.`, [{ path: 'body.contentLength', message: `at most ${maxBytes}` }]);
  }
  const uploadId = newId('upl');
  // The key says nothing about who uploaded it: review media URLs are shown to the public and the seller.
  const key = `${uploadRules[request.purpose].keyPrefix}/${uploadId}`;
  const now = clock.now();
  const record: UploadRecord = { uploadId, ownerId: principal.userId, purpose: request.purpose, contentType: request.contentType, maxBytes, key, createdAt: now.toISOString() };
  const post = await presignUpload(key, request.contentType, maxBytes);
  await saveUpload(record);
  return { uploadId, key, url: post.url, fields: post.fields, expiresAt: new Date(now.getTime() + UPLOAD_TTL_SECONDS * 1000).toISOString(), maxBytes };
}

/**
 * The uploads a body names, in the order named. Someone else's upload, or one made for another purpose,
 * is refused as invalid input (API.md) — without saying whether it exists.
 */
export async function resolveUploads(ownerId: string, uploadIds: readonly string[], purpose: UploadPurpose, path: string): Promise<UploadRecord[]> {
  const found = await getUploads(uploadIds);
  const errors = uploadIds.flatMap((uploadId, index) => {
    const upload = found.get(uploadId);
    return upload && upload.ownerId === ownerId && upload.purpose === purpose ? [] : [{ path: `${path}.${index}`, message: `not one of your ${purpose} uploads` }];
  });
  if (new Set(uploadIds).size !== uploadIds.length) errors.push({ path, message: 'the same upload is named twice' });
  if (errors.length > 0) throw new DomainError('UPLOAD_NOT_USABLE', 'Some uploads cannot be used here.', errors);
  return uploadIds.map((uploadId) => found.get(uploadId) as UploadRecord);
}
