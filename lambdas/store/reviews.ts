/**
 * Reviews in the single table. The public projection is its own item, so public reads never touch (or
 * leak) the reviewer's id or order id, and each sort order of a product's reviews is one Query.
 *   REVIEW#<id> / REVIEW        the review (GSI1 buyer's reviews; GSI2 seller's published reviews;
 *                               GSI3 moderation queue while PENDING_MODERATION or NEEDS_HUMAN)
 *   REVIEW#<id> / REV#<n>       revision history
 *   REVIEW#<id> / PUBLIC        what the public sees, only while published
 *                               (GSI1 newest, GSI2 by rating, GSI3 by helpful votes; all PRODUCT#<id>#REVIEWS)
 *   REVIEW#<id> / VOTE#<user>   one helpful vote per user
 *   REVIEW#<id> / REPORT#<user> one abuse report per user
 *   ORDER#<id>  / REVIEW#<productId>   one review per order line (uniqueness guard)
 *   REVIEWTEXT#<sha256> / TEXT  which review published a text first (duplicate detection)
 */
import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { feedbackDelta, publicationChanged, ratingDelta, type Publication, type Review, type Revision } from '../domain/reviews.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { indexPage, partitionItems, withoutKeys } from './reads.js';
import { addToRating } from './products.js';
import { countForSeller } from './sellers.js';
import { ConflictError, put, putNew, remove, transact, update, type TransactItem } from './transactions.js';

export const reviewKey = (reviewId: string) => ({ PK: `REVIEW#${reviewId}`, SK: 'REVIEW' });
const publicKey = (reviewId: string) => ({ PK: `REVIEW#${reviewId}`, SK: 'PUBLIC' });
const revisionKey = (reviewId: string, revision: number) => ({ PK: `REVIEW#${reviewId}`, SK: `REV#${String(revision).padStart(6, '0')}` });
export const voteKey = (reviewId: string, userId: string) => ({ PK: `REVIEW#${reviewId}`, SK: `VOTE#${userId}` });
export const reportKey = (reviewId: string, userId: string) => ({ PK: `REVIEW#${reviewId}`, SK: `REPORT#${userId}` });
const guardKey = (orderId: string, productId: string) => ({ PK: `ORDER#${orderId}`, SK: `REVIEW#${productId}` });
const textKey = (fingerprint: string) => ({ PK: `REVIEWTEXT#${fingerprint}`, SK: 'TEXT' });

const productReviews = (productId: string) => `PRODUCT#${productId}#REVIEWS`;
const QUEUED: readonly string[] = ['PENDING_MODERATION', 'NEEDS_HUMAN'];

function reviewItem(review: Review): Record<string, unknown> {
  return {
    ...reviewKey(review.reviewId),
    entity: 'review',
    ...review,
    GSI1PK: `BUYER#${review.buyerId}#REVIEWS`,
    GSI1SK: `${review.createdAt}#${review.reviewId}`,
    ...(review.published && review.firstPublishedAt && { GSI2PK: `SELLER#${review.sellerId}#REVIEWS`, GSI2SK: `${review.firstPublishedAt}#${review.reviewId}` }),
    ...(QUEUED.includes(review.status) && { GSI3PK: `REVIEWS#${review.status}`, GSI3SK: `${review.updatedAt}#${review.reviewId}` }),
  };
}

export interface PublicReviewRecord {
  reviewId: string;
  productId: string;
  rating: number;
  text: string;
  media: Revision['media'];
  sellerRatings: Revision['sellerRatings'];
  reviewerName: string;
  publishedAt: string;
  editedAt: string | null;
  helpfulCount: number;
  sellerReply: { text: string; repliedAt: string } | null;
}

export function publicRecord(review: Review): PublicReviewRecord | null {
  const revision = review.published;
  if (!revision || !review.firstPublishedAt) return null;
  return {
    reviewId: review.reviewId,
    productId: review.productId,
    rating: revision.rating,
    text: revision.text,
    media: revision.media,
    sellerRatings: revision.sellerRatings,
    reviewerName: review.reviewerName,
    publishedAt: review.firstPublishedAt,
    editedAt: revision.revision > 1 ? revision.createdAt : null,
    helpfulCount: review.helpfulCount,
    sellerReply: review.reply?.published ?? null,
  };
}

/**
 * The public projection, keyed for each sort (GSI1 newest, GSI2 by rating, GSI3 by helpful votes). A
 * review with photos or videos also has a copy in the product's `#MEDIA` partition, so "with media" is a
 * key, not a filter that would read every review to find the few with photos.
 */
