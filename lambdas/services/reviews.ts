/**
 * Review use cases: write, edit, read, reply, vote, report, and the admin's decisions. Each change is one
 * command of the kernel (services/command.ts): load, let the domain decide, write the change in one
 * transaction whose guards name what can refuse it, then ask for moderation (services/outbox.ts).
 */
import { DomainError, notFound } from '../domain/errors.js';
import { reviewNotifications } from '../domain/notification-texts.js';
import * as reviews from '../domain/reviews.js';
import type { MediaRef, ModeratorDecision, Review, RevisionContent } from '../domain/reviews.js';
import type { Principal } from '../platform/auth.js';
import { businessEvent } from '../platform/business-events.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { newId } from '../platform/ids.js';
import { logger } from '../platform/logger.js';
import { keyRecordWrites, type IdempotentCreate, type StoredResponse } from '../store/idempotency.js';
import * as store from '../store/reviews.js';
import { setTimer } from '../store/timers.js';
import { claimUploads } from '../store/uploads.js';
import { getOrderFeedback } from '../store/reputation.js';
import { runCommand, type Decision } from './command.js';
import { buyersOrderForCreate } from './creates.js';
import { notify } from './notifications.js';
import { claimRefusals, resolveUploads } from './uploads.js';
import { moderationOutbox, moderationRequest } from './moderation.js';
import { authorView, publicView, sellerView, type Audience } from './review-views.js';

/**
 * Votes and reports land on a review many people read at once, and every vote moves the review's
 * version: these are decided again (with jitter) until they land rather than answered with a conflict.
 */
const BUSY_REVIEW_ATTEMPTS = 30;

const MEDIA_PATH = 'body.media';

/** The caller's review-media uploads named by a body, for the review `reviewId` whose transaction claims them. */
const mediaFor = (userId: string, uploadIds: readonly string[], reviewId: string): Promise<MediaRef[]> => resolveUploads(userId, uploadIds, 'review-media', MEDIA_PATH, reviewId);

/**
 * A review's media are used by that review only: its transaction marks them used, and a request that lost
 * an upload to another one meanwhile is refused naming the file (after the rule: a change whose review or
 * order moved meanwhile is decided again first).
 */
const mediaClaim = (uploadIds: readonly string[], reviewId: string) => ({
  writes: claimUploads(uploadIds, reviewId),
  refusals: claimRefusals(uploadIds, reviewId, MEDIA_PATH, ['reviewVersion', 'orderCompleted']),
});

const isAdmin = (principal: Principal | undefined) => principal?.roles.includes('admin') ?? false;
const audienceOf = (principal: Principal | undefined): Audience => (isAdmin(principal) ? 'admin' : 'author');

export type AuthorReviewView = Awaited<ReturnType<typeof authorView>>;

/** What writing answers: the new review, or the response kept for a retry with the same Idempotency-Key. */
type Written = { review: AuthorReviewView; replay?: never } | { replay: StoredResponse };

/**
 * Writes a review: the order (with the Idempotency-Key's record, if any) in one read, everything written
 * in one transaction — the key's record included, so no review commits without it, and a retry with the
 * key gets the first response before anything is resolved or written.
 */
export async function writeReview(
  buyer: Principal,
  orderId: string,
  body: Omit<RevisionContent, 'media'> & { productId: string; media: string[] },
  idempotency?: IdempotentCreate<AuthorReviewView>,
): Promise<Written> {
  // One id for every attempt: the media are resolved and claimed for this review.
  const reviewId = newId('rev');
  const claim = mediaClaim(body.media, reviewId);
  return runCommand({
    subject: 'review',
    load: async () => {
      const { order, replay } = await buyersOrderForCreate(buyer, orderId, idempotency);
      if (replay) return { order, replay, media: [] };
      return { order, media: await mediaFor(buyer.userId, body.media, reviewId) };
    },
    decide: async ({ order, replay, media }, now): Promise<Decision<Written>> => {
      if (replay) return { writes: [], result: { replay } };
      const written = reviews.createReview({
        reviewId,
        order,
        productId: body.productId,
        reviewerName: buyer.name ?? buyer.userId,
        content: { rating: body.rating, text: body.text, media, sellerRatings: body.sellerRatings },
        now,
      });
      const moderation = moderationOutbox.send(moderationRequest(written, 'review'), now);
      const view = await authorView(written, { audience: 'author' });
      return {
        writes: [
          ...store.reviewWrites(reviews.reviewChange(null, written)),
          store.reviewGuard(written),
          // An order that left COMPLETED meanwhile (a dispute closing it) is decided again on fresh data,
          // so the buyer gets the rule's own answer (ORDER_CLOSED, …).
          store.orderStillCompleted(orderId),
          moderation.write,
          setTimer({ kind: 'EDIT_WINDOW', entityId: written.reviewId, dueAt: reviews.editWindowEndsAt(written) }, now),
          ...claim.writes,
          // A concurrent request with the same key loses on the record's guard, and its retry replays this one.
          ...keyRecordWrites(idempotency, view),
        ],
        result: { review: view },
        afterCommit: [moderation.afterCommit],
      };
    },
    refusals: {
      idempotencyKeyUnused: () => 'retry' as const,
      reviewGuard: new DomainError('REVIEW_ALREADY_EXISTS', 'This product of this order has already been reviewed; edit that review instead.'),
      ...claim.refusals,
    },
  });
}

