/**
 * Upload records tie an S3 key to its owner and purpose, so a body that names an `uploadId` can be
 * checked: it must be the caller's, and uploaded for this purpose.
 *   UPLOAD#<id> / UPLOAD
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { UploadPurpose } from '../domain/media.js';
import { tableName } from '../platform/config.js';
import { batchGetItems } from './batch.js';
import { withoutKeys } from './reads.js';
import { documentClient } from './client.js';

export interface UploadRecord {
  uploadId: string;
  ownerId: string;
  purpose: UploadPurpose;
  contentType: string;
  maxBytes: number;
  key: string;
  createdAt: string;
}

const uploadKey = (uploadId: string) => ({ PK: `UPLOAD#${uploadId}`, SK: 'UPLOAD' });

export async function saveUpload(record: UploadRecord): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: tableName(), Item: { ...uploadKey(record.uploadId), entity: 'upload', ...record }, ConditionExpression: 'attribute_not_exists(PK)' }));
}

export async function getUploads(uploadIds: readonly string[]): Promise<Map<string, UploadRecord>> {
  const items = uploadIds.length === 0 ? [] : await batchGetItems(uploadIds.map(uploadKey));
  return new Map(
    items.map((item) => [String(item.uploadId), withoutKeys<UploadRecord>(item)]),
  );
}