function publicItems(record: PublicReviewRecord): Record<string, unknown>[] {
  const tail = `${record.publishedAt}#${record.reviewId}`;
  const item = (sk: string, partition: string) => ({
    PK: `REVIEW#${record.reviewId}`,
    SK: sk,
    entity: 'publicReview',
    ...record,
    mediaCount: record.media.length,
    GSI1PK: partition,
    GSI1SK: `N#${tail}`,
    GSI2PK: partition,
    GSI2SK: `R#${record.rating}#${tail}`,
    GSI3PK: partition,
    GSI3SK: `H#${String(record.helpfulCount).padStart(10, '0')}#${tail}`,
  });
  const partition = productReviews(record.productId);
  return [item('PUBLIC', partition), ...(record.media.length > 0 ? [item('PUBLIC#MEDIA', `${partition}#MEDIA`)] : [])];
}

const mediaProjectionKey = (reviewId: string) => ({ PK: `REVIEW#${reviewId}`, SK: 'PUBLIC#MEDIA' });

/**
 * Everything one change of a review writes, for one transaction: the review (guarded by the version it
 * was read at), its latest revision and its public projection when they changed, and — when what is
 * published changed — the product's rating aggregate and the seller's feedback counters, so aggregates
 * move exactly once per change.
 */
export function reviewWrites(previous: Review | null, review: Review, publication: Publication | null, closedRevisions: Revision[] = []): TransactItem[] {
  const writes: TransactItem[] = [previous === null ? putNew(reviewItem(review)) : put(reviewItem(review), { expression: 'version = :version', values: { ':version': previous.version } })];
  for (const revision of closedRevisions) writes.push(put({ ...revisionKey(review.reviewId, revision.revision), entity: 'revision', ...revision }));
  // Domain changes replace `latest` only when the revision itself changes (votes and reports keep it).
  if (previous?.latest !== review.latest) writes.push(put({ ...revisionKey(review.reviewId, review.latest.revision), entity: 'revision', ...review.latest }));
  const record = publicRecord(review);
  const before = previous && publicRecord(previous);
  if (record && JSON.stringify(record) !== JSON.stringify(before)) {
    writes.push(...publicItems(record).map((item) => put(item)));
    if (record.media.length === 0 && before && before.media.length > 0) writes.push(remove(mediaProjectionKey(review.reviewId)));
  } else if (!record && publication?.before) {
    writes.push(remove(publicKey(review.reviewId)));
    if (publication.before.media.length > 0) writes.push(remove(mediaProjectionKey(review.reviewId)));
  }
  if (publication && publicationChanged(publication) && review.statsMonth) {
    writes.push(addToRating(review.productId, ratingDelta(publication)));
    writes.push(...countForSeller(review.sellerId, review.statsMonth, feedbackDelta(publication)));
  }
  return writes;
}

/** One review per order line: the guard is written with the review and refuses a second. */
export const reviewGuard = (review: Review): TransactItem => putNew({ ...guardKey(review.orderId, review.productId), entity: 'reviewGuard', reviewId: review.reviewId });

export const claimText = (fingerprint: string, reviewId: string): TransactItem =>
  put({ ...textKey(fingerprint), reviewId }, { expression: 'attribute_not_exists(PK) OR reviewId = :reviewId', values: { ':reviewId': reviewId } });

export async function textOwner(fingerprint: string): Promise<string | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: textKey(fingerprint) }));
  return typeof Item?.reviewId === 'string' ? Item.reviewId : undefined;
}

const strip = <T>(item: Record<string, unknown>): T => withoutKeys<T>(item, ['mediaCount']);

export async function getReview(reviewId: string): Promise<Review | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: reviewKey(reviewId), ConsistentRead: true }));
  return Item ? strip<Review>(Item) : undefined;
}

/**
 * The review and its whole revision history: one Query in the usual case ('REV#…' sorts just before
 * 'REVIEW'), following further pages when a long history fills more than one (edits are unlimited).
 */
export async function getReviewWithRevisions(reviewId: string): Promise<{ review: Review; revisions: Revision[] } | undefined> {
  const items = await partitionItems(`REVIEW#${reviewId}`, { from: 'REV#', to: 'REVIEW' });
  const reviewItem = items.find((item) => item.SK === 'REVIEW');
  if (!reviewItem) return undefined;
  return { review: strip<Review>(reviewItem), revisions: items.filter((item) => String(item.SK).startsWith('REV#')).map((item) => strip<Revision>(item)) };
}

