/** Review use cases: write, edit, read, reply, vote, report, and the admin's decisions. */
import { DomainError, notFound } from '../domain/errors.js';
import * as reviews from '../domain/reviews.js';
import type { MediaRef, Review, RevisionContent } from '../domain/reviews.js';
import type { Principal } from '../platform/auth.js';
import { clock } from '../platform/clock.js';
import { businessEvent } from '../platform/business-events.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { newId } from '../platform/ids.js';
import { logger } from '../platform/logger.js';
import { getOrder, orderKey } from '../store/orders.js';
import * as store from '../store/reviews.js';
import { cancelTimer, setTimer } from '../store/timers.js';
import { conditionCheck, ConflictError, putNew, remove, transact, type TransactItem } from '../store/transactions.js';
import { resolveUploads } from './uploads.js';
import { moderationRequest, requestModeration } from './moderation.js';
import { authorView, publicView, sellerView } from './review-views.js';

const MAX_ATTEMPTS = 30;

/** Optimistic writes on a busy review (votes, reports) retry with jitter until they land. */
async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError) || tries >= MAX_ATTEMPTS) {
        if (error instanceof ConflictError) throw new DomainError('CONCURRENT_UPDATE', 'The review is busy; retry.');
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, tries * 5)));
    }
  }
}

async function mediaFor(userId: string, uploadIds: readonly string[] | undefined): Promise<MediaRef[] | undefined> {
  if (uploadIds === undefined) return undefined;
  const uploads = await resolveUploads(userId, uploadIds, 'review-media', 'body.media');
  return uploads.map((upload) => ({ uploadId: upload.uploadId, key: upload.key, contentType: upload.contentType }));
}

function moderationTimer(review: Review, now: string, kind: 'review' | 'reply'): TransactItem {
  const message = moderationRequest(review, kind);
  return setTimer({ kind: 'MODERATION', entityId: `${review.reviewId}#${kind}`, dueAt: new Date(new Date(now).getTime() + 10 * 60_000).toISOString(), payload: { message, attempt: 1 } }, now);
}

export async function writeReview(buyer: Principal, orderId: string, body: Omit<RevisionContent, 'media'> & { productId: string; media: string[] }) {
  const order = await getOrder(orderId);
  if (!order || order.buyerId !== buyer.userId) throw notFound('Order', orderId);
  const media = (await mediaFor(buyer.userId, body.media)) ?? [];
  const now = clock.nowIso();
  const review = reviews.createReview({
    reviewId: newId('rev'),
    order,
    productId: body.productId,
    reviewerName: buyer.name ?? buyer.userId,
    content: { rating: body.rating, text: body.text, media, sellerRatings: body.sellerRatings },
    now,
  });
  const reviewItems = store.reviewWrites(null, review, null);
  const guardAt = reviewItems.length;
  const writes = [
    ...reviewItems,
    store.reviewGuard(review),
    // The order cannot leave COMPLETED meanwhile without this review noticing (e.g. a dispute closing it).
    conditionCheck(orderKey(orderId), '#status = :completed', { '#status': 'status' }, { ':completed': 'COMPLETED' }),
    moderationTimer(review, now, 'review'),
    setTimer({ kind: 'EDIT_WINDOW', entityId: review.reviewId, dueAt: reviews.editWindowEndsAt(review) }, now),
  ];
  try {
    await transact(writes);
  } catch (error) {
    if (error instanceof ConflictError && error.reasons[guardAt] === 'ConditionalCheckFailed') {
      throw new DomainError('REVIEW_ALREADY_EXISTS', 'This product of this order has already been reviewed; edit that review instead.');
    }
    if (error instanceof ConflictError) throw new DomainError('ORDER_NOT_COMPLETED', 'The order changed while the review was being saved.');
    throw error;
  }
  await requestModeration(moderationRequest(review, 'review'));
  return authorView(review);
}

async function ownReview(buyer: Principal, reviewId: string): Promise<Review> {
  const review = await store.getReview(reviewId);
  if (!review || review.buyerId !== buyer.userId) throw notFound('Review', reviewId);
  return review;
}

