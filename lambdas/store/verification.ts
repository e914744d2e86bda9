/**
 * Seller identity verifications: one item per seller in the seller's partition, and a sparse index of
 * the pending ones, oldest first, for the admins' queue. docs/architecture.md lists the keys.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { VERIFICATION_STATUSES, type Verification } from '../domain/verification.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, nullableString, schemaOf } from './entity.js';
import { indexPage } from './reads.js';
import { conditionCheck, guarded, putVersioned, type Guarded, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** The verification is still at the version the change was decided on. */
    verificationVersion: true;
    /** The seller's identity is verified (for a new listing). */
    sellerVerified: true;
  }
}

const PENDING_QUEUE = 'VERIFICATION#PENDING';

export const verificationEntity = defineEntity({
  name: 'sellerVerification',
  schema: schemaOf<Verification>()(
    z.object({
      sellerId: z.string(),
      status: z.enum(VERIFICATION_STATUSES),
      legalName: z.string(),
      documents: z.array(z.object({ uploadId: z.string(), key: z.string(), contentType: z.string() })),
      reasons: z.array(z.string()),
      submittedAt: z.string(),
      decidedAt: nullableString,
      decidedBy: nullableString,
      submissions: z.int(),
      version: z.int(),
    }),
  ),
  patterns: { PK: 'SELLER#<sellerId>', SK: 'VERIFICATION', GSI1: 'VERIFICATION#PENDING / <submittedAt>#<sellerId>' },
  key: ({ sellerId }: { sellerId: string }) => ({ PK: `SELLER#${sellerId}`, SK: 'VERIFICATION' }),
  // Only pending verifications are in the admins' queue (sparse).
  indexes: (verification) => (verification.status === 'PENDING' ? { GSI1PK: PENDING_QUEUE, GSI1SK: `${verification.submittedAt}#${verification.sellerId}` } : {}),
});

export async function getVerification(sellerId: string): Promise<Verification | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: verificationEntity.key({ sellerId }), ConsistentRead: true }));
  return Item ? verificationEntity.parse(Item) : undefined;
}

/** Saves a submission or a decision over the version that was read (none for a first submission). */
export const verificationWrite = (next: Verification, previous: Verification | undefined): Write =>
  putVersioned('verificationVersion', verificationEntity.item(next), previous ? previous.version : null);

/** The write-time check that a new listing's seller is verified. */
export const sellerVerified = (sellerId: string): Guarded =>
  guarded('sellerVerified', conditionCheck(verificationEntity.key({ sellerId }), '#status = :approved', { '#status': 'status' }, { ':approved': 'APPROVED' }));

export async function listPendingVerifications(limit: number, startKey?: Record<string, unknown>) {
  const { items, lastKey } = await indexPage({ index: 'GSI1', partition: PENDING_QUEUE, limit, startKey, oldestFirst: true });
  return { verifications: items.map(verificationEntity.parse), lastKey };
}
