/**
 * Uploads: a presigned POST per file, and adoption — the one way an uploaded file becomes something
 * anyone else sees. What the uploader's form wrote (incoming/…) is never shown: adoption copies it to a
 * key no form can write and checks the copy's bytes, so re-posting the form later changes nothing
 * (docs/decisions/012-uploads.md).
 */
import { DomainError, type FieldError } from '../domain/errors.js';
import { checkStoredMedia, maxBytesFor, uploadRules, UPLOADS_PER_HOUR, type MediaFinding, type UploadPurpose } from '../domain/media.js';
import type { Principal } from '../platform/auth.js';
import type { GuardName } from '../store/transactions.js';
import { runCommand, type Refusal } from './command.js';
import { clock } from '../platform/clock.js';
import { newId } from '../platform/ids.js';
import { copyObject, incomingKey, inspectObject, isOwnedKey, newOwnedKey, presignUpload, UPLOAD_TTL_SECONDS } from '../store/files.js';
import { getUploads, uploadWrites, type UploadRecord } from '../store/uploads.js';

export async function createUpload(principal: Principal, request: { purpose: UploadPurpose; contentType: string; contentLength: number }) {
  const rule = uploadRules[request.purpose];
  if (!rule.uploaders.some((role) => principal.roles.includes(role))) {
    const who = rule.uploaders.map((role) => `${role}s`).join(' and ');
    throw new DomainError('FORBIDDEN_ROLE', `Only ${who} upload ${request.purpose} files.`, [{ path: 'body.purpose', message: `for ${who} only` }]);
  }
  const maxBytes = maxBytesFor(request.purpose, request.contentType);
  if (maxBytes === undefined) {
    const allowed = Object.keys(rule.types).join(', ');
    throw new DomainError('CONTENT_TYPE_NOT_ALLOWED', `${request.purpose} accepts ${allowed}.`, [{ path: 'body.contentType', message: `one of ${allowed}` }]);
  }
  if (request.contentLength > maxBytes) {
    throw new DomainError('FILE_TOO_LARGE', `${request.contentType} files for ${request.purpose} are limited to ${maxBytes} bytes.`, [{ path: 'body.contentLength', message: `at most ${maxBytes}` }]);
  }
  const now = clock.now();
  const uploadId = newId('upl');
  // The key says nothing about who uploaded it: copies of it are shown to the other party or the public.
  const key = incomingKey(request.purpose, uploadId);
  // The form takes no file larger than declared, so the declared length is the bound adoption checks too.
  const record: UploadRecord = { uploadId, ownerId: principal.userId, purpose: request.purpose, contentType: request.contentType, maxBytes: request.contentLength, key, createdAt: now.toISOString() };
  const post = await presignUpload(key, request.contentType, request.contentLength);
  // Uploads of one user started at once all ADD to the same hour counter: a transaction that loses to
  // another on it is tried again (by the kernel) rather than answered 500.
  await runCommand({
    subject: 'upload quota',
    load: async () => undefined,
    decide: () => ({ writes: uploadWrites(record, { now, limit: UPLOADS_PER_HOUR }), result: undefined }),
    refusals: { uploadQuota: new DomainError('UPLOAD_QUOTA_EXCEEDED', `At most ${UPLOADS_PER_HOUR} uploads an hour; try again next hour.`) },
    maxAttempts: 8,
  });
  return { uploadId, key, url: post.url, fields: post.fields, expiresAt: new Date(now.getTime() + UPLOAD_TTL_SECONDS * 1000).toISOString(), maxBytes: request.contentLength };
}

/** An upload as the entity that uses it stores it: `key` is the platform's checked copy. */
interface AdoptedUpload {
  uploadId: string;
  key: string;
  contentType: string;
}

const notUsable = (errors: FieldError[]) => new DomainError('UPLOAD_NOT_USABLE', 'Some uploads cannot be used here.', errors);

/** An upload is used by one entity: one the body names that another entity than `usedBy` uses, as a field error. */
const usedElsewhere = (upload: UploadRecord | undefined, usedBy: string | undefined, at: string): FieldError[] =>
  upload?.usedBy !== undefined && upload.usedBy !== usedBy ? [{ path: at, message: 'already used; upload the file again' }] : [];

/**
 * The records of the uploads a body names, in the order named. Someone else's upload, or one made for
 * another purpose, is refused as invalid input (API.md) — without saying whether it exists. An upload
 * already used by another entity than `usedBy` is refused too (the claim in that entity's transaction is
 * what decides a race; this answers the common case before any copy is made).
 */