export async function editReview(buyer: Principal, reviewId: string, edit: Partial<Omit<RevisionContent, 'media'>> & { media?: string[] | undefined }) {
  const media = await mediaFor(buyer.userId, edit.media);
  const review = await ownReview(buyer, reviewId);
  const now = clock.nowIso();
  const { media: _ids, ...rest } = edit;
  const next = reviews.editReview(review, { ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)), ...(media && { media }) }, now);
  // An edit of a review held for a moderator waits for the moderator, not for the automated checks.
  const automated = next.status === 'PENDING_MODERATION';
  try {
    await transact([...store.reviewWrites(review, next, null), ...(automated ? [moderationTimer(next, now, 'review')] : [])]);
  } catch (error) {
    if (error instanceof ConflictError) throw new DomainError('CONCURRENT_UPDATE', 'The review changed while you were editing it; reload and retry.');
    throw error;
  }
  if (automated) await requestModeration(moderationRequest(next, 'review'));
  return authorView(next);
}

const isAdmin = (principal: Principal | undefined) => principal?.roles.includes('admin') ?? false;

export async function viewReview(principal: Principal | undefined, reviewId: string) {
  // Anonymous readers get the public view: one GetItem. A signed-in reader may be the author (or an
  // admin), who also sees the history: one Query reads the review with it.
  const found = principal ? await store.getReviewWithRevisions(reviewId) : await store.getReview(reviewId).then((review) => review && { review, revisions: [] });
  if (!found) throw notFound('Review', reviewId);
  const { review, revisions } = found;
  if (isAdmin(principal) || (principal?.roles.includes('buyer') && principal.userId === review.buyerId)) return authorView(review, revisions);
  const record = store.publicRecord(review);
  if (!record) throw notFound('Review', reviewId);
  return publicView(record);
}

export async function productReviews(productId: string, query: { limit: number; cursor?: string | undefined; sort: store.ReviewSort; rating?: number | undefined; withMedia?: boolean | undefined }) {
  const scope = `reviews:${productId}:${query.sort}:${query.rating ?? '*'}:${query.withMedia ?? '*'}`;
  const { reviews: page, lastKey } = await store.listPublicReviews({ ...query, productId, startKey: decodeCursor(query.cursor, scope) });
  return { items: await Promise.all(page.map(publicView)), nextCursor: encodeCursor(lastKey, scope) };
}

export async function myReviews(buyer: Principal, query: { limit: number; cursor?: string | undefined }) {
  const scope = `my-reviews:${buyer.userId}`;
  const { reviews: page, lastKey } = await store.listBuyerReviews(buyer.userId, query.limit, decodeCursor(query.cursor, scope));
  return { items: await Promise.all(page.map((review) => authorView(review))), nextCursor: encodeCursor(lastKey, scope) };
}

export async function storeReviews(seller: Principal, query: { limit: number; cursor?: string | undefined }) {
  const scope = `store-reviews:${seller.userId}`;
  const { reviews: page, lastKey } = await store.listSellerReviews(seller.userId, query.limit, decodeCursor(query.cursor, scope));
  const items = await Promise.all(page.flatMap((review) => {
    const record = store.publicRecord(review);
    return record ? [sellerView(review, record)] : [];
  }));
  return { items, nextCursor: encodeCursor(lastKey, scope) };
}

export async function reply(seller: Principal, reviewId: string, text: string) {
  const review = await store.getReview(reviewId);
  const record = review && store.publicRecord(review);
  if (!review || review.sellerId !== seller.userId || !record) throw notFound('Review', reviewId);
  const now = clock.nowIso();
  const next = reviews.setReply(review, text, now);
  try {
    await transact([...store.reviewWrites(review, next, null), moderationTimer(next, now, 'reply')]);
  } catch (error) {
    if (error instanceof ConflictError) throw new DomainError('CONCURRENT_UPDATE', 'The review changed meanwhile; retry.');
    throw error;
  }
  await requestModeration(moderationRequest(next, 'reply'));
  return sellerView(next, store.publicRecord(next) ?? record);
}

/** Votes and reports are for published reviews; anything else is not visible to the voter. */
async function publishedReview(reviewId: string): Promise<Review> {
  const review = await store.getReview(reviewId);
  if (!review || !review.published) throw notFound('Review', reviewId);
  return review;
}

