/**
 * docs/architecture.md's item table against the entity definitions: every defined entity has its row
 * with the same keys and indexes, every row is a defined entity (or one still to be defined), and every
 * key builder writes what its pattern says.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as disputes from '../../lambdas/domain/disputes.js';
import * as products from '../../lambdas/domain/products.js';
import { createListing } from '../../lambdas/domain/products.js';
import type { Entity, KeyPatterns } from '../../lambdas/store/entity.js';
import * as conversations from '../../lambdas/domain/conversations.js';
import { conversationEntity, conversationKeyEntity, messageEntity } from '../../lambdas/store/conversations.js';
import { disputeEntity, refundEntity, timelineEntity } from '../../lambdas/store/disputes.js';
import { balanceEntryEntity, balanceShards } from '../../lambdas/store/balance.js';
import { idempotencyEntity } from '../../lambdas/store/idempotency.js';
import { paymentEventEntity } from '../../lambdas/store/payment-events.js';
import { ledgerEntity, orderEntity, paymentEntity, trackingEntity } from '../../lambdas/store/orders.js';
import { simulatedFailuresEntity, simulatedPaymentEntity } from '../../lambdas/store/payments.js';
import { productEntity, ratingShards, storeClosedMarkEntity } from '../../lambdas/store/products.js';
import * as reviews from '../../lambdas/domain/reviews.js';
import { publicReviewEntity, publicReviewMediaEntity, reportEntity, reviewEntity, reviewGuardEntity, revisionEntity, textClaimEntity, voteEntity } from '../../lambdas/store/reviews.js';
import { carrierEventEntity, trackingNumberEntity } from '../../lambdas/store/tracking-numbers.js';
import { uploadEntity, uploadQuotaEntity } from '../../lambdas/store/uploads.js';
import { sellerProfileEntity, sellerStatsShards } from '../../lambdas/store/sellers.js';
import { inboxStateEntity, notificationEntity } from '../../lambdas/store/notifications.js';
import { deliveryEntity, webhookEntity } from '../../lambdas/store/webhooks.js';
import { orderFeedbackEntity } from '../../lambdas/store/reputation.js';
import { reputationMarkEntity, sellerBadgesEntity } from '../../lambdas/store/reputation-badges.js';
import { verificationEntity } from '../../lambdas/store/verification.js';
import { penaltyEntryEntity, standingEntity } from '../../lambdas/store/penalties.js';
import { submitVerification } from '../../lambdas/domain/verification.js';
import { requestRefund } from '../../lambdas/domain/refunds.js';
import { anOrder, at, T0 } from './order-builder.js';

/**
 * Items in the table whose modules do not define their entity yet: the timers, whose store module is
 * being rewritten (sharded sweeps) and gets its definitions with that change.
 */
const NOT_YET_DEFINED = ['timer', 'timer sweep progress'];

interface Row {
  item: string;
  pk: string;
  sk: string;
  gsi: string;
}

function itemTable(): Row[] {
  const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Data: one DynamoDB table'), doc.indexOf('### Access patterns'));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| item |') && !line.startsWith('|---'))
    .map((line) => {
      // Cells are split on pipes that are not escaped (`A\|B` is one cell).
      const [item = '', pk = '', sk = '', gsi = ''] = line
        .slice(2, -2)
        .split(/\s*(?<!\\)\|\s*/)
        .map((cell) => cell.replaceAll('\\|', '|'));
      return { item, pk, sk, gsi };
    });
}