async function ownReview(buyer: Principal, reviewId: string): Promise<Review> {
  const review = await store.getReview(reviewId);
  if (!review || review.buyerId !== buyer.userId) throw notFound('Review', reviewId);
  return review;
}

export async function editReview(buyer: Principal, reviewId: string, edit: Partial<Omit<RevisionContent, 'media'>> & { media?: string[] | undefined }) {
  const { media: uploadIds, ...rest } = edit;
  const content: Partial<Omit<RevisionContent, 'media'>> = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  const claim = mediaClaim(uploadIds ?? [], reviewId);
  const edited = await runCommand({
    subject: 'review',
    load: async () => {
      const review = await ownReview(buyer, reviewId);
      // Files the review already names keep the entry it has (moderation's checked copy): their original
      // upload may be gone by now (the lifecycle rule), and they were checked already.
      const media = uploadIds && reviews.keepKnownMedia(review, await mediaFor(buyer.userId, uploadIds, reviewId));
      return { review, media };
    },
    decide: ({ review, media }, now) => {
      const next = reviews.editReview(review, { ...content, ...(media && { media }) }, now);
      // An edit of a review held for a moderator waits for the moderator, not for the automated checks.
      const moderation = next.status === 'PENDING_MODERATION' ? moderationOutbox.send(moderationRequest(next, 'review'), now) : undefined;
      return {
        writes: [...store.reviewWrites(reviews.reviewChange(review, next)), ...(moderation ? [moderation.write] : []), ...claim.writes],
        result: next,
        afterCommit: moderation ? [moderation.afterCommit] : [],
      };
    },
    refusals: claim.refusals,
  });
  return authorView(edited, { audience: 'author' });
}

export async function viewReview(principal: Principal | undefined, reviewId: string) {
  // Anonymous readers get the public view: one GetItem. A signed-in reader may be the author (or an
  // admin), who also sees the history: one Query reads the review with it.
  const found = principal ? await store.getReviewWithRevisions(reviewId) : await store.getReview(reviewId).then((review) => review && { review, revisions: [] });
  if (!found) throw notFound('Review', reviewId);
  const { review, revisions } = found;
  if (isAdmin(principal) || (principal?.roles.includes('buyer') && principal.userId === review.buyerId)) return authorView(review, { revisions, audience: audienceOf(principal) });
  const record = reviews.publicReviewOf(review);
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
  return { items: await Promise.all(page.map((review) => authorView(review, { audience: 'author' }))), nextCursor: encodeCursor(lastKey, scope) };
}

/** The published reviews of a seller's shop, newest first, as the seller sees them. */
export async function shopReviews(seller: Principal, query: { limit: number; cursor?: string | undefined }) {
  // The cursor scope keeps its old name: cursors handed out before the rename stay valid.
  const scope = `store-reviews:${seller.userId}`;
  const { reviews: page, lastKey } = await store.listShopReviews(seller.userId, query.limit, decodeCursor(query.cursor, scope));
  const items = await Promise.all(
    page.flatMap((review) => {
      const record = reviews.publicReviewOf(review);
      return record ? [sellerView(review, record)] : [];
    }),
  );
  return { items, nextCursor: encodeCursor(lastKey, scope) };
}

export async function reply(seller: Principal, reviewId: string, text: string) {
  const { next, record } = await runCommand({
    subject: 'review',
    load: async () => {
      const review = await store.getReview(reviewId);
      const record = review && reviews.publicReviewOf(review);
      if (!review || review.sellerId !== seller.userId || !record) throw notFound('Review', reviewId);
      return { review, record };
    },
    decide: ({ review, record }, now) => {
      const next = reviews.setReply(review, text, now);
      const moderation = moderationOutbox.send(moderationRequest(next, 'reply'), now);
      return {
        writes: [...store.reviewWrites(reviews.reviewChange(review, next)), moderation.write],
        result: { next, record: reviews.publicReviewOf(next) ?? record },
        afterCommit: [moderation.afterCommit],
      };
    },
  });
  return sellerView(next, record);
}

/**
 * Voting twice, or withdrawing a vote never cast, changes nothing and answers with the count as it is.
 * The kernel knows a refusal only as an error, so this one carries that answer out of it.
 */
class AlreadyCounted extends Error {
  constructor(readonly helpfulCount: number) {
    super('The vote is already counted');
  }
}

