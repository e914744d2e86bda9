/**
 * Verified reviews (DOMAIN.md "Reviews"): who may review what and when, revisions and their moderation,
 * what the public, the seller and the author each see, and how a review moves the product's rating
 * aggregate and the seller's feedback counters. Pure: no I/O, the time is passed in.
 */
import { policy } from '../platform/config.js';
import { DomainError } from './errors.js';
import type { Order } from './orders.js';

/** Why a revision or reply was not published: automated codes (domain/moderation.ts) or a moderator's. */
export interface ModerationReason {
  code: string;
  message: string;
}

export type ReviewStatus = 'PENDING_MODERATION' | 'PUBLISHED' | 'REJECTED' | 'NEEDS_HUMAN' | 'REMOVED';
export type Stars = 1 | 2 | 3 | 4 | 5;

export interface SellerRatings {
  itemAsDescribed: number;
  communication: number;
  shippingSpeed: number;
}

export interface MediaRef {
  uploadId: string;
  key: string;
  contentType: string;
}

export interface RevisionContent {
  rating: number;
  text: string;
  media: MediaRef[];
  sellerRatings: SellerRatings;
}

export interface Revision extends RevisionContent {
  revision: number;
  status: ReviewStatus;
  reasons: ModerationReason[];
  createdAt: string;
  decidedAt: string | null;
}

export interface Reply {
  text: string;
  status: ReviewStatus;
  reasons: ModerationReason[];
  updatedAt: string;
  version: number;
  /** The last reply text that passed moderation: what the public sees. */
  published: { text: string; repliedAt: string } | null;
}

export interface Review {
  reviewId: string;
  orderId: string;
  productId: string;
  sellerId: string;
  buyerId: string;
  /** Masked at creation; the real name is never stored with the review. */
  reviewerName: string;
  status: ReviewStatus;
  latest: Revision;
  /** The last published revision: public until a newer one is published. */
  published: Revision | null;
  firstPublishedAt: string | null;
  /** Month whose seller counters this review's feedback is counted in (its first publication). */
  statsMonth: string | null;
  helpfulCount: number;
  reportCount: number;
  reply: Reply | null;
  removal: { reason: string; at: string } | null;
  /** Set by the timers job when the 180-day edit window has passed. */
  editWindowClosed?: boolean;
  /**
   * Set when abuse reports sent the review to a moderator (and kept after a moderator rejects it): until a
   * moderator publishes it again, edits go to a moderator too, so an edit cannot slip it back out.
   */
  heldForModerator?: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const plus = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms).toISOString();

/** `jordan` → `j***n`: sellers and the public never see who wrote a review (seed 000). */
export function maskName(name: string | undefined): string {
  const letters = [...(name ?? '').trim()];
  if (letters.length === 0) return 'a***r';
  // First and last letter of a short name would be most of it ("Li" → "L***i"): show the first only.
  if (letters.length <= 3) return `${letters[0]}***`;
  return `${letters[0]}***${letters[letters.length - 1]}`;
}

export const reviewWindowEndsAt = (order: Pick<Order, 'completedAt'>): string | null => (order.completedAt ? plus(order.completedAt, policy.reviewWindowMs) : null);
export const editWindowEndsAt = (review: Pick<Review, 'createdAt'>): string => plus(review.createdAt, policy.reviewEditWindowMs);

/** Only the buyer of a completed order, for a product on it, within 30 days of completion. */
export function assertCanReview(order: Order, productId: string, now: string): void {
  if (order.status === 'CANCELLED') throw new DomainError('ORDER_CANCELLED', 'A cancelled order cannot be reviewed.');
  if (order.status === 'CLOSED') throw new DomainError('ORDER_CLOSED', 'An order refunded through a dispute cannot be reviewed.');
  if (order.status !== 'COMPLETED') throw new DomainError('ORDER_NOT_COMPLETED', 'Confirm receipt of the order before reviewing it.');
  if (!order.items.some((item) => item.productId === productId)) {
    throw new DomainError('PRODUCT_NOT_IN_ORDER', 'This product is not part of the order.', [{ path: 'body.productId', message: 'not in this order' }]);
  }
  const closesAt = reviewWindowEndsAt(order);
  if (!closesAt || now > closesAt || order.reviewWindowClosed) throw new DomainError('REVIEW_WINDOW_CLOSED', `Reviews are accepted for ${policy.reviewWindowMs / DAY_MS} days after completion.`);
}

