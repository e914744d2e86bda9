/**
 * Verified reviews (DOMAIN.md "Reviews"): who may review what and when, revisions and their moderation,
 * what the public, the seller and the author each see, and how a review moves the product's rating
 * aggregate and the seller's feedback counters. Pure: no I/O, the time is passed in.
 */
import { DAY_MS, policy } from '../platform/config.js';
import { DomainError, notFound } from './errors.js';
import type { Order } from './orders.js';
import { addMs } from './time.js';

/** Why a revision or reply was not published: automated codes (domain/moderation.ts) or a moderator's. */
export interface ModerationReason {
  code: string;
  message: string;
}

export const REVIEW_STATUSES = ['PENDING_MODERATION', 'PUBLISHED', 'REJECTED', 'NEEDS_HUMAN', 'REMOVED'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export type ModerationOutcome = Extract<ReviewStatus, 'PUBLISHED' | 'REJECTED' | 'NEEDS_HUMAN'>;
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
  /** The admin who decided this revision; null when automated moderation did (or nobody yet). */
  decidedBy: string | null;
}

export interface Reply {
  text: string;
  status: ReviewStatus;
  reasons: ModerationReason[];
  updatedAt: string;
  version: number;
  /** The last reply text that passed moderation: what the public sees. */
  published: { text: string; repliedAt: string } | null;
  decidedAt: string | null;
  /** The admin who decided this version of the reply; null when automated moderation did (or nobody yet). */
  decidedBy: string | null;
}

