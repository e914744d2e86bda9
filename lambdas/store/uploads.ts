/**
 * Upload records tie an S3 key to its owner and purpose, so a body that names an `uploadId` can be
 * checked: it must be the caller's, uploaded for this purpose, and not used before. Quota counters cap
 * how many uploads one user starts per hour.
 *   UPLOAD#<id> / UPLOAD                        the record; `usedBy` once a write names it
 *   UPLOADQUOTA#<userId> / HOUR#<yyyy-mm-ddThh> uploads started that hour (TTL'd)
 */
import * as z from 'zod/mini';
import { uploadPurposes } from '../domain/media.js';
import { tableName } from '../platform/config.js';
import { batchGetItems } from './batch.js';
import { ConflictError, putNew, transact, type TransactItem } from './transactions.js';

const UploadRecord = z.object({
  uploadId: z.string(),
  ownerId: z.string(),
  purpose: z.enum(uploadPurposes),
  contentType: z.string(),
  /** The length the uploader declared: the form takes no larger file. */
  maxBytes: z.int(),
  /** Where the uploader's form writes (incoming/…): untrusted bytes. */
  key: z.string(),
  createdAt: z.string(),
  /** The entity that uses the upload (a dispute, a review, …); set in that entity's own transaction. */
  usedBy: z.optional(z.string()),
});
export type UploadRecord = z.infer<typeof UploadRecord>;

const uploadKey = (uploadId: string) => ({ PK: `UPLOAD#${uploadId}`, SK: 'UPLOAD' });

/**
 * Stores a new upload record and counts it against its owner's hour, in one transaction: 'over-quota'
 * (and nothing written) when `limit` uploads were already started that hour. The counter outlives its
 * hour by a day, then TTL removes it.
 */
export async function saveUpload(record: UploadRecord, quota: { now: Date; limit: number }): Promise<'saved' | 'over-quota'> {
  const counter = {
    Update: {
      TableName: tableName(),
      Key: { PK: `UPLOADQUOTA#${record.ownerId}`, SK: `HOUR#${quota.now.toISOString().slice(0, 13)}` },
      UpdateExpression: 'ADD #count :one SET entity = :entity, expiresAt = :expiresAt',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':one': 1, ':limit': quota.limit, ':entity': 'uploadQuota', ':expiresAt': Math.floor(quota.now.getTime() / 1000) + 25 * 60 * 60 },
    },
  };
  try {
    await transact([counter, putNew({ ...uploadKey(record.uploadId), entity: 'upload', ...record })]);
    return 'saved';
  } catch (error) {
    // The counter is the first write; the record's id is new, so its put does not fail.
    if (error instanceof ConflictError && error.reasons[0] === 'ConditionalCheckFailed') return 'over-quota';
    throw error;
  }
}

export async function getUploads(uploadIds: readonly string[]): Promise<Map<string, UploadRecord>> {
  const items = uploadIds.length === 0 ? [] : await batchGetItems(uploadIds.map(uploadKey), { consistent: true });
  return new Map(items.map((item) => UploadRecord.parse(item)).map((record) => [record.uploadId, record]));
}

/**
 * Writes that mark uploads as used by `usedBy`, for the transaction that stores what uses them. Each
 * fails (and with it the transaction) if the upload is gone or already used by something else; used by
 * the same `usedBy` passes, so a retried request or an edit that keeps its files still commits.
 */
export const claimUploads = (uploadIds: readonly string[], usedBy: string): TransactItem[] =>
  uploadIds.map((uploadId) => ({
    Update: {
      TableName: tableName(),
      Key: uploadKey(uploadId),
      UpdateExpression: 'SET usedBy = :usedBy',
      ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(usedBy) OR usedBy = :usedBy)',
      ExpressionAttributeValues: { ':usedBy': usedBy },
    },
  }));