export function createReview(input: { reviewId: string; order: Order; productId: string; reviewerName: string | undefined; content: RevisionContent; now: string }): Review {
  assertCanReview(input.order, input.productId, input.now);
  return {
    reviewId: input.reviewId,
    orderId: input.order.orderId,
    productId: input.productId,
    sellerId: input.order.sellerId,
    buyerId: input.order.buyerId,
    reviewerName: maskName(input.reviewerName),
    status: 'PENDING_MODERATION',
    latest: { ...input.content, revision: 1, status: 'PENDING_MODERATION', reasons: [], createdAt: input.now, decidedAt: null },
    published: null,
    firstPublishedAt: null,
    statsMonth: null,
    helpfulCount: 0,
    reportCount: 0,
    reply: null,
    removal: null,
    createdAt: input.now,
    updatedAt: input.now,
    version: 0,
  };
}

const bump = (review: Review, now: string, changes: Partial<Review>): Review => ({ ...review, ...changes, updatedAt: now, version: review.version + 1 });

/** An edit is a new revision, moderated again; the published one stays public meanwhile. */
export function editReview(review: Review, edit: Partial<RevisionContent>, now: string): Review {
  if (review.status === 'REMOVED') throw new DomainError('REVIEW_REMOVED', 'This review was removed by the platform and cannot be edited.');
  if (now > editWindowEndsAt(review) || review.editWindowClosed) throw new DomainError('EDIT_WINDOW_CLOSED', `Reviews can be edited for ${policy.reviewEditWindowMs / DAY_MS} days after they are written.`);
  const { revision: _r, status: _s, reasons: _re, createdAt: _c, decidedAt: _d, ...content } = review.latest;
  if (review.heldForModerator) {
    const reasons = [{ code: 'HELD_FOR_MODERATOR', message: 'This review was reported; a moderator will look at your edit.' }];
    const held: Revision = { ...content, ...edit, revision: review.latest.revision + 1, status: 'NEEDS_HUMAN', reasons, createdAt: now, decidedAt: null };
    return bump(review, now, { latest: held, status: 'NEEDS_HUMAN' });
  }
  const latest: Revision = { ...content, ...edit, revision: review.latest.revision + 1, status: 'PENDING_MODERATION', reasons: [], createdAt: now, decidedAt: null };
  return bump(review, now, { latest, status: 'PENDING_MODERATION' });
}

export interface Publication {
  before: Revision | null;
  after: Revision | null;
}

export interface ModerationResult {
  review: Review;
  publication: Publication;
  /** A revision that will never be decided any more (an edit overtaken by abuse reports), closed with its reason. */
  superseded?: Revision;
}

function publish(review: Review, now: string): Partial<Review> {
  return {
    published: review.latest,
    firstPublishedAt: review.firstPublishedAt ?? now,
    statsMonth: review.statsMonth ?? now.slice(0, 7),
  };
}

/**
 * The automated outcome for one revision. Returns null when that revision is no longer the one waiting
 * (already decided, superseded by a newer edit, or the review was removed): redelivered messages are no-ops.
 */
export function applyModeration(review: Review, revision: number, outcome: 'PUBLISHED' | 'REJECTED' | 'NEEDS_HUMAN', reasons: ModerationReason[], now: string): ModerationResult | null {
  if (review.status === 'REMOVED' || review.latest.revision !== revision || review.latest.status !== 'PENDING_MODERATION') return null;
  const decided: Revision = { ...review.latest, status: outcome, reasons, decidedAt: now };
  const withDecision = { ...review, latest: decided };
  const changes: Partial<Review> = { latest: decided, status: outcome, ...(outcome === 'PUBLISHED' ? publish(withDecision, now) : {}) };
  const next = bump(review, now, changes);
  return { review: next, publication: { before: review.published, after: next.published } };
}

