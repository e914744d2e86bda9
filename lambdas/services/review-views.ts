/**
 * How a review is shown to each audience. Public and seller views are built only from the public
 * projection and masked name: they never carry the reviewer's id or the order id (seed 000: "sellers
 * won't see who left the review"). Media become short-lived presigned URLs.
 */
import { editWindowEndsAt, isEditable, publicReviewOf, type MediaRef, type PublicReview, type Review, type Revision } from '../domain/reviews.js';
import { clock } from '../platform/clock.js';
import { isOwnedKey, presignDownload } from '../store/files.js';

/**
 * Who reads the author's view: the author, or an admin, who also sees which admin decided (the author
 * sees when and why a moderator decided, not which colleague).
 */
export type Audience = 'author' | 'admin';

/**
 * Links to the platform's checked copies only: until moderation has pinned a file (store/files.ts
 * `isOwnedKey`), what the uploader posted is shown to nobody, the author and admins included.
 */
const mediaUrls = (media: MediaRef[]) => Promise.all(media.filter((item) => isOwnedKey(item.key)).map(async (item) => ({ url: await presignDownload(item.key), contentType: item.contentType })));

export async function publicView(record: PublicReview) {
  return {
    reviewId: record.reviewId,
    productId: record.productId,
    rating: record.rating,
    text: record.text,
    media: await mediaUrls(record.media),
    sellerRatings: record.sellerRatings,
    reviewer: { displayName: record.reviewerName },
    publishedAt: record.publishedAt,
    editedAt: record.editedAt,
    helpfulCount: record.helpfulCount,
    sellerReply: record.sellerReply,
  };
}

async function revisionView(revision: Revision, audience: Audience) {
  return {
    revision: revision.revision,
    rating: revision.rating,
    text: revision.text,
    media: await mediaUrls(revision.media),
    sellerRatings: revision.sellerRatings,
    status: revision.status,
    reasons: revision.reasons,
    createdAt: revision.createdAt,
    decidedAt: revision.decidedAt,
    ...(audience === 'admin' && { decidedBy: revision.decidedBy }),
  };
}

/** The author (and admins) see every status, the moderation reasons and, on request, the history. */
export async function authorView(review: Review, { revisions, audience }: { revisions?: Revision[]; audience: Audience }) {
  const record = publicReviewOf(review);
  const admin = audience === 'admin';
  const { reply, removal } = review;
  return {
    reviewId: review.reviewId,
    orderId: review.orderId,
    productId: review.productId,
    status: review.status,
    moderation: { reasons: review.latest.reasons },
    current: await revisionView(review.latest, audience),
    published: record ? await publicView(record) : null,
    ...(revisions && { revisions: await Promise.all(revisions.map((revision) => revisionView(revision, audience))) }),
    editableUntil: editWindowEndsAt(review),
    editable: isEditable(review, clock.nowIso()),
    sellerReply: reply?.published ?? null,
    removal: removal && { reason: removal.reason, at: removal.at, ...(admin && { by: removal.by }) },
    // Admins decide replies too, so they see the reply's state and who decided it last.
    ...(admin && { reply: reply && { text: reply.text, status: reply.status, reasons: reply.reasons, updatedAt: reply.updatedAt, decidedAt: reply.decidedAt, decidedBy: reply.decidedBy } }),
    createdAt: review.createdAt,
  };
}

/** The seller sees a published review like the public does, plus the state of their own reply. */
export async function sellerView(review: Review, record: PublicReview) {
  const reply = review.reply;
  return { ...(await publicView(record)), reply: reply ? { text: reply.text, status: reply.status, reasons: reply.reasons, updatedAt: reply.updatedAt } : null };
}