export async function vote(principal: Principal, reviewId: string, helpful: boolean) {
  const voterId = principal.userId;
  // Only a refusal costs a read: to say why.
  const votable = async () => {
    const review = await store.getReview(reviewId);
    reviews.assertCanVote(review, reviewId, voterId);
    return review;
  };
  const alreadyCounted = async (): Promise<never> => {
    throw new AlreadyCounted((await votable()).helpfulCount);
  };
  const cast = runCommand({
    subject: 'review',
    maxAttempts: BUSY_REVIEW_ATTEMPTS,
    // Nothing is read first: the guards on the write say whether the vote may land.
    load: async () => undefined,
    decide: (_nothing, now) => ({ writes: store.voteWrites(reviewId, { userId: voterId, at: now }, helpful), result: undefined }),
    refusals: {
      // Listed first: a vote on a review that is not votable is refused as such, whatever else failed.
      reviewVotable: async () => {
        await votable();
        return 'retry' as const;
      },
      voteNotCast: alreadyCounted,
      voteCast: alreadyCounted,
    },
  });
  const helpfulCount = await cast.then(
    async () => (await store.refreshHelpfulRank(reviewId)) ?? 0,
    (error: unknown) => {
      if (error instanceof AlreadyCounted) return error.helpfulCount;
      throw error;
    },
  );
  return { reviewId, helpful, helpfulCount };
}

export async function report(principal: Principal, reviewId: string, body: { reason: string; details?: string | undefined }) {
  return runCommand({
    subject: 'review',
    maxAttempts: BUSY_REVIEW_ATTEMPTS,
    load: async () => {
      const review = await store.getReview(reviewId);
      reviews.assertCanReport(review, reviewId, principal.userId);
      // Reports may take the review down, which moves its order's feedback.
      return { review, feedback: await getOrderFeedback(review.orderId) };
    },
    decide: ({ review, feedback }, now) => {
      const { review: next, superseded } = reviews.recordReport(review, now);
      return {
        writes: [
          store.recordReportWrite(reviewId, { userId: principal.userId, reason: body.reason, details: body.details ?? null, at: now }),
          ...store.reviewWrites(reviews.reviewChange(review, next, superseded), { feedback }),
          // An overtaken edit's moderation request has nothing left to decide.
          ...(superseded ? [moderationOutbox.done({ kind: 'review', reviewId, revision: superseded.revision })] : []),
        ],
        result: { reviewId, reason: body.reason, reportedAt: now },
        afterCommit: next.status === 'NEEDS_HUMAN' && review.status !== 'NEEDS_HUMAN' ? [() => logger.info('Review sent to moderators by reports', { reviewId })] : [],
      };
    },
    refusals: { notReported: new DomainError('ALREADY_REPORTED', 'You have already reported this review.') },
  });
}

export async function moderationQueue(query: { status: 'NEEDS_HUMAN' | 'PENDING_MODERATION'; limit: number; cursor?: string | undefined }) {
  const scope = `moderation:${query.status}`;
  const { reviews: page, lastKey } = await store.listModerationQueue(query.status, query.limit, decodeCursor(query.cursor, scope));
  return { items: await Promise.all(page.map((review) => authorView(review, { audience: 'admin' }))), nextCursor: encodeCursor(lastKey, scope) };
}

/**
 * An admin's decision on a review or its reply, recorded with the admin's id and the time. Decided once:
 * a moderator decides what they read, so a review that changed meanwhile is answered with
 * CONCURRENT_UPDATE (reload and decide again) instead of being decided again on content they have not seen.
 */
export async function decide(admin: Principal, reviewId: string, decision: ModeratorDecision) {
  const decided = await runCommand({
    subject: 'review',
    maxAttempts: 1,
    load: async () => {
      const review = await store.getReview(reviewId);
      if (!review) throw notFound('Review', reviewId);
      return { review, feedback: await getOrderFeedback(review.orderId) };
    },
    decide: ({ review, feedback }, now) => {
      const next = reviews.moderatorDecides(review, decision, admin.userId, now);
      const republished = decision.target === 'REVIEW' && decision.decision === 'PUBLISH';
      // The author learns the decision on their review, or that the seller's reply is out.
      const told = notify(reviewNotifications(review, next), now);
      return {
        writes: [
          ...store.reviewWrites(reviews.reviewChange(review, next), { feedback }),
          ...told.writes,
          // A removed review has nothing left for automated moderation to decide.
          ...(next.status === 'REMOVED' ? [moderationOutbox.done(moderationRequest(next, 'review')), moderationOutbox.done(moderationRequest(next, 'reply'))] : []),
        ],
        result: next,
        afterCommit: [...(republished ? [() => businessEvent('ReviewPublished', { reviewId, productId: next.productId, revision: next.latest.revision, by: 'moderator' })] : []), ...told.afterCommit],
      };
    },
  });
  return authorView(decided, { audience: 'admin' });
}