/** An admin's removal of a review: why, when and who (every admin action is recorded with its admin). */
export interface Removal {
  reason: string;
  at: string;
  /** The admin's user id; null only for removals recorded before admins were. */
  by: string | null;
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
  removal: Removal | null;
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


/** `jordan` → `j***n`: sellers and the public never see who wrote a review (seed 000). */
export function maskName(name: string | undefined): string {
  const letters = [...(name ?? '').trim()];
  if (letters.length === 0) return 'a***r';
  // First and last letter of a short name would be most of it ("Li" → "L***i"): show the first only.
  if (letters.length <= 3) return `${letters[0]}***`;
  return `${letters[0]}***${letters[letters.length - 1]}`;
}

/** When the review window of a completed order ends: the REVIEW_WINDOW timer's due time. */
export const reviewWindowEndsAt = (order: Pick<Order, 'completedAt'>): string | null => (order.completedAt ? addMs(order.completedAt, policy.reviewWindowMs) : null);

/** Until when the order can be reviewed: null before completion and once the timers job closed the window. */
export const reviewableUntil = (order: Pick<Order, 'completedAt' | 'reviewWindowClosed'>): string | null => (order.reviewWindowClosed ? null : reviewWindowEndsAt(order));

export const editWindowEndsAt = (review: Pick<Review, 'createdAt'>): string => addMs(review.createdAt, policy.reviewEditWindowMs);

/** Whether the author may still edit: within 180 days of writing, and never after a removal. */
export const isEditable = (review: Pick<Review, 'createdAt' | 'editWindowClosed' | 'status'>, now: string): boolean =>
  review.status !== 'REMOVED' && !review.editWindowClosed && now <= editWindowEndsAt(review);

/** Only the buyer of a completed order, for a product on it, within 30 days of completion; never its own product. */
export function assertCanReview(order: Order, productId: string, now: string): void {
  // An order placed before self-dealing was refused still cannot earn its seller a "verified" review.
  if (order.buyerId === order.sellerId) throw new DomainError('OWN_PRODUCT', 'You cannot review a product of your own store.');
  if (order.status === 'CANCELLED') throw new DomainError('ORDER_CANCELLED', 'A cancelled order cannot be reviewed.');
  if (order.status === 'CLOSED') throw new DomainError('ORDER_CLOSED', 'An order refunded through a dispute cannot be reviewed.');
  if (order.status !== 'COMPLETED') throw new DomainError('ORDER_NOT_COMPLETED', 'Confirm receipt of the order before reviewing it.');
  if (!order.items.some((item) => item.productId === productId)) {
    throw new DomainError('PRODUCT_NOT_IN_ORDER', 'This product is not part of the order.', [{ path: 'body.productId', message: 'not in this order' }]);
  }
  const until = reviewableUntil(order);
  if (!until || now > until) throw new DomainError('REVIEW_WINDOW_CLOSED', `Reviews are accepted for ${policy.reviewWindowMs / DAY_MS} days after completion.`);
}

export type ModerationQueue = Extract<ReviewStatus, 'PENDING_MODERATION' | 'NEEDS_HUMAN'>;
const waiting = (status: ReviewStatus | undefined): status is ModerationQueue => status === 'PENDING_MODERATION' || status === 'NEEDS_HUMAN';

/**
 * The admins' queue a review is in: by its own status while it waits, else by its seller reply's while
 * that waits (an escalated reply is decided by an admin too, so it must reach one); null when nothing waits.
 */
export const moderationQueueOf = (review: Pick<Review, 'status' | 'reply'>): ModerationQueue | null =>
  waiting(review.status) ? review.status : waiting(review.reply?.status) && review.status !== 'REMOVED' ? review.reply.status : null;

/** Votes and reports are for published reviews: anything else is not visible to the voter (404). */
export function assertPublished(review: Review | undefined, reviewId: string): asserts review is Review {
  if (!review || !review.published) throw notFound('Review', reviewId);
}

/** The product's own seller, whatever role its token carries, neither votes on nor reports its reviews (403; it goes through support). */
function assertNotOwnProduct(review: Review, userId: string, what: string): void {
  if (review.sellerId === userId) throw new DomainError('OWN_PRODUCT', `You cannot ${what} reviews of your own products; contact support instead.`);
}

/** A helpful vote: on a published review, never the author's own nor by the product's seller (DOMAIN.md "Reviews"). */
export function assertCanVote(review: Review | undefined, reviewId: string, voterId: string): asserts review is Review {
  assertPublished(review, reviewId);
  if (review.buyerId === voterId) throw new DomainError('CANNOT_VOTE_OWN_REVIEW', 'You cannot vote on your own review.');
  assertNotOwnProduct(review, voterId, 'vote on');
}

/**
 * An abuse report: on a published review; the author's own review is not reportable (404, as if unseen),
 * and the product's seller's reports are refused, so they never count toward the three that escalate.
 */
export function assertCanReport(review: Review | undefined, reviewId: string, reporterId: string): asserts review is Review {
  assertPublished(review, reviewId);
  if (review.buyerId === reporterId) throw notFound('Review', reviewId);
  assertNotOwnProduct(review, reporterId, 'report');
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
    latest: { ...input.content, revision: 1, status: 'PENDING_MODERATION', reasons: [], createdAt: input.now, decidedAt: null, decidedBy: null },
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

/**
 * The media of an edit: a file the review already names keeps the entry it has (the published
 * revision's first, which moderation checked and copied, else the latest's), so an edit never sends an
 * already checked file back to its original upload; files new to the review are taken as `named`.
 */
export function keepKnownMedia(review: Pick<Review, 'latest' | 'published'>, named: readonly MediaRef[]): MediaRef[] {
  const known = new Map([...review.latest.media, ...(review.published?.media ?? [])].map((item) => [item.uploadId, item]));
  return named.map((item) => known.get(item.uploadId) ?? item);
}

/** An edit is a new revision, moderated again; the published one stays public meanwhile. */
export function editReview(review: Review, edit: Partial<RevisionContent>, now: string): Review {
  if (review.status === 'REMOVED') throw new DomainError('REVIEW_REMOVED', 'This review was removed by the platform and cannot be edited.');
  if (!isEditable(review, now)) throw new DomainError('EDIT_WINDOW_CLOSED', `Reviews can be edited for ${policy.reviewEditWindowMs / DAY_MS} days after they are written.`);
  const { rating, text, media, sellerRatings } = review.latest;
  const content: RevisionContent = { rating, text, media, sellerRatings, ...edit };
  const revision = review.latest.revision + 1;
  if (review.heldForModerator) {
    const reasons = [{ code: 'HELD_FOR_MODERATOR', message: 'This review was reported; a moderator will look at your edit.' }];
    const held: Revision = { ...content, revision, status: 'NEEDS_HUMAN', reasons, createdAt: now, decidedAt: null, decidedBy: null };
    return bump(review, now, { latest: held, status: 'NEEDS_HUMAN' });
  }
  const latest: Revision = { ...content, revision, status: 'PENDING_MODERATION', reasons: [], createdAt: now, decidedAt: null, decidedBy: null };
  return bump(review, now, { latest, status: 'PENDING_MODERATION' });
}

export interface ReportOutcome {
  review: Review;
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
export function applyModeration(review: Review, revision: number, outcome: ModerationOutcome, reasons: ModerationReason[], now: string): Review | null {
  if (review.status === 'REMOVED' || review.latest.revision !== revision || review.latest.status !== 'PENDING_MODERATION') return null;
  const decided: Revision = { ...review.latest, status: outcome, reasons, decidedAt: now, decidedBy: null };
  const withDecision = { ...review, latest: decided };
  return bump(review, now, { latest: decided, status: outcome, ...(outcome === 'PUBLISHED' ? publish(withDecision, now) : {}) });
}

/** What an admin decides (API.md `POST /v1/admin/reviews/{id}/decision`): on the review, or on its seller reply. */
export interface ModeratorDecision {
  decision: 'PUBLISH' | 'REJECT' | 'REMOVE';
  reason?: string | undefined;
  target: 'REVIEW' | 'REPLY';
}

/** An admin's decision, recorded with the admin's id and the time on what it decided. */
export const moderatorDecides = (review: Review, decision: ModeratorDecision, adminId: string, now: string): Review =>
  decision.target === 'REPLY' ? decideReply(review, decision, adminId, now) : decideReview(review, decision, adminId, now);

function decideReview(review: Review, { decision, reason }: ModeratorDecision, adminId: string, now: string): Review {
  if (review.status === 'REMOVED') throw new DomainError('REVIEW_REMOVED', 'This review was already removed.');
  if (decision === 'REMOVE') return bump(review, now, { status: 'REMOVED', published: null, removal: { reason: reason ?? 'removed by the platform', at: now, by: adminId } });
  if (review.status !== 'NEEDS_HUMAN') throw new DomainError('NOTHING_TO_DECIDE', `Only reviews waiting for a human can be published or rejected; this one is ${review.status}.`);
  const reasons = decision === 'REJECT' ? [{ code: 'REJECTED_BY_MODERATOR', message: reason ?? 'Rejected by a moderator.' }] : [];
  const decided: Revision = { ...review.latest, status: decision === 'PUBLISH' ? 'PUBLISHED' : 'REJECTED', reasons, decidedAt: now, decidedBy: adminId };
  const base = { ...review, latest: decided };
  // Rejecting leaves publication as it is: an earlier published revision stays public, and a review
  // that abuse reports sent back was already unpublished.
  // A moderator's decision settles the reports made so far; only publishing lifts the hold on edits.
  return bump(
    review,
    now,
    decision === 'PUBLISH' ? { latest: decided, status: 'PUBLISHED', reportCount: 0, heldForModerator: false, ...publish(base, now) } : { latest: decided, status: 'REJECTED', reportCount: 0 },
  );
}

function decideReply(review: Review, { decision, reason }: ModeratorDecision, adminId: string, now: string): Review {
  const reply = review.reply;
  if (!reply) throw new DomainError('NOTHING_TO_DECIDE', 'This review has no reply.');
  const decided = { decidedAt: now, decidedBy: adminId };
  if (decision === 'REMOVE') return bump(review, now, { reply: { ...reply, ...decided, status: 'REMOVED', reasons: [{ code: 'REMOVED_BY_MODERATOR', message: reason ?? 'Removed.' }], published: null } });
  if (reply.status !== 'NEEDS_HUMAN') throw new DomainError('NOTHING_TO_DECIDE', `The reply is ${reply.status}, not waiting for a human.`);
  if (decision === 'REJECT') return bump(review, now, { reply: { ...reply, ...decided, status: 'REJECTED', reasons: [{ code: 'REJECTED_BY_MODERATOR', message: reason ?? 'Rejected.' }] } });
  return bump(review, now, { reply: { ...reply, ...decided, status: 'PUBLISHED', reasons: [], published: { text: reply.text, repliedAt: now } } });
}

export const REPORTS_TO_ESCALATE = 3;

/**
 * A report from one more distinct user. The third sends whatever is public back to a human, unpublished
 * — also when a newer edit is pending or was rejected meanwhile: the published text is what was reported.
 */
export function recordReport(review: Review, now: string): ReportOutcome {
  if (review.status === 'REMOVED') throw new DomainError('REVIEW_REMOVED', 'This review was removed.');
  const reportCount = review.reportCount + 1;
  const published = review.published;
  if (reportCount >= REPORTS_TO_ESCALATE && published) {
    const reasons = [{ code: 'REPORTED_BY_USERS', message: 'Several users reported this review; a moderator will look at it.' }];
    // The reported content becomes the revision a moderator decides; a pending or rejected edit is superseded.
    const latest: Revision =
      review.latest.revision === published.revision
        ? { ...review.latest, status: 'NEEDS_HUMAN', reasons }
        : { ...published, revision: review.latest.revision + 1, status: 'NEEDS_HUMAN', reasons, createdAt: now, decidedAt: null, decidedBy: null };
    const next = bump(review, now, { reportCount, status: 'NEEDS_HUMAN', latest, published: null, heldForModerator: true });
    const overtaken = review.latest.revision === published.revision || review.latest.decidedAt !== null ? undefined : review.latest;
    const closedReason = { code: 'SUPERSEDED_BY_REPORTS', message: 'Your edit was not reviewed: the review was reported and a moderator now decides on it.' };
    return { review: next, ...(overtaken && { superseded: { ...overtaken, status: 'REJECTED' as const, reasons: [closedReason], decidedAt: now } }) };
  }
  return { review: bump(review, now, { reportCount }) };
}

/** One reply per review by the product's seller, editable, moderated like the review. */
export function setReply(review: Review, text: string, now: string): Review {
  if (review.status === 'REMOVED') throw new DomainError('REVIEW_REMOVED', 'This review was removed.');
  if (!review.published) throw new DomainError('REVIEW_NOT_PUBLISHED', 'You can reply once the review is published.');
  const reply: Reply = {
    text,
    status: 'PENDING_MODERATION',
    reasons: [],
    updatedAt: now,
    version: (review.reply?.version ?? 0) + 1,
    published: review.reply?.published ?? null,
    decidedAt: null,
    decidedBy: null,
  };
  return bump(review, now, { reply });
}

export function applyReplyModeration(review: Review, replyVersion: number, outcome: ModerationOutcome, reasons: ModerationReason[], now: string): Review | null {
  const reply = review.reply;
  if (!reply || reply.version !== replyVersion || reply.status !== 'PENDING_MODERATION' || review.status === 'REMOVED') return null;
  const published = outcome === 'PUBLISHED' ? { text: reply.text, repliedAt: now } : reply.published;
  return bump(review, now, { reply: { ...reply, status: outcome, reasons, published, decidedAt: now, decidedBy: null } });
}

// ---- What the public sees: a projection of the published revision, stored as its own item. ----

/** A published review as the public and the seller see it: no reviewer id, no order id, the masked name. */
export interface PublicReview {
  reviewId: string;
  productId: string;
  rating: number;
  text: string;
  media: MediaRef[];
  sellerRatings: SellerRatings;
  reviewerName: string;
  publishedAt: string;
  editedAt: string | null;
  helpfulCount: number;
  sellerReply: { text: string; repliedAt: string } | null;
}

export function publicReviewOf(review: Review): PublicReview | null {
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

// ---- One change of a review, as it is stored: decided here, so the store writes only what it is told. ----

export interface ReviewChange {
  /** The review as it was read (its version guards the write); null for a new review. */
  before: Review | null;
  after: Review;
  /** Revisions to write: the latest one when it changed, and any closed without a decision. */
  revisions: Revision[];
  /** The public projection when it changed: written anew (`after`), or gone (`after: null`). */
  projection: { before: PublicReview | null; after: PublicReview | null } | null;
  /**
   * The product's rating, moved only when what is published changed; the seller's feedback is the
   * order's, counted once per order from the order's feedback (domain/reputation.ts, store/reviews.ts).
   */
  aggregates: { productId: string; rating: RatingDelta; sellerId: string; month: string } | null;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function reviewChange(before: Review | null, after: Review, superseded?: Revision): ReviewChange {
  const revisions = [...(superseded ? [superseded] : []), ...(before && same(before.latest, after.latest) ? [] : [after.latest])];
  const publicBefore = before && publicReviewOf(before);
  const publicAfter = publicReviewOf(after);
  const publication: Publication = { before: before?.published ?? null, after: after.published };
  return {
    before,
    after,
    revisions,
    projection: same(publicBefore, publicAfter) ? null : { before: publicBefore, after: publicAfter },
    // The month of first publication keeps a review's feedback in one month's counters, whatever happens later.
    aggregates:
      publicationChanged(publication) && after.statsMonth
        ? { productId: after.productId, rating: ratingDelta(publication), sellerId: after.sellerId, month: after.statsMonth }
        : null,
  };
}

/** The published revision before and after a change: what the aggregates count. */
export interface Publication {
  before: Revision | null;
  after: Revision | null;
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

/** What an order's feedback adds to the seller's month counters (domain/reputation.ts feedbackCounts). */
export interface FeedbackDelta {
  feedbackPositive: number;
  feedbackNeutral: number;
  feedbackNegative: number;
  dsrCount: number;
  dsrItemAsDescribed: number;
  dsrCommunication: number;
  dsrShippingSpeed: number;
}

export const publicationChanged = (publication: Publication): boolean => publication.before?.revision !== publication.after?.revision || (publication.before === null) !== (publication.after === null);
