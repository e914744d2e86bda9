/**
 * Reviews in the single table. The public projection is its own item, so public reads never touch (or
 * leak) the reviewer's id or order id, and each sort order of a product's reviews is one Query. The keys
 * are in the entity definitions below; docs/architecture.md lists them. What a change writes is decided
 * by the domain (`ReviewChange`); this module only turns it into items and conditions.
 */
import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { withReview, type OrderFeedback } from '../domain/reputation.js';
import { moderationQueueOf, REVIEW_STATUSES, type ModerationQueue, type PublicReview, type Review, type ReviewChange, type Revision } from '../domain/reviews.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, nullableString, pad, schemaOf } from './entity.js';
import { orderEntity } from './orders.js';
import { indexPage, partitionItems } from './reads.js';
import { addToRating } from './products.js';
import { orderFeedbackWrites } from './reputation.js';
import { conditionCheck, ConflictError, guarded, put, putNew, putVersioned, remove, transact, update, type TransactItem, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** The review item is still at the version the decision read. */
    reviewVersion: true;
    /** No review of this order line exists yet (one review per order line). */
    reviewGuard: true;
    /** The order is still COMPLETED when its review is written (a dispute may close it meanwhile). */
    orderCompleted: true;
    /** A helpful vote lands only on a published review, not by its author nor by the product's seller. */
    reviewVotable: true;
    /** The voter has not voted on this review yet. */
    voteNotCast: true;
    /** The voter has a vote on this review to withdraw. */
    voteCast: true;
    /** The reporter has not reported this review yet. */
    notReported: true;
    /** The text is not yet owned by another published review (duplicate detection). */
    textUnclaimed: true;
    /** The projection's helpful count is still the one its sort key is being brought up to. */
    helpfulCountUnchanged: true;
  }
}


const ReasonSchema = z.object({ code: z.string(), message: z.string() });
const MediaSchema = z.object({ uploadId: z.string(), key: z.string(), contentType: z.string() });
const SellerRatingsSchema = z.object({ itemAsDescribed: z.int(), communication: z.int(), shippingSpeed: z.int() });
const Status = z.enum(REVIEW_STATUSES);
/** Decisions stored before admins were recorded carry no `decidedBy`: read as automated (null). */
const decidedBy = z._default(nullableString, null);

const RevisionSchema = schemaOf<Revision>()(
  z.object({
    rating: z.int(),
    text: z.string(),
    media: z.array(MediaSchema),
    sellerRatings: SellerRatingsSchema,
    revision: z.int(),
    status: Status,
    reasons: z.array(ReasonSchema),
    createdAt: z.string(),
    decidedAt: nullableString,
    decidedBy,
  }),
);

const ReviewSchema = schemaOf<Review>()(
  z.object({
    reviewId: z.string(),
    orderId: z.string(),
    productId: z.string(),
    sellerId: z.string(),
    buyerId: z.string(),
    reviewerName: z.string(),
    status: Status,
    latest: RevisionSchema,
    published: z.nullable(RevisionSchema),
    firstPublishedAt: nullableString,
    statsMonth: nullableString,
    helpfulCount: z.int(),
    reportCount: z.int(),
    reply: z.nullable(
      z.object({
        text: z.string(),
        status: Status,
        reasons: z.array(ReasonSchema),
        updatedAt: z.string(),
        version: z.int(),
        published: z.nullable(z.object({ text: z.string(), repliedAt: z.string() })),
        decidedAt: z._default(nullableString, null),
        decidedBy,
      }),
    ),
    removal: z.nullable(z.object({ reason: z.string(), at: z.string(), by: z._default(nullableString, null) })),
    editWindowClosed: z.optional(z.boolean()),
    heldForModerator: z.optional(z.boolean()),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
  }),
);

const moderationQueue = (status: string) => `REVIEWS#${status}`;

