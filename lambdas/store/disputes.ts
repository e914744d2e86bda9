/**
 * Disputes and refunds in the single table. A dispute's partition holds the dispute and its timeline
 * (EVENT# sorts after DISPUTE, so one Query reads both); a refund is an item of its own. The keys are
 * in the entity definitions below; docs/architecture.md lists them.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { DEADLINE_NAMES, DISPUTE_REASONS, DISPUTE_STATUSES, type Dispute, type TimelineEntry } from '../domain/disputes.js';
import { MAX_ATTEMPTS, REFUND_STATUSES, type Refund } from '../domain/refunds.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, MoneySchema, nullableString, pad, schemaOf } from './entity.js';
import { indexPage, partitionItems } from './reads.js';
import { putNew, putVersioned, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** The dispute item is still at the version the decision read. */
    disputeVersion: true;
    /** The refund record is still at the version the decision read. */
    refundVersion: true;
  }
}


const MediaRefSchema = z.object({ uploadId: z.string(), key: z.string(), contentType: z.string() });
const TermsSchema = z.object({ type: z.enum(['REFUND', 'RETURN_AND_REFUND']), amount: z.int() });

const DisputeSchema = schemaOf<Dispute>()(
  z.object({
    disputeId: z.string(),
    orderId: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    currency: z.string(),
    reason: z.enum(DISPUTE_REASONS),
    // Disputes from before lines were recorded read as the whole order (domain/dispute-lines.ts linesOf).
    lines: z._default(z.array(z.object({ productId: z.string(), quantity: z.int() })), []),
    request: TermsSchema,
    description: z.string(),
    evidence: z.array(MediaRefSchema),
    status: z.enum(DISPUTE_STATUSES),
    counterOffer: z.nullable(TermsSchema),
    agreement: z.nullable(z.object({ terms: TermsSchema, how: z.string(), at: z.string() })),
    returnShipment: z.nullable(
      z.object({ status: z.enum(['AWAITING_SHIPMENT', 'SHIPPED', 'DELIVERED', 'RECEIVED']), carrier: nullableString, trackingNumber: nullableString, shippedAt: nullableString, deliveredAt: nullableString }),
    ),
    proposal: z.nullable(z.object({ refundAmount: z.int(), returnRequired: z.boolean(), rule: z.string(), rationale: z.string() })),
    caseFile: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
    decision: z.nullable(z.object({ refundAmount: z.int(), returnRequired: z.boolean(), rationale: z.string(), decidedBy: z.string(), at: z.string() })),
    resolution: z.nullable(z.object({ outcome: z.enum(['REFUNDED', 'NO_REFUND', 'WITHDRAWN']), refundAmount: z.int(), refundId: nullableString, at: z.string() })),
    deadlines: z.partialRecord(z.enum(DEADLINE_NAMES), z.string()),
    firstResponseAt: nullableString,
    escalatedAt: nullableString,
    decisionDueBy: z.optional(nullableString),
    appeal: z.optional(
      z.nullable(
        z.object({
          by: z.enum(['buyer', 'seller']),
          statement: z.string(),
          evidence: z.array(MediaRefSchema),
          at: z.string(),
          decision: z.nullable(z.object({ refundAmount: z.int(), compensation: z.int(), rationale: z.string(), decidedBy: z.string(), at: z.string() })),
        }),
      ),
    ),
    appealClosedAt: z.optional(nullableString),
    openedAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
  }),
);

export const disputeEntity = defineEntity({
  name: 'dispute',
  schema: DisputeSchema,
  patterns: {
    PK: 'DISPUTE#<disputeId>',
    SK: 'DISPUTE',
    GSI1: 'BUYER#<buyerId>#DISPUTES / <openedAt>#<disputeId>',
    GSI2: 'SELLER#<sellerId>#DISPUTES / <openedAt>#<disputeId>',
    GSI3: 'DISPUTES#<ESCALATED|APPEALED> / <decisionDueBy>#<disputeId>',
  },
  key: ({ disputeId }: { disputeId: string }) => ({ PK: `DISPUTE#${disputeId}`, SK: 'DISPUTE' }),
  indexes: (dispute) => {
    const sortKey = `${dispute.openedAt}#${dispute.disputeId}`;
    return {
      GSI1PK: `BUYER#${dispute.buyerId}#DISPUTES`,
      GSI1SK: sortKey,
      GSI2PK: `SELLER#${dispute.sellerId}#DISPUTES`,
      GSI2SK: sortKey,
      // The admins' queues hold the disputes waiting for a decision (sparse), the one due first first.
      ...((dispute.status === 'ESCALATED' || dispute.status === 'APPEALED') && { GSI3PK: `DISPUTES#${dispute.status}`, GSI3SK: `${dispute.decisionDueBy ?? dispute.escalatedAt}#${dispute.disputeId}` }),
    };
  },
});

