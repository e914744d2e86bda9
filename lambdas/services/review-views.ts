/**
 * How a review is shown to each audience. Public and seller views are built only from the public
 * projection and masked name: they never carry the reviewer's id or the order id (seed 000: "sellers
 * won't see who left the review"). Media become short-lived presigned URLs.
 */
import { editWindowEndsAt, type MediaRef, type Review, type Revision } from '../domain/reviews.js';
import { clock } from '../platform/clock.js';
import { presignDownload } from '../store/files.js';
import { publicRecord, type PublicReviewRecord } from '../store/reviews.js';

const mediaUrls = (media: MediaRef[]) => Promise.all(media.map(async (item) => ({ url: await presignDownload(item.key), contentType: item.contentType })));

export async function publicView(record: PublicReviewRecord) {
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

async function revisionView(revision: Revision) {
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
  };
}

/** The author (and admins) see every status, the moderation reasons and, on request, the history. */
export async function authorView(review: Review, revisions?: Revision[]) {
  const record = publicRecord(review);
  return {
    reviewId: review.reviewId,
    orderId: review.orderId,
    productId: review.productId,
    status: review.status,
    moderation: { reasons: review.latest.reasons },
    current: await revisionView(review.latest),
    published: record ? await publicView(record) : null,
    ...(revisions && { revisions: await Promise.all(revisions.map(revisionView)) }),
    editableUntil: editWindowEndsAt(review),
    editable: !review.editWindowClosed && review.status !== 'REMOVED' && clock.nowIso() <= editWindowEndsAt(review),
    sellerReply: review.reply?.published ?? null,
    removal: review.removal,
    createdAt: review.createdAt,
  };
}

/** The seller sees a published review like the public does, plus the state of their own reply. */
export async function sellerView(review: Review, record: PublicReviewRecord) {
  const reply = review.reply;
  return { ...(await publicView(record)), reply: reply ? { text: reply.text, status: reply.status, reasons: reply.reasons, updatedAt: reply.updatedAt } : null };
}