export const reviewEntity = defineEntity({
  name: 'review',
  schema: ReviewSchema,
  patterns: {
    PK: 'REVIEW#<reviewId>',
    SK: 'REVIEW',
    GSI1: 'BUYER#<buyerId>#REVIEWS / <createdAt>#<reviewId>',
    GSI2: 'SELLER#<sellerId>#REVIEWS / <firstPublishedAt>#<reviewId>',
    GSI3: 'REVIEWS#<PENDING_MODERATION|NEEDS_HUMAN> / <updatedAt>#<reviewId>',
  },
  key: ({ reviewId }: { reviewId: string }) => ({ PK: `REVIEW#${reviewId}`, SK: 'REVIEW' }),
  // GSI2 (the seller's published reviews) and GSI3 (the moderation queue) are sparse.
  indexes: (review) => {
    const queue = moderationQueueOf(review);
    return {
      GSI1PK: `BUYER#${review.buyerId}#REVIEWS`,
      GSI1SK: `${review.createdAt}#${review.reviewId}`,
      ...(review.published && review.firstPublishedAt && { GSI2PK: `SELLER#${review.sellerId}#REVIEWS`, GSI2SK: `${review.firstPublishedAt}#${review.reviewId}` }),
      ...(queue && { GSI3PK: moderationQueue(queue), GSI3SK: `${review.updatedAt}#${review.reviewId}` }),
    };
  },
});

export const revisionEntity = defineEntity({
  name: 'revision',
  schema: RevisionSchema,
  patterns: { PK: 'REVIEW#<reviewId>', SK: 'REV#<revision:6>' },
  key: ({ reviewId, revision }: { reviewId: string; revision: number }) => ({ PK: `REVIEW#${reviewId}`, SK: `REV#${pad(revision, 6)}` }),
});

const PublicReviewSchema = schemaOf<PublicReview>()(
  z.object({
    reviewId: z.string(),
    productId: z.string(),
    rating: z.int(),
    text: z.string(),
    media: z.array(MediaSchema),
    sellerRatings: SellerRatingsSchema,
    reviewerName: z.string(),
    publishedAt: z.string(),
    editedAt: nullableString,
    helpfulCount: z.int(),
    sellerReply: z.nullable(z.object({ text: z.string(), repliedAt: z.string() })),
  }),
);

const productReviews = (productId: string) => `PRODUCT#${productId}#REVIEWS`;
const withMedia = (partition: string) => `${partition}#MEDIA`;
const helpfulRank = (record: Pick<PublicReview, 'helpfulCount' | 'publishedAt' | 'reviewId'>) => `H#${pad(Math.max(0, record.helpfulCount), 10)}#${record.publishedAt}#${record.reviewId}`;

/** The sort keys of a product's reviews (GSI1 newest, GSI2 by rating, GSI3 by helpful votes) in `partition`. */
const sortKeys = (partition: string) => (record: PublicReview) => {
  const tail = `${record.publishedAt}#${record.reviewId}`;
  return { GSI1PK: partition, GSI1SK: `N#${tail}`, GSI2PK: partition, GSI2SK: `R#${record.rating}#${tail}`, GSI3PK: partition, GSI3SK: helpfulRank(record) };
};

export const publicReviewEntity = defineEntity({
  name: 'publicReview',
  schema: PublicReviewSchema,
  patterns: {
    PK: 'REVIEW#<reviewId>',
    SK: 'PUBLIC',
    GSI1: 'PRODUCT#<productId>#REVIEWS / N#<publishedAt>#<reviewId>',
    GSI2: 'PRODUCT#<productId>#REVIEWS / R#<rating>#<publishedAt>#<reviewId>',
    GSI3: 'PRODUCT#<productId>#REVIEWS / H#<helpfulCount:10>#<publishedAt>#<reviewId>',
  },
  key: ({ reviewId }: { reviewId: string }) => ({ PK: `REVIEW#${reviewId}`, SK: 'PUBLIC' }),
  indexes: (record) => sortKeys(productReviews(record.productId))(record),
});

/**
 * The copy of a projection with photos or videos, in the product's `#MEDIA` partition, so "with media" is
 * a key, not a filter that would read every review to find the few with photos.
 */
export const publicReviewMediaEntity = defineEntity({
  name: 'publicReview',
  schema: PublicReviewSchema,
  patterns: {
    PK: 'REVIEW#<reviewId>',
    SK: 'PUBLIC#MEDIA',
    GSI1: 'PRODUCT#<productId>#REVIEWS#MEDIA / N#<publishedAt>#<reviewId>',
    GSI2: 'PRODUCT#<productId>#REVIEWS#MEDIA / R#<rating>#<publishedAt>#<reviewId>',
    GSI3: 'PRODUCT#<productId>#REVIEWS#MEDIA / H#<helpfulCount:10>#<publishedAt>#<reviewId>',
  },
  key: ({ reviewId }: { reviewId: string }) => ({ PK: `REVIEW#${reviewId}`, SK: 'PUBLIC#MEDIA' }),
  indexes: (record) => sortKeys(withMedia(productReviews(record.productId)))(record),
});