export function adminDecision(review: Review, decision: 'PUBLISH' | 'REJECT' | 'REMOVE', reason: string | undefined, now: string): ModerationResult {
  if (review.status === 'REMOVED') throw new DomainError('REVIEW_REMOVED', 'This review was already removed.');
  if (decision === 'REMOVE') {
    const next = bump(review, now, { status: 'REMOVED', published: null, removal: { reason: reason ?? 'removed by the platform', at: now } });
    return { review: next, publication: { before: review.published, after: null } };
  }
  if (review.status !== 'NEEDS_HUMAN') throw new DomainError('NOTHING_TO_DECIDE', `Only reviews waiting for a human can be published or rejected; this one is ${review.status}.`);
  const reasons = decision === 'REJECT' ? [{ code: 'REJECTED_BY_MODERATOR', message: reason ?? 'Rejected by a moderator.' }] : [];
  const decided: Revision = { ...review.latest, status: decision === 'PUBLISH' ? 'PUBLISHED' : 'REJECTED', reasons, decidedAt: now };
  const base = { ...review, latest: decided };
  // Rejecting leaves publication as it is: an earlier published revision stays public, and a review
  // that abuse reports sent back was already unpublished.
  // A moderator's decision settles the reports made so far; only publishing lifts the hold on edits.
  const changes: Partial<Review> =
    decision === 'PUBLISH' ? { latest: decided, status: 'PUBLISHED', reportCount: 0, heldForModerator: false, ...publish(base, now) } : { latest: decided, status: 'REJECTED', reportCount: 0 };
  const next = bump(review, now, changes);
  return { review: next, publication: { before: review.published, after: next.published } };
}

export const REPORTS_TO_ESCALATE = 3;

/**
 * A report from one more distinct user. The third sends whatever is public back to a human, unpublished
 * — also when a newer edit is pending or was rejected meanwhile: the published text is what was reported.
 */
export function recordReport(review: Review, now: string): ModerationResult {
  if (review.status === 'REMOVED') throw new DomainError('REVIEW_REMOVED', 'This review was removed.');
  const reportCount = review.reportCount + 1;
  const published = review.published;
  if (reportCount >= REPORTS_TO_ESCALATE && published) {
    const reasons = [{ code: 'REPORTED_BY_USERS', message: 'Several users reported this review; a moderator will look at it.' }];
    // The reported content becomes the revision a moderator decides; a pending or rejected edit is superseded.
    const latest: Revision =
      review.latest.revision === published.revision
        ? { ...review.latest, status: 'NEEDS_HUMAN', reasons }
        : { ...published, revision: review.latest.revision + 1, status: 'NEEDS_HUMAN', reasons, createdAt: now, decidedAt: null };
    const next = bump(review, now, { reportCount, status: 'NEEDS_HUMAN', latest, published: null, heldForModerator: true });
    const overtaken = review.latest.revision === published.revision || review.latest.decidedAt !== null ? undefined : review.latest;
    return {
      review: next,
      publication: { before: published, after: null },
      ...(overtaken && { superseded: { ...overtaken, status: 'REJECTED' as const, reasons: [{ code: 'SUPERSEDED_BY_REPORTS', message: 'Your edit was not reviewed: the review was reported and a moderator now decides on it.' }], decidedAt: now } }),
    };
  }
  const next = bump(review, now, { reportCount });
  return { review: next, publication: { before: published, after: published } };
}

/** One reply per review by the product's seller, editable, moderated like the review. */
export function setReply(review: Review, text: string, now: string): Review {
  if (review.status === 'REMOVED') throw new DomainError('REVIEW_REMOVED', 'This review was removed.');
  if (!review.published) throw new DomainError('REVIEW_NOT_PUBLISHED', 'You can reply once the review is published.');
  const reply: Reply = { text, status: 'PENDING_MODERATION', reasons: [], updatedAt: now, version: (review.reply?.version ?? 0) + 1, published: review.reply?.published ?? null };
  return bump(review, now, { reply });
}