export type ReviewSort = 'newest' | 'helpful' | 'rating_desc' | 'rating_asc';

/** One Query on the public projections, whatever the number of reviews. */
export async function listPublicReviews(query: { productId: string; sort: ReviewSort; rating?: number | undefined; withMedia?: boolean | undefined; limit: number; startKey?: Record<string, unknown> | undefined }) {
  const partition = query.withMedia ? `${productReviews(query.productId)}#MEDIA` : productReviews(query.productId);
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
  return { reviews: (page.Items ?? []).map((item) => strip<PublicReviewRecord>(item)), lastKey: page.LastEvaluatedKey };
}

async function listReviewsBy(index: 'GSI1' | 'GSI2' | 'GSI3', partition: string, limit: number, startKey: Record<string, unknown> | undefined, oldestFirst = false) {
  const { items, lastKey } = await indexPage({ index, partition, limit, startKey, oldestFirst });
  return { reviews: items.map((item) => strip<Review>(item)), lastKey };
}

export const listBuyerReviews = (buyerId: string, limit: number, startKey?: Record<string, unknown>) => listReviewsBy('GSI1', `BUYER#${buyerId}#REVIEWS`, limit, startKey);
export const listSellerReviews = (sellerId: string, limit: number, startKey?: Record<string, unknown>) => listReviewsBy('GSI2', `SELLER#${sellerId}#REVIEWS`, limit, startKey);
/** Oldest first: the moderation queue is worked in arrival order. */
export const listModerationQueue = (status: string, limit: number, startKey?: Record<string, unknown>) => listReviewsBy('GSI3', `REVIEWS#${status}`, limit, startKey, true);

/** Marks the edit window closed; bumps the version so an edit read before it cannot undo it. */
export const closeEditWindow = (reviewId: string): TransactItem =>
  update(reviewKey(reviewId), 'SET editWindowClosed = :yes, version = version + :one', undefined, { ':yes': true, ':one': 1 });

// ---- Helpful votes: counted with ADD, so a burst of votes on one review does not fight over its version. ----

/**
 * The vote's counter updates, for the vote's own transaction: the review (only while it is published,
 * not by its author; its version moves so that other writers re-read the count) and its public
 * projection. No read is needed first, so simultaneous votes do not conflict on a version.
 */
export function countHelpful(reviewId: string, voterId: string, delta: 1 | -1): TransactItem[] {
  return [
    {
      Update: {
        TableName: tableName(),
        Key: reviewKey(reviewId),
        UpdateExpression: 'ADD helpfulCount :delta, version :one',
        ConditionExpression: 'attribute_exists(PK) AND attribute_type(published, :map) AND buyerId <> :voter',
        ExpressionAttributeValues: { ':delta': delta, ':one': 1, ':map': 'M', ':voter': voterId },
      },
    },
    {
      Update: {
        TableName: tableName(),
        Key: publicKey(reviewId),
        UpdateExpression: 'ADD helpfulCount :delta',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':delta': delta },
      },
    },
  ];
}

/**
 * Brings the "most helpful" sort key (and the with-media copy) up to the count a vote left. Applied only
 * while the count is still that value: when votes race, the last one's refresh is the one that lands.
 */
export async function refreshHelpfulRank(reviewId: string): Promise<number | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: publicKey(reviewId), ConsistentRead: true }));
  if (!Item) return undefined;
  const count = Number(Item.helpfulCount ?? 0);
  const rank = `H#${String(Math.max(0, count)).padStart(10, '0')}#${String(Item.publishedAt)}#${reviewId}`;
  const guarded: TransactItem[] = [
    { Update: { TableName: tableName(), Key: publicKey(reviewId), UpdateExpression: 'SET GSI3SK = :rank', ConditionExpression: 'helpfulCount = :count', ExpressionAttributeValues: { ':count': count, ':rank': rank } } },
  ];
  if (Number(Item.mediaCount ?? 0) > 0) {
    guarded.push({ Update: { TableName: tableName(), Key: mediaProjectionKey(reviewId), UpdateExpression: 'SET helpfulCount = :count, GSI3SK = :rank', ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeValues: { ':count': count, ':rank': rank } } });
  }
  await transact(guarded).catch((error: unknown) => {
    // A later vote moved the count meanwhile; its own refresh sets the rank.
    if (!(error instanceof ConflictError)) throw error;
  });
  return count;
}