export interface Vote {
  userId: string;
  at: string;
}

export const voteEntity = defineEntity({
  name: 'vote',
  schema: schemaOf<Vote>()(z.object({ userId: z.string(), at: z.string() })),
  patterns: { PK: 'REVIEW#<reviewId>', SK: 'VOTE#<userId>' },
  key: ({ reviewId, userId }: { reviewId: string; userId: string }) => ({ PK: `REVIEW#${reviewId}`, SK: `VOTE#${userId}` }),
});

export interface Report {
  userId: string;
  reason: string;
  details: string | null;
  at: string;
}

export const reportEntity = defineEntity({
  name: 'report',
  schema: schemaOf<Report>()(z.object({ userId: z.string(), reason: z.string(), details: nullableString, at: z.string() })),
  patterns: { PK: 'REVIEW#<reviewId>', SK: 'REPORT#<userId>' },
  key: ({ reviewId, userId }: { reviewId: string; userId: string }) => ({ PK: `REVIEW#${reviewId}`, SK: `REPORT#${userId}` }),
});

/** One review per order line: written with the review, it refuses a second. */
export const reviewGuardEntity = defineEntity({
  name: 'reviewGuard',
  schema: schemaOf<{ reviewId: string }>()(z.object({ reviewId: z.string() })),
  patterns: { PK: 'ORDER#<orderId>', SK: 'REVIEW#<productId>' },
  key: ({ orderId, productId }: { orderId: string; productId: string }) => ({ PK: `ORDER#${orderId}`, SK: `REVIEW#${productId}` }),
});

/** Which review published a text first (duplicate detection), by the hash of the text's fingerprint. */
export const textClaimEntity = defineEntity({
  name: 'textClaim',
  schema: schemaOf<{ reviewId: string }>()(z.object({ reviewId: z.string() })),
  patterns: { PK: 'REVIEWTEXT#<fingerprint>', SK: 'TEXT' },
  key: ({ fingerprint }: { fingerprint: string }) => ({ PK: `REVIEWTEXT#${fingerprint}`, SK: 'TEXT' }),
});

// ---- Writes ----

/**
 * The filter "without media" reads this attribute of the projection; it is derived from the record, so it
 * is written with it and not read back.
 */
const projectionItems = (record: PublicReview): Record<string, unknown>[] => [
  { ...publicReviewEntity.item(record), mediaCount: record.media.length },
  ...(record.media.length > 0 ? [{ ...publicReviewMediaEntity.item(record), mediaCount: record.media.length }] : []),
];

function projectionWrites({ before, after }: NonNullable<ReviewChange['projection']>, reviewId: string): TransactItem[] {
  const hadMedia = (before?.media.length ?? 0) > 0;
  if (after) return [...projectionItems(after).map((item) => put(item)), ...(hadMedia && after.media.length === 0 ? [remove(publicReviewMediaEntity.key({ reviewId }))] : [])];
  return [remove(publicReviewEntity.key({ reviewId })), ...(hadMedia ? [remove(publicReviewMediaEntity.key({ reviewId }))] : [])];
}

/**
 * Everything one change of a review writes, for one transaction: the review (a new one, or guarded by the
 * version it was read at), the revisions, the public projection and the aggregates the domain decided.
 * A change of what is published also moves the order's feedback: `order.feedback` is that item as the
 * command's load read it (store/reputation.ts getOrderFeedback), null when there is none yet.
 */
