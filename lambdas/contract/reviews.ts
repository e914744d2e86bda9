import * as z from 'zod';
import { ListQuery, Timestamp, idParam, page } from './shared.js';

const Stars = z.int().min(1).max(5);

export const SellerRatings = z.strictObject({ itemAsDescribed: Stars, communication: Stars, shippingSpeed: Stars }).meta({ id: 'SellerRatings' });
const UploadIds = z.array(idParam('upl')).max(9);

export const CreateReview = z
  .strictObject({
    productId: idParam('prd'),
    rating: Stars,
    text: z.string().trim().min(10).max(5000),
    media: UploadIds.default([]),
    sellerRatings: SellerRatings,
  })
  .meta({ id: 'CreateReview' });

export const EditReview = z
  .strictObject({ rating: Stars.optional(), text: z.string().trim().min(10).max(5000).optional(), media: UploadIds.optional(), sellerRatings: SellerRatings.optional() })
  .refine((edit) => Object.keys(edit).length > 0, 'change at least one of rating, text, media, sellerRatings')
  .meta({ id: 'EditReview' });

export const ReviewPathParams = z.strictObject({ reviewId: idParam('rev') });
export const OrderReviewPathParams = z.strictObject({ orderId: idParam('ord') });
export const ProductReviewsPathParams = z.strictObject({ productId: idParam('prd') });

export const ReplyToReview = z.strictObject({ text: z.string().trim().min(2).max(2000) }).meta({ id: 'ReplyToReview' });
export const Vote = z.strictObject({ helpful: z.literal(true) }).meta({ id: 'Vote' });
export const ReportReview = z.strictObject({ reason: z.enum(['SPAM', 'OFFENSIVE', 'IRRELEVANT', 'FAKE', 'PRIVATE_INFORMATION', 'OTHER']), details: z.string().trim().max(1000).optional() }).meta({ id: 'ReportReview' });

export const ReviewStatus = z.enum(['PENDING_MODERATION', 'PUBLISHED', 'REJECTED', 'NEEDS_HUMAN', 'REMOVED']).meta({ id: 'ReviewStatus' });
export const ModerationReason = z.object({ code: z.string(), message: z.string() }).meta({ id: 'ModerationReason' });

export const ProductReviewsQuery = ListQuery.extend({
  sort: z.enum(['newest', 'helpful', 'rating_desc', 'rating_asc']).default('newest'),
  rating: z.coerce.number().int().min(1).max(5).optional(),
  withMedia: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
});
export const AdminReviewsQuery = ListQuery.extend({ status: z.enum(['NEEDS_HUMAN', 'PENDING_MODERATION']).default('NEEDS_HUMAN') });

export const AdminReviewDecision = z
  .strictObject({
    decision: z.enum(['PUBLISH', 'REJECT', 'REMOVE']),
    reason: z.string().trim().min(3).max(1000).optional(),
    target: z.enum(['REVIEW', 'REPLY']).default('REVIEW').meta({ description: 'Decide the review (default) or its seller reply.' }),
  })
  .refine((body) => body.decision === 'PUBLISH' || body.reason !== undefined, { message: 'a reason is required to reject or remove', path: ['reason'] })
  .meta({ id: 'AdminReviewDecision' });

const Media = z.object({ url: z.string(), contentType: z.string() });
/** Who decided: shown to admins only (the author sees when and why a moderator decided). */
const AdminId = z.string().nullable().meta({ description: 'Admins only: the admin who decided; null when automated moderation did.' });
const Reply = z.object({ text: z.string(), repliedAt: Timestamp }).nullable();

export const PublicReview = z
  .object({
    reviewId: z.string(),
    productId: z.string(),
    rating: Stars,
    text: z.string(),
    media: z.array(Media),
    sellerRatings: SellerRatings,
    reviewer: z.object({ displayName: z.string() }),
    publishedAt: Timestamp,
    editedAt: Timestamp.nullable(),
    helpfulCount: z.int(),
    sellerReply: Reply,
  })
  .meta({ id: 'PublicReview' });

const Revision = z.object({
  revision: z.int(),
  rating: Stars,
  text: z.string(),
  media: z.array(Media),
  sellerRatings: SellerRatings,
  status: ReviewStatus,
  reasons: z.array(ModerationReason),
  createdAt: Timestamp,
  decidedAt: Timestamp.nullable(),
  decidedBy: AdminId.optional(),
});

export const AuthorReview = z
  .object({
    reviewId: z.string(),
    orderId: z.string(),
    productId: z.string(),
    status: ReviewStatus,
    moderation: z.object({ reasons: z.array(ModerationReason) }),
    current: Revision,
    published: PublicReview.nullable(),
    revisions: z.array(Revision).optional(),
    editableUntil: Timestamp,
    editable: z.boolean(),
    sellerReply: Reply,
    removal: z.object({ reason: z.string(), at: Timestamp, by: AdminId.optional() }).nullable(),
    reply: z
      .object({ text: z.string(), status: ReviewStatus, reasons: z.array(ModerationReason), updatedAt: Timestamp, decidedAt: Timestamp.nullable(), decidedBy: AdminId })
      .nullable()
      .optional()
      .meta({ description: 'Admins only: the seller reply as moderation sees it, with who decided it last.' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'AuthorReview' });

export const SellerReview = PublicReview.extend({
  reply: z.object({ text: z.string(), status: ReviewStatus, reasons: z.array(ModerationReason), updatedAt: Timestamp }).nullable(),
}).meta({ id: 'SellerReview' });

export const ReviewResponse = z.union([PublicReview, AuthorReview]).meta({ id: 'ReviewResponse' });
export const PublicReviewPage = page(PublicReview, 'PublicReviewPage');
export const AuthorReviewPage = page(AuthorReview, 'AuthorReviewPage');
export const SellerReviewPage = page(SellerReview, 'SellerReviewPage');
export const VoteResult = z.object({ reviewId: z.string(), helpful: z.boolean(), helpfulCount: z.int() }).meta({ id: 'VoteResult' });
export const ReportResult = z.object({ reviewId: z.string(), reason: z.string(), reportedAt: Timestamp }).meta({ id: 'ReportResult' });