const GSIS = ['GSI1', 'GSI2', 'GSI3'] as const;
/** The indexes a row names, as `GSIn (note) \`pattern\``. */
const rowIndexes = (gsi: string): Map<string, string> => new Map([...gsi.matchAll(/(GSI\d)(?: \([^)]*\))? `([^`]+)`/g)].map((match) => [match[1] ?? '', match[2] ?? '']));

/** `<name>` stands for a value without `#`, `<name:6>` for six digits. */
function patternRegex(pattern: string): RegExp {
  const source = pattern
    .split(/(<[^>]+>)/)
    .map((part) => (part.startsWith('<') ? (/:6>$/.test(part) ? '\\d{6}' : '[^#]+') : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

const order = anOrder().shipped().build();
const { dispute } = disputes.openDispute({ disputeId: 'dsp_01ARZ3NDEKTSV4RRFFQ69G5FB2', order, reason: 'DAMAGED', request: { type: 'REFUND', amount: 1000 }, description: 'cracked', evidence: [], now: at(2) });
const escalated: disputes.Dispute = { ...dispute, status: 'ESCALATED', escalatedAt: at(5) };
const listing = createListing('prd_01ARZ3NDEKTSV4RRFFQ69G5FAV', 'seller-1', { title: 'Pour-over coffee dripper', description: 'Ceramic', price: { amount: 2450, currency: 'USD' }, images: [{ uploadId: 'upl_1', key: 'owned/listing-images/upl_1.0a1b2c3d4e5f', contentType: 'image/png' }], category: 'kitchen', guarantee: { returnable: true } }, T0);
const { rating: _rating, ...listingAttributes } = listing;
// Approved (in the public index), and an edit of it left to a person (in the admins' queue).
const approvedListing = products.applyReview(listing, { version: 0, outcome: 'APPROVED', reasons: [], images: listing.images, by: null }, at(1)) ?? listing;
const { rating: _approvedRating, ...approvedAttributes } = approvedListing;
const needsHuman = products.applyReview(products.editListing(approvedListing, { ...approvedListing }, at(2)), { version: 2, outcome: 'NEEDS_HUMAN', reasons: [], images: listing.images, by: null }, at(3)) ?? listing;
const { rating: _queuedRating, ...queuedAttributes } = needsHuman;
const completed = anOrder().shipped(1).completed(6).build();
const written = reviews.createReview({
  reviewId: 'rev_01ARZ3NDEKTSV4RRFFQ69G5FB4',
  order: completed,
  productId: completed.items[0]?.productId ?? '',
  reviewerName: 'Jordan Quintessa',
  content: { rating: 4, text: 'Pours evenly.', media: [{ uploadId: 'upl_1', key: 'owned/review-media/upl_1.0a1b2c3d4e5f', contentType: 'image/png' }], sellerRatings: { itemAsDescribed: 5, communication: 4, shippingSpeed: 3 } },
  now: at(7),
});
const review = reviews.applyModeration(written, 1, 'PUBLISHED', [], at(7.1)) ?? written;
const projection = reviews.publicReviewOf(review);
if (!projection) throw new Error('the published review has no public projection');
const conversation = conversations.openConversation({ conversationId: 'cnv_01ARZ3NDEKTSV4RRFFQ69G5FB6', buyerId: completed.buyerId, sellerId: completed.sellerId, subject: { kind: 'order', id: completed.orderId }, now: at(8) });
const supportCase: conversations.Conversation = { ...conversation, escalatedAt: at(9) };
const pendingVerification = submitVerification(undefined, 'seller-1', { legalName: 'Sam Seller', documents: [] }, T0);
const counters = { ratingCount: 0, ratingSum: 0, ratingH1: 0, ratingH2: 0, ratingH3: 0, ratingH4: 0, ratingH5: 0, ratingWithMedia: 0 };

const failedRefund = {
  ...requestRefund({ refundId: 'rfd_01ARZ3NDEKTSV4RRFFQ69G5FB3', orderId: order.orderId, disputeId: null, buyerId: order.buyerId, sellerId: order.sellerId, amount: order.total, paymentReference: order.paymentReference }, T0),
  status: 'FAILED' as const,
};

/** Each defined entity with keys (and index keys) its builders make from real data. */
const defined: { entity: Pick<Entity<never, never>, 'name' | 'patterns'>; keys: { PK: string; SK: string }[]; indexes: Record<string, string | undefined>[] }[] = [
  { entity: orderEntity, keys: [orderEntity.key(order)], indexes: [orderEntity.indexes(order)] },
  { entity: ledgerEntity, keys: [ledgerEntity.key({ orderId: order.orderId, seq: 1 })], indexes: [] },
  { entity: trackingEntity, keys: [trackingEntity.key({ orderId: order.orderId, occurredAt: at(3), orderVersion: 3 })], indexes: [] },
  { entity: balanceShards.entity, keys: balanceShards.keys({ sellerId: order.sellerId, currency: 'USD' }), indexes: [] },
  {
    entity: balanceEntryEntity,
    keys: [
      balanceEntryEntity.key({ sellerId: order.sellerId, type: 'RELEASE', amount: order.total, orderId: order.orderId, disputeId: null, sourceSeq: 2, at: at(6) }),
      balanceEntryEntity.key({ sellerId: order.sellerId, type: 'COMPENSATION', amount: order.total, orderId: order.orderId, disputeId: dispute.disputeId, sourceSeq: 7, at: at(9) }),
    ],
    indexes: [],
  },
  { entity: paymentEntity, keys: [paymentEntity.key({ provider: 'simulated', paymentReference: order.paymentReference })], indexes: [] },
  { entity: simulatedPaymentEntity, keys: [simulatedPaymentEntity.key({ reference: order.paymentReference })], indexes: [] },
  { entity: simulatedFailuresEntity, keys: [simulatedFailuresEntity.key({})], indexes: [] },
  { entity: productEntity, keys: [productEntity.key(listing)], indexes: [productEntity.indexes({ ...listingAttributes, ...counters }), productEntity.indexes({ ...approvedAttributes, ...counters }), productEntity.indexes({ ...queuedAttributes, ...counters })] },
  { entity: ratingShards.entity, keys: ratingShards.keys({ productId: listing.productId }), indexes: [] },
  { entity: storeClosedMarkEntity, keys: [storeClosedMarkEntity.key(listing)], indexes: [] },
  { entity: sellerProfileEntity, keys: [sellerProfileEntity.key({ sellerId: 'seller-1' })], indexes: [] },
  { entity: standingEntity, keys: [standingEntity.key({ sellerId: 'seller-1' })], indexes: [] },
  { entity: penaltyEntryEntity, keys: [penaltyEntryEntity.key({ sellerId: 'seller-1', createdAt: T0, entryId: 'pen_01ARZ3NDEKTSV4RRFFQ69G5FB6' })], indexes: [] },
  { entity: verificationEntity, keys: [verificationEntity.key({ sellerId: 'seller-1' })], indexes: [verificationEntity.indexes(pendingVerification)] },
  { entity: sellerStatsShards.entity, keys: sellerStatsShards.keys({ sellerId: 'seller-1', month: '2026-01' }), indexes: [] },
  { entity: idempotencyEntity, keys: [idempotencyEntity.key({ userId: 'buyer-1', idempotencyKey: 'checkout-1' })], indexes: [] },
  { entity: disputeEntity, keys: [disputeEntity.key(dispute)], indexes: [disputeEntity.indexes(dispute), disputeEntity.indexes(escalated)] },
  { entity: timelineEntity, keys: [timelineEntity.key({ disputeId: dispute.disputeId, at: at(2), disputeVersion: 1, n: 0 })], indexes: [] },
  { entity: refundEntity, keys: [refundEntity.key({ refundId: failedRefund.refundId })], indexes: [refundEntity.indexes(failedRefund)] },
  // The written review is in the moderation queue (GSI3), the published one in the seller's list (GSI2).
  { entity: reviewEntity, keys: [reviewEntity.key(review)], indexes: [reviewEntity.indexes(written), reviewEntity.indexes(review)] },
  { entity: revisionEntity, keys: [revisionEntity.key({ reviewId: review.reviewId, revision: review.latest.revision })], indexes: [] },
  { entity: publicReviewEntity, keys: [publicReviewEntity.key(projection)], indexes: [publicReviewEntity.indexes(projection)] },
  { entity: publicReviewMediaEntity, keys: [publicReviewMediaEntity.key(projection)], indexes: [publicReviewMediaEntity.indexes(projection)] },
  { entity: voteEntity, keys: [voteEntity.key({ reviewId: review.reviewId, userId: 'buyer-2' })], indexes: [] },
  { entity: reportEntity, keys: [reportEntity.key({ reviewId: review.reviewId, userId: 'buyer-2' })], indexes: [] },
  { entity: orderFeedbackEntity, keys: [orderFeedbackEntity.key({ orderId: completed.orderId })], indexes: [] },
  { entity: sellerBadgesEntity, keys: [sellerBadgesEntity.key({ sellerId: 'seller-1' })], indexes: [] },
  { entity: reputationMarkEntity, keys: [reputationMarkEntity.key({ sellerId: 'seller-1', shard: 3 })], indexes: [reputationMarkEntity.indexes({ sellerId: 'seller-1', shard: 3, mark: 'm-1' })] },
  { entity: reviewGuardEntity, keys: [reviewGuardEntity.key({ orderId: completed.orderId, productId: review.productId })], indexes: [] },
  { entity: textClaimEntity, keys: [textClaimEntity.key({ fingerprint: 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c' })], indexes: [] },
  { entity: uploadEntity, keys: [uploadEntity.key({ uploadId: 'upl_01ARZ3NDEKTSV4RRFFQ69G5FB5' })], indexes: [] },
  // A conversation is in both participants' lists; an escalated one in the support queue too (GSI3).
  { entity: conversationEntity, keys: [conversationEntity.key(conversation)], indexes: [conversationEntity.indexes(conversation), conversationEntity.indexes(supportCase)] },
  { entity: messageEntity, keys: [messageEntity.key({ conversationId: conversation.conversationId, sentAt: at(8.5), messageId: 'msg_01ARZ3NDEKTSV4RRFFQ69G5FB7' })], indexes: [] },
  { entity: conversationKeyEntity, keys: [conversationKeyEntity.key(conversation)], indexes: [] },
  { entity: trackingNumberEntity, keys: [trackingNumberEntity.key({ trackingNumber: '1z 999-aa1' })], indexes: [] },
  { entity: paymentEventEntity, keys: [paymentEventEntity.key({ provider: 'stripe', eventId: 'evt_1NG8Du2eZvKYlo2CUI79vXWy' })], indexes: [] },
  { entity: carrierEventEntity, keys: [carrierEventEntity.key({ carrier: 'ups', eventId: 'evt-1' })], indexes: [] },
  { entity: notificationEntity, keys: [notificationEntity.key({ userId: 'seller-1', notificationId: 'ntf_01ARZ3NDEKTSV4RRFFQ69G5FB8' })], indexes: [] },
  { entity: webhookEntity, keys: [webhookEntity.key({ userId: 'seller-1' })], indexes: [] },
  { entity: deliveryEntity, keys: [deliveryEntity.key({ userId: 'seller-1', notificationId: 'ntf_01ARZ3NDEKTSV4RRFFQ69G5FB8' })], indexes: [] },
  { entity: inboxStateEntity, keys: [inboxStateEntity.key({ userId: 'seller-1' })], indexes: [] },
  { entity: uploadQuotaEntity, keys: [uploadQuotaEntity.key({ userId: 'buyer-1', hour: at(7).slice(0, 13) })], indexes: [] },
];

const rowOf = (rows: Row[], patterns: KeyPatterns) => rows.find((row) => row.pk === `\`${patterns.PK}\`` && row.sk === `\`${patterns.SK}\``);

describe('the access-pattern table in docs/architecture.md', () => {
  const rows = itemTable();

  it('has the rows it is checked by', () => {
    expect(rows.length).toBeGreaterThanOrEqual(defined.length);
  });

  it.each(defined.map(({ entity }) => [entity.name, entity.patterns] as const))('lists the %s entity with its keys and exactly its indexes', (_name, patterns) => {
    const row = rowOf(rows, patterns);
    expect(row, `a row with PK \`${patterns.PK}\` and SK \`${patterns.SK}\``).toBeDefined();
    const documented = rowIndexes(row?.gsi ?? '');
    const declared = new Map(GSIS.flatMap((gsi) => (patterns[gsi] ? [[gsi, patterns[gsi]] as const] : [])));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(declared));
  });

  it('lists nothing that is neither a defined entity nor one still to be defined', () => {
    const unexplained = rows.filter((row) => !NOT_YET_DEFINED.includes(row.item) && !defined.some(({ entity }) => rowOf([row], entity.patterns)));
    expect(unexplained.map((row) => row.item)).toEqual([]);
  });

  it.each(defined.map((entry) => [entry.entity.name, entry] as const))('matches what the %s key builders write', (_name, { entity, keys, indexes }) => {
    for (const key of keys) {
      expect(key.PK).toMatch(patternRegex(entity.patterns.PK));
      expect(key.SK).toMatch(patternRegex(entity.patterns.SK));
    }
    for (const written of indexes) {
      for (const gsi of GSIS) {
        const pattern = entity.patterns[gsi];
        const [pk, sk] = [written[`${gsi}PK`], written[`${gsi}SK`]];
        if (pk === undefined) continue;
        expect(pattern, `${entity.name} writes ${gsi} without declaring it`).toBeDefined();
        expect(`${pk} / ${sk}`).toMatch(patternRegex(pattern ?? ''));
      }
    }
  });
});