export function reviewWrites(change: ReviewChange, order?: { feedback: OrderFeedback | null }): Write[] {
  const { before, after } = change;
  const reviewId = after.reviewId;
  // A change that (un)publishes moves the order's feedback, which only a load that read it can write.
  if (change.aggregates && !order) throw new Error(`review ${reviewId}: a change of what is published needs its order's feedback read`);
  return [
    putVersioned('reviewVersion', reviewEntity.item(after), before === null ? null : before.version),
    ...change.revisions.map((revision) => put(revisionEntity.item(revision, { reviewId }))),
    ...(change.projection ? projectionWrites(change.projection, reviewId) : []),
    ...(change.aggregates
      ? [...addToRating(change.aggregates.productId, reviewId, change.aggregates.rating), ...orderFeedbackWrites(order?.feedback ?? null, withReview(order?.feedback ?? null, after, after.updatedAt))]
      : []),
  ];
}

export const reviewGuard = (review: Pick<Review, 'orderId' | 'productId' | 'reviewId'>): Write =>
  guarded('reviewGuard', putNew(reviewGuardEntity.item({ reviewId: review.reviewId }, { orderId: review.orderId, productId: review.productId })));

/** The order stays COMPLETED until its review is written (a dispute closing it meanwhile refuses the review). */
export const orderStillCompleted = (orderId: string): Write =>
  guarded('orderCompleted', conditionCheck(orderEntity.key({ orderId }), '#status = :completed', { '#status': 'status' }, { ':completed': 'COMPLETED' }));

export const claimText = (fingerprint: string, reviewId: string): Write =>
  guarded('textUnclaimed', put(textClaimEntity.item({ reviewId }, { fingerprint }), { expression: 'attribute_not_exists(PK) OR reviewId = :reviewId', values: { ':reviewId': reviewId } }));

export const recordReportWrite = (reviewId: string, report: Report): Write => guarded('notReported', putNew(reportEntity.item(report, { reviewId })));

/** Marks the edit window closed; bumps the version so an edit read before it cannot undo it. */
export const closeEditWindow = (reviewId: string): TransactItem =>
  update(reviewEntity.key({ reviewId }), 'SET editWindowClosed = :yes, version = version + :one', undefined, { ':yes': true, ':one': 1 });

// ---- Helpful votes: counted with ADD, so a burst of votes on one review does not fight over its version. ----

/**
 * A vote cast (or withdrawn) and its counter updates, for one transaction: the vote item, the review (only
 * while it is published, not by its author; its version moves so that other writers re-read the count)
 * and its public projection. No read is needed first, so simultaneous votes do not conflict on a version.
 */
export function voteWrites(reviewId: string, vote: Vote, helpful: boolean): Write[] {
  const delta = helpful ? 1 : -1;
  const key = voteEntity.key({ reviewId, userId: vote.userId });
  return [
    helpful ? guarded('voteNotCast', putNew(voteEntity.item(vote, { reviewId }))) : guarded('voteCast', remove(key, { expression: 'attribute_exists(PK)' })),
    guarded(
      'reviewVotable',
      update(reviewEntity.key({ reviewId }), 'ADD helpfulCount :delta, version :one', undefined, { ':delta': delta, ':one': 1 }, {
        expression: 'attribute_exists(PK) AND attribute_type(published, :map) AND buyerId <> :voter AND sellerId <> :voter',
        values: { ':map': 'M', ':voter': vote.userId },
      }),
    ),
    update(publicReviewEntity.key({ reviewId }), 'ADD helpfulCount :delta', undefined, { ':delta': delta }, { expression: 'attribute_exists(PK)' }),
  ];
}

/**
 * Brings the "most helpful" sort key (and the with-media copy) up to the count a vote left. Applied only
 * while the count is still that value: when votes race, the last one's refresh is the one that lands.
 */
export async function refreshHelpfulRank(reviewId: string): Promise<number | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: publicReviewEntity.key({ reviewId }), ConsistentRead: true }));
  if (!Item) return undefined;
  const record = publicReviewEntity.parse(Item);
  const count = record.helpfulCount;
  const rank = helpfulRank(record);
  const writes: Write[] = [
    guarded('helpfulCountUnchanged', update(publicReviewEntity.key({ reviewId }), 'SET GSI3SK = :rank', undefined, { ':rank': rank }, { expression: 'helpfulCount = :count', values: { ':count': count } })),
  ];
  if (record.media.length > 0) {
    writes.push(update(publicReviewMediaEntity.key({ reviewId }), 'SET helpfulCount = :count, GSI3SK = :rank', undefined, { ':count': count, ':rank': rank }, { expression: 'attribute_exists(PK)' }));
  }
  await transact(writes).catch((error: unknown) => {
    // A later vote moved the count meanwhile; its own refresh sets the rank.
    if (!(error instanceof ConflictError)) throw error;
  });
  return count;
}