async function namedUploads(ownerId: string, uploadIds: readonly string[], purpose: UploadPurpose, path: string, usedBy: string | undefined): Promise<UploadRecord[]> {
  const found = await getUploads(uploadIds);
  const errors: FieldError[] = uploadIds.flatMap((uploadId, index) => {
    const upload = found.get(uploadId);
    if (!upload || upload.ownerId !== ownerId || upload.purpose !== purpose) return [{ path: `${path}.${index}`, message: `not one of your ${purpose} uploads` }];
    return usedElsewhere(upload, usedBy, `${path}.${index}`);
  });
  if (new Set(uploadIds).size !== uploadIds.length) errors.push({ path, message: 'the same upload is named twice' });
  if (errors.length > 0) throw notUsable(errors);
  return uploadIds.map((uploadId) => found.get(uploadId) as UploadRecord);
}

/**
 * The refusals of a command whose transaction includes `claimUploads(uploadIds, usedBy)`. A failed claim
 * means another request took one of the files between adoption and commit: the answer names them. But
 * if what the command read changed too (`readGuards`, e.g. the order's version), it is decided again
 * first, so a duplicate submission gets the rule's own answer (DISPUTE_ALREADY_OPEN), not "already used".
 */
export function claimRefusals(uploadIds: readonly string[], usedBy: string, path: string, readGuards: readonly GuardName[]): Partial<Record<GuardName, Refusal<unknown>>> {
  const decideAgain = () => 'retry' as const;
  const claimLost = async (): Promise<DomainError | 'retry'> => {
    const found = await getUploads(uploadIds);
    const errors = uploadIds.flatMap((uploadId, index) => usedElsewhere(found.get(uploadId), usedBy, `${path}.${index}`));
    return errors.length > 0 ? notUsable(errors) : 'retry';
  };
  return { ...Object.fromEntries(readGuards.map((guard) => [guard, decideAgain])), uploadUnused: claimLost };
}

/**
 * Copies an upload to a platform-owned key and checks the copy's bytes (type by magic bytes, size within
 * the declared length and the purpose's limit). A key that is already the platform's is only checked. A
 * missing original keeps its key and is reported missing. Review moderation calls this for review media.
 */
export async function pinUpload(upload: { uploadId: string; key: string; contentType: string; maxBytes?: number }, purpose: UploadPurpose): Promise<{ key: string; findings: MediaFinding[] }> {
  const claimed = { purpose, contentType: upload.contentType, ...(upload.maxBytes !== undefined && { maxBytes: upload.maxBytes }) };
  let key = upload.key;
  if (!isOwnedKey(key)) {
    const target = newOwnedKey(purpose, upload.uploadId);
    if ((await copyObject(upload.key, target)) === 'missing') return { key, findings: checkStoredMedia(claimed, { exists: false }) };
    key = target;
  }
  return { key, findings: checkStoredMedia(claimed, await inspectObject(key)) };
}

/**
 * Adoption: the caller's unused uploads of this purpose, each copied to a platform-owned key and checked
 * by the copy's bytes; 400 UPLOAD_NOT_USABLE naming each bad file otherwise. `usedBy` is the entity the
 * caller is writing, which may name uploads it already uses (a retried request). Include
 * `claimUploads(uploadIds, usedBy)` (store/uploads.ts) in that entity's transaction: it is what makes
 * an upload used once when two requests race.
 */
export async function adoptUploads(ownerId: string, uploadIds: readonly string[], purpose: UploadPurpose, path: string, options: { usedBy?: string } = {}): Promise<AdoptedUpload[]> {
  if (uploadIds.length === 0) return [];
  const uploads = await namedUploads(ownerId, uploadIds, purpose, path, options.usedBy);
  const pinned = await Promise.all(uploads.map(async (upload) => ({ upload, ...(await pinUpload(upload, purpose)) })));
  const errors = pinned.flatMap(({ findings }, index) => findings.map((finding) => ({ path: `${path}.${index}`, message: finding.message })));
  if (errors.length > 0) throw new DomainError('UPLOAD_NOT_USABLE', 'Some files are not what their upload declared.', errors);
  return pinned.map(({ upload, key }) => ({ uploadId: upload.uploadId, key, contentType: upload.contentType }));
}

/**
 * The uploads a body names, ready to store, for the entity `usedBy` whose transaction claims them
 * (`claimUploads`). Purposes checked when used are adopted (adoptUploads). Review media are checked by
 * moderation instead, which rejects the review with a reason its author can read (DOMAIN.md) and pins
 * them (`pinUpload`): here they are only the caller's own unused uploads of that purpose.
 */
export async function resolveUploads(ownerId: string, uploadIds: readonly string[], purpose: UploadPurpose, path: string, usedBy: string): Promise<AdoptedUpload[]> {
  if (uploadRules[purpose].checkedBy === 'adoption') return adoptUploads(ownerId, uploadIds, purpose, path, { usedBy });
  const uploads = await namedUploads(ownerId, uploadIds, purpose, path, usedBy);
  return uploads.map(({ uploadId, key, contentType }) => ({ uploadId, key, contentType }));
}