export async function vote(principal: Principal, reviewId: string, helpful: boolean) {
  const now = clock.nowIso();
  const voteWrite = helpful
    ? putNew({ ...store.voteKey(reviewId, principal.userId), entity: 'vote', userId: principal.userId, at: now })
    : remove(store.voteKey(reviewId, principal.userId), { expression: 'attribute_exists(PK)' });
  for (let attempt = 1; ; attempt++) {
    try {
      await transact([voteWrite, ...store.countHelpful(reviewId, principal.userId, helpful ? 1 : -1)]);
      return { reviewId, helpful, helpfulCount: (await store.refreshHelpfulRank(reviewId)) ?? 0 };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Only a refusal costs a read: to say why.
      const review = await store.getReview(reviewId);
      if (!review || !review.published) throw notFound('Review', reviewId);
      if (review.buyerId === principal.userId) throw new DomainError('CANNOT_VOTE_OWN_REVIEW', 'You cannot vote on your own review.');
      // Voting twice (or withdrawing a vote never cast) is a no-op, not an error.
      if (error.reasons[0] === 'ConditionalCheckFailed') return { reviewId, helpful, helpfulCount: review.helpfulCount };
      if (attempt >= MAX_ATTEMPTS) throw new DomainError('CONCURRENT_UPDATE', 'The review is busy; retry.');
    }
  }
}

export async function report(principal: Principal, reviewId: string, body: { reason: string; details?: string | undefined }) {
  return withRetries(async () => {
    const review = await publishedReview(reviewId);
    if (review.buyerId === principal.userId) throw notFound('Review', reviewId);
    const now = clock.nowIso();
    const { review: next, publication, superseded } = reviews.recordReport(review, now);
    try {
      await transact([
        putNew({ ...store.reportKey(reviewId, principal.userId), entity: 'report', userId: principal.userId, reason: body.reason, details: body.details ?? null, at: now }),
        ...store.reviewWrites(review, next, publication, superseded ? [superseded] : []),
        // An overtaken edit's moderation request has nothing left to decide.
        ...(superseded ? [cancelTimer('MODERATION', `${reviewId}#review`)] : []),
      ]);
    } catch (error) {
      if (error instanceof ConflictError && error.reasons[0] === 'ConditionalCheckFailed') throw new DomainError('ALREADY_REPORTED', 'You have already reported this review.');
      throw error;
    }
    if (next.status === 'NEEDS_HUMAN' && review.status !== 'NEEDS_HUMAN') logger.info('Review sent to moderators by reports', { reviewId });
    return { reviewId, reason: body.reason, reportedAt: now };
  });
}

export async function moderationQueue(query: { status: string; limit: number; cursor?: string | undefined }) {
  const scope = `moderation:${query.status}`;
  const { reviews: page, lastKey } = await store.listModerationQueue(query.status, query.limit, decodeCursor(query.cursor, scope));
  return { items: await Promise.all(page.map((review) => authorView(review))), nextCursor: encodeCursor(lastKey, scope) };
}

export async function decide(reviewId: string, body: { decision: 'PUBLISH' | 'REJECT' | 'REMOVE'; reason?: string | undefined; target: 'REVIEW' | 'REPLY' }) {
  const review = await store.getReview(reviewId);
  if (!review) throw notFound('Review', reviewId);
  const now = clock.nowIso();
  const { review: next, publication } =
    body.target === 'REPLY' ? { review: reviews.adminReplyDecision(review, body.decision, body.reason, now), publication: null } : reviews.adminDecision(review, body.decision, body.reason, now);
  // A removed review has nothing left for automated moderation to decide.
  const retired = body.decision === 'REMOVE' && body.target === 'REVIEW' ? [cancelTimer('MODERATION', `${reviewId}#review`), cancelTimer('MODERATION', `${reviewId}#reply`)] : [];
  try {
    await transact([...store.reviewWrites(review, next, publication), ...retired]);
  } catch (error) {
    if (error instanceof ConflictError) throw new DomainError('CONCURRENT_UPDATE', 'The review changed meanwhile; reload and decide again.');
    throw error;
  }
  if (body.target === 'REVIEW' && body.decision === 'PUBLISH') businessEvent('ReviewPublished', { reviewId, productId: next.productId, revision: next.latest.revision, by: 'moderator' });
  return authorView(next);
}