// ---- Reads ----

export async function getReview(reviewId: string): Promise<Review | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: reviewEntity.key({ reviewId }), ConsistentRead: true }));
  return Item ? reviewEntity.parse(Item) : undefined;
}

export async function textOwner(fingerprint: string): Promise<string | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: textClaimEntity.key({ fingerprint }) }));
  return Item ? textClaimEntity.parse(Item).reviewId : undefined;
}

/**
 * The review and its whole revision history: one Query in the usual case ('REV#…' sorts just before
 * 'REVIEW'), following further pages when a long history fills more than one (edits are unlimited).
 */
export async function getReviewWithRevisions(reviewId: string): Promise<{ review: Review; revisions: Revision[] } | undefined> {
  const items = await partitionItems(reviewEntity.key({ reviewId }).PK, { from: 'REV#', to: 'REVIEW' });
  const found = items.find((item) => item.SK === 'REVIEW');
  if (!found) return undefined;
  return { review: reviewEntity.parse(found), revisions: items.filter((item) => String(item.SK).startsWith('REV#')).map(revisionEntity.parse) };
}

export type ReviewSort = 'newest' | 'helpful' | 'rating_desc' | 'rating_asc';

/** One Query on the public projections, whatever the number of reviews. */
export async function listPublicReviews(query: { productId: string; sort: ReviewSort; rating?: number | undefined; withMedia?: boolean | undefined; limit: number; startKey?: Record<string, unknown> | undefined }) {
  const partition = query.withMedia ? withMedia(productReviews(query.productId)) : productReviews(query.productId);
  const values: Record<string, unknown> = { ':pk': partition };
  const filters: string[] = [];
  let input: Partial<QueryCommandInput>;
  if (query.sort === 'newest' && query.rating === undefined) {
    input = { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ScanIndexForward: false };
  } else if (query.sort !== 'helpful') {
    // By rating; a rating filter narrows the key range, and within one rating the newest come first.
    if (query.rating !== undefined) values[':prefix'] = `R#${query.rating}#`;
    input = { IndexName: 'GSI2', KeyConditionExpression: query.rating !== undefined ? 'GSI2PK = :pk AND begins_with(GSI2SK, :prefix)' : 'GSI2PK = :pk', ScanIndexForward: query.sort === 'rating_asc' };
  } else {
    input = { IndexName: 'GSI3', KeyConditionExpression: 'GSI3PK = :pk', ScanIndexForward: false };
    if (query.rating !== undefined) {
      filters.push('rating = :rating');
      values[':rating'] = query.rating;
    }
  }
  if (query.withMedia === false) {
    filters.push('mediaCount = :zero');
    values[':zero'] = 0;
  }
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      ...input,
      ...(filters.length > 0 && { FilterExpression: filters.join(' AND ') }),
      ExpressionAttributeValues: values,
      Limit: query.limit,
      ExclusiveStartKey: query.startKey,
    }),
  );
  return { reviews: (page.Items ?? []).map(publicReviewEntity.parse), lastKey: page.LastEvaluatedKey };
}

async function listReviewsBy(index: 'GSI1' | 'GSI2' | 'GSI3', partition: string, limit: number, startKey: Record<string, unknown> | undefined, oldestFirst = false) {
  const { items, lastKey } = await indexPage({ index, partition, limit, startKey, oldestFirst });
  return { reviews: items.map(reviewEntity.parse), lastKey };
}

export const listBuyerReviews = (buyerId: string, limit: number, startKey?: Record<string, unknown>) => listReviewsBy('GSI1', `BUYER#${buyerId}#REVIEWS`, limit, startKey);
export const listShopReviews = (sellerId: string, limit: number, startKey?: Record<string, unknown>) => listReviewsBy('GSI2', `SELLER#${sellerId}#REVIEWS`, limit, startKey);
/** Oldest first: the moderation queue is worked in arrival order. */
export const listModerationQueue = (status: ModerationQueue, limit: number, startKey?: Record<string, unknown>) => listReviewsBy('GSI3', moderationQueue(status), limit, startKey, true);
