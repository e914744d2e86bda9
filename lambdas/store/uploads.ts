/**
 * Upload records tie an S3 key to its owner and purpose, so a body that names an `uploadId` can be
 * checked: it must be the caller's, uploaded for this purpose, and not used before. Quota counters cap
 * how many uploads one user starts per hour. The keys are in the entity definitions below;
 * docs/architecture.md lists them.
 */
import * as z from 'zod/mini';
import { uploadPurposes, type UploadPurpose } from '../domain/media.js';
import { batchGetItems } from './batch.js';
import { defineEntity, schemaOf } from './entity.js';
import { guarded, putNew, update, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** The upload exists and is used by nothing else yet (or by the same entity: a retry, an edit). */
    uploadUnused: true;
    /** Its owner has started fewer than the hourly limit of uploads this hour. */
    uploadQuota: true;
  }
}

export interface UploadRecord {
  uploadId: string;
  ownerId: string;
  purpose: UploadPurpose;
  contentType: string;
  /** The length the uploader declared: the form takes no larger file. */
  maxBytes: number;
  /** Where the uploader's form writes (incoming/…): untrusted bytes. */
  key: string;
  createdAt: string;
  /** The entity that uses the upload (a dispute, a review, …); set in that entity's own transaction. */
  usedBy?: string | undefined;
}

export const uploadEntity = defineEntity({
  name: 'upload',
  schema: schemaOf<UploadRecord>()(
    z.object({
      uploadId: z.string(),
      ownerId: z.string(),
      purpose: z.enum(uploadPurposes),
      contentType: z.string(),
      maxBytes: z.int(),
      key: z.string(),
      createdAt: z.string(),
      usedBy: z.optional(z.string()),
    }),
  ),
  patterns: { PK: 'UPLOAD#<uploadId>', SK: 'UPLOAD' },
  key: ({ uploadId }: { uploadId: string }) => ({ PK: `UPLOAD#${uploadId}`, SK: 'UPLOAD' }),
});

/** Uploads one user started in one hour; TTL removes the counter a day after its hour. */
export interface UploadQuota {
  count: number;
  expiresAt: number;
}

export const uploadQuotaEntity = defineEntity({
  name: 'uploadQuota',
  schema: schemaOf<UploadQuota>()(z.object({ count: z.int(), expiresAt: z.int() })),
  patterns: { PK: 'UPLOADQUOTA#<userId>', SK: 'HOUR#<yyyy-mm-ddThh>' },
  key: ({ userId, hour }: { userId: string; hour: string }) => ({ PK: `UPLOADQUOTA#${userId}`, SK: `HOUR#${hour}` }),
});

const hourOf = (now: Date): string => now.toISOString().slice(0, 13);

/**
 * A new upload record and its count against its owner's hour, for one transaction: the `uploadQuota`
 * guard fails when `limit` uploads were already started that hour. The counter outlives its hour by a
 * day, then TTL removes it.
 */
export function uploadWrites(record: UploadRecord, quota: { now: Date; limit: number }): Write[] {
  const counter = guarded(
    'uploadQuota',
    update(
      uploadQuotaEntity.key({ userId: record.ownerId, hour: hourOf(quota.now) }),
      'ADD #count :one SET entity = :entity, expiresAt = :expiresAt',
      { '#count': 'count' },
      { ':one': 1, ':entity': uploadQuotaEntity.name, ':expiresAt': Math.floor(quota.now.getTime() / 1000) + 25 * 60 * 60 },
      { expression: 'attribute_not_exists(#count) OR #count < :limit', values: { ':limit': quota.limit } },
    ),
  );
  return [counter, putNew(uploadEntity.item(record))];
}

/** The uploads' records, read consistently (a claim may have just committed). */
export async function getUploads(uploadIds: readonly string[]): Promise<Map<string, UploadRecord>> {
  const items = uploadIds.length === 0 ? [] : await batchGetItems(uploadIds.map((uploadId) => uploadEntity.key({ uploadId })), { consistent: true });
  return new Map(items.map(uploadEntity.parse).map((record) => [record.uploadId, record]));
}

/**
 * Writes that mark uploads as used by `usedBy`, for the transaction that stores what uses them. Each
 * fails its `uploadUnused` guard (and with it the transaction) if the upload is gone or already used by
 * something else; used by the same `usedBy` passes, so a retried request or an edit that keeps its
 * files still commits.
 */
export const claimUploads = (uploadIds: readonly string[], usedBy: string): Write[] =>
  uploadIds.map((uploadId) =>
    guarded(
      'uploadUnused',
      update(uploadEntity.key({ uploadId }), 'SET usedBy = :usedBy', undefined, { ':usedBy': usedBy }, { expression: 'attribute_exists(PK) AND (attribute_not_exists(usedBy) OR usedBy = :usedBy)' }),
    ),
  );