export const timelineEntity = defineEntity({
  name: 'disputeEvent',
  schema: schemaOf<TimelineEntry>()(
    z.object({
      at: z.string(),
      actor: z.enum(['buyer', 'seller', 'admin', 'system']),
      action: z.string(),
      message: nullableString,
      evidence: z.array(MediaRefSchema),
      amount: z.nullable(z.int()),
      terms: z.nullable(TermsSchema),
    }),
  ),
  patterns: { PK: 'DISPUTE#<disputeId>', SK: 'EVENT#<at>#<disputeVersion:6>#<n>' },
  // Entries of one change share its instant and version; their index in the change keeps them apart, in order.
  key: ({ disputeId, at, disputeVersion, n }: { disputeId: string; at: string; disputeVersion: number; n: number }) => ({
    PK: `DISPUTE#${disputeId}`,
    SK: `EVENT#${at}#${pad(disputeVersion, 6)}#${n}`,
  }),
});

export const refundEntity = defineEntity({
  name: 'refund',
  schema: schemaOf<Refund>()(
    z.object({
      refundId: z.string(),
      orderId: z.string(),
      disputeId: nullableString,
      buyerId: z.string(),
      sellerId: z.string(),
      amount: MoneySchema,
      paymentReference: z.string(),
      status: z.enum(REFUND_STATUSES),
      requestedAt: z.string(),
      expectedBy: z.string(),
      // Refunds stored before the provider port had none of these: they read as never attempted.
      attempts: z._default(z.int(), 0),
      attemptLimit: z._default(z.int(), MAX_ATTEMPTS),
      providerRefundId: z._default(nullableString, null),
      lastFailure: z._default(nullableString, null),
      paidManually: z._default(z.nullable(z.object({ reference: z.string(), by: z.string() })), null),
      chargebackOffset: z._default(z.nullable(z.object({ chargebackId: z.string(), amount: z.int() })), null),
      history: z.array(z.object({ status: z.enum(REFUND_STATUSES), at: z.string() })),
      updatedAt: z.string(),
      version: z.int(),
    }),
  ),
  patterns: { PK: 'REFUND#<refundId>', SK: 'REFUND', GSI1: 'REFUNDS#FAILED / <updatedAt>#<refundId>' },
  key: ({ refundId }: { refundId: string }) => ({ PK: `REFUND#${refundId}`, SK: 'REFUND' }),
  // The admins' queue of FAILED refunds (sparse: a refund leaves it when retried or marked paid).
  indexes: (refund) => (refund.status === 'FAILED' ? { GSI1PK: 'REFUNDS#FAILED', GSI1SK: `${refund.updatedAt}#${refund.refundId}` } : {}),
});

/** The FAILED refunds, oldest first: the admins' queue (GET /v1/admin/refunds?status=FAILED). */
export async function listFailedRefunds(limit: number, startKey: Record<string, unknown> | undefined) {
  const { items, lastKey } = await indexPage({ index: 'GSI1', partition: 'REFUNDS#FAILED', limit, startKey, oldestFirst: true });
  return { refunds: items.map(refundEntity.parse), lastKey };
}

/** The dispute (guarded by the version it was read at) and its new timeline entries. */
export function disputeWrites(previousVersion: number | null, dispute: Dispute, timeline: TimelineEntry[]): Write[] {
  const item = disputeEntity.item(dispute);
  const write = putVersioned('disputeVersion', item, previousVersion);
  return [write, ...timeline.map((entry, n) => putNew(timelineEntity.item(entry, { disputeId: dispute.disputeId, disputeVersion: dispute.version, n })))];
}

export const refundWrite = (refund: Refund, previousVersion: number | null): Write =>
  putVersioned('refundVersion', refundEntity.item(refund), previousVersion);

/** The dispute and its whole timeline in one Query. */
export async function getDisputeWithTimeline(disputeId: string): Promise<{ dispute: Dispute; timeline: TimelineEntry[] } | undefined> {
  const items = await partitionItems(disputeEntity.key({ disputeId }).PK);
  const found = items.find((item) => item.SK === 'DISPUTE');
  if (!found) return undefined;
  return { dispute: disputeEntity.parse(found), timeline: items.filter((item) => String(item.SK).startsWith('EVENT#')).map(timelineEntity.parse) };
}

export async function getRefund(refundId: string): Promise<Refund | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: refundEntity.key({ refundId }), ConsistentRead: true }));
  return Item ? refundEntity.parse(Item) : undefined;
}

/** Whose disputes: a buyer's, a seller's (newest first), or an admins' queue (escalated or appealed, the decision due first first). */
export type DisputeList = { party: 'buyer' | 'seller'; userId: string } | { party: 'admin'; queue: 'ESCALATED' | 'APPEALED' };

export async function listDisputes(list: DisputeList, limit: number, startKey: Record<string, unknown> | undefined) {
  const { index, partition } =
    list.party === 'admin'
      ? { index: 'GSI3' as const, partition: `DISPUTES#${list.queue}` }
      : list.party === 'seller'
        ? { index: 'GSI2' as const, partition: `SELLER#${list.userId}#DISPUTES` }
        : { index: 'GSI1' as const, partition: `BUYER#${list.userId}#DISPUTES` };
  const { items, lastKey } = await indexPage({ index, partition, limit, startKey, oldestFirst: index === 'GSI3' });
  return { disputes: items.map(disputeEntity.parse), lastKey };
}