export function applyReplyModeration(review: Review, replyVersion: number, outcome: 'PUBLISHED' | 'REJECTED' | 'NEEDS_HUMAN', reasons: ModerationReason[], now: string): Review | null {
  const reply = review.reply;
  if (!reply || reply.version !== replyVersion || reply.status !== 'PENDING_MODERATION' || review.status === 'REMOVED') return null;
  return bump(review, now, { reply: { ...reply, status: outcome, reasons, published: outcome === 'PUBLISHED' ? { text: reply.text, repliedAt: now } : reply.published } });
}

export function adminReplyDecision(review: Review, decision: 'PUBLISH' | 'REJECT' | 'REMOVE', reason: string | undefined, now: string): Review {
  const reply = review.reply;
  if (!reply) throw new DomainError('NOTHING_TO_DECIDE', 'This review has no reply.');
  if (decision === 'REMOVE') return bump(review, now, { reply: { ...reply, status: 'REMOVED', reasons: [{ code: 'REMOVED_BY_MODERATOR', message: reason ?? 'Removed.' }], published: null } });
  if (reply.status !== 'NEEDS_HUMAN') throw new DomainError('NOTHING_TO_DECIDE', `The reply is ${reply.status}, not waiting for a human.`);
  if (decision === 'REJECT') return bump(review, now, { reply: { ...reply, status: 'REJECTED', reasons: [{ code: 'REJECTED_BY_MODERATOR', message: reason ?? 'Rejected.' }] } });
  return bump(review, now, { reply: { ...reply, status: 'PUBLISHED', reasons: [], published: { text: reply.text, repliedAt: now } } });
}

// ---- Aggregates: changed exactly once per publication change, never recomputed by scanning. ----

export interface RatingDelta {
  count: number;
  sum: number;
  histogram: Record<Stars, number>;
  withMedia: number;
}

const contribution = (revision: Revision | null, sign: 1 | -1): RatingDelta => {
  const histogram: Record<Stars, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  if (!revision) return { count: 0, sum: 0, histogram, withMedia: 0 };
  histogram[revision.rating as Stars] = sign;
  return { count: sign, sum: sign * revision.rating, histogram, withMedia: revision.media.length > 0 ? sign : 0 };
};

export function ratingDelta(publication: Publication): RatingDelta {
  const removed = contribution(publication.before, -1);
  const added = contribution(publication.after, 1);
  const histogram = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } as Record<Stars, number>;
  for (const star of [1, 2, 3, 4, 5] as Stars[]) histogram[star] = removed.histogram[star] + added.histogram[star];
  return { count: removed.count + added.count, sum: removed.sum + added.sum, histogram, withMedia: removed.withMedia + added.withMedia };
}

export type FeedbackClass = 'positive' | 'neutral' | 'negative';
/** 4–5 stars positive, 3 neutral, 1–2 negative (DOMAIN.md "Seller reputation"). */
export const feedbackClass = (rating: number): FeedbackClass => (rating >= 4 ? 'positive' : rating === 3 ? 'neutral' : 'negative');

export interface FeedbackDelta {
  feedbackPositive: number;
  feedbackNeutral: number;
  feedbackNegative: number;
  dsrCount: number;
  dsrItemAsDescribed: number;
  dsrCommunication: number;
  dsrShippingSpeed: number;
}

export function feedbackDelta(publication: Publication): FeedbackDelta {
  const delta: FeedbackDelta = { feedbackPositive: 0, feedbackNeutral: 0, feedbackNegative: 0, dsrCount: 0, dsrItemAsDescribed: 0, dsrCommunication: 0, dsrShippingSpeed: 0 };
  const apply = (revision: Revision | null, sign: 1 | -1) => {
    if (!revision) return;
    const key = `feedback${feedbackClass(revision.rating).replace(/^./, (c) => c.toUpperCase())}` as keyof FeedbackDelta;
    delta[key] += sign;
    delta.dsrCount += sign;
    delta.dsrItemAsDescribed += sign * revision.sellerRatings.itemAsDescribed;
    delta.dsrCommunication += sign * revision.sellerRatings.communication;
    delta.dsrShippingSpeed += sign * revision.sellerRatings.shippingSpeed;
  };
  apply(publication.before, -1);
  apply(publication.after, 1);
  return delta;
}

export const publicationChanged = (publication: Publication): boolean => publication.before?.revision !== publication.after?.revision || (publication.before === null) !== (publication.after === null);
