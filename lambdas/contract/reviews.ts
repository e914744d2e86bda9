import * as z from 'zod/mini';
import type { ReviewStatus as ReviewStatusValue } from '../domain/reviews.js';
import { ListQuery, Timestamp, described, enumOf, idParam, page, queryInt, text } from './shared.js';

const Stars = z.int().check(z.minimum(1), z.maximum(5));

export const SellerRatings = described(z.strictObject({ itemAsDescribed: Stars, communication: Stars, shippingSpeed: Stars }), { id: 'SellerRatings' });
const UploadIds = z.array(idParam('upl')).check(z.maxLength(9));
const ReviewText = text(10, 5000);

export const CreateReview = described(
  z.strictObject({
    productId: idParam('prd'),
    rating: Stars,
    text: ReviewText,
    media: z._default(UploadIds, []),
    sellerRatings: SellerRatings,
  }),
  { id: 'CreateReview' },
);

export const EditReview = described(
  z
    .strictObject({ rating: z.optional(Stars), text: z.optional(ReviewText), media: z.optional(UploadIds), sellerRatings: z.optional(SellerRatings) })
    .check(z.refine((edit) => Object.keys(edit).length > 0, 'change at least one of rating, text, media, sellerRatings')),
  { id: 'EditReview' },
);

export const ReviewPathParams = z.strictObject({ reviewId: idParam('rev') });
export const OrderReviewPathParams = z.strictObject({ orderId: idParam('ord') });
export const ProductReviewsPathParams = z.strictObject({ productId: idParam('prd') });

export const ReplyToReview = described(z.strictObject({ text: text(2, 2000) }), { id: 'ReplyToReview' });
export const Vote = described(z.strictObject({ helpful: z.literal(true) }), { id: 'Vote' });
export const ReportReview = described(
  z.strictObject({ reason: z.enum(['SPAM', 'OFFENSIVE', 'IRRELEVANT', 'FAKE', 'PRIVATE_INFORMATION', 'OTHER']), details: z.optional(z.string().check(z.trim(), z.maxLength(1000))) }),
  { id: 'ReportReview' },
);

export const ReviewStatus = described(enumOf<ReviewStatusValue>()(['PENDING_MODERATION', 'PUBLISHED', 'REJECTED', 'NEEDS_HUMAN', 'REMOVED']), { id: 'ReviewStatus' });
export const ModerationReason = described(z.object({ code: z.string(), message: z.string() }), { id: 'ModerationReason' });

export const ProductReviewsQuery = z.extend(ListQuery, {
  sort: z._default(z.enum(['newest', 'helpful', 'rating_desc', 'rating_asc']), 'newest'),
  rating: z.optional(queryInt(1, 5)),
  withMedia: z.optional(z.pipe(z.enum(['true', 'false']), z.transform((value) => value === 'true'))),
});
export const AdminReviewsQuery = z.extend(ListQuery, { status: z._default(z.enum(['NEEDS_HUMAN', 'PENDING_MODERATION']), 'NEEDS_HUMAN') });

export const AdminReviewDecision = described(
  z
    .strictObject({
      decision: z.enum(['PUBLISH', 'REJECT', 'REMOVE']),
      reason: z.optional(text(3, 1000)),
      target: described(z._default(z.enum(['REVIEW', 'REPLY']), 'REVIEW'), { description: 'Decide the review (default) or its seller reply.' }),
    })
    .check(z.refine((body) => body.decision === 'PUBLISH' || body.reason !== undefined, { message: 'a reason is required to reject or remove', path: ['reason'] })),
  { id: 'AdminReviewDecision' },
);

const Media = z.object({ url: z.string(), contentType: z.string() });
/** Who decided: shown to admins only (the author sees when and why a moderator decided). */
const AdminId = described(z.nullable(z.string()), { description: 'Admins only: the admin who decided; null when automated moderation did.' });
const Reply = z.nullable(z.object({ text: z.string(), repliedAt: Timestamp }));

export const PublicReview = described(
  z.object({
    reviewId: z.string(),
    productId: z.string(),
    rating: Stars,
    text: z.string(),
    media: z.array(Media),
    sellerRatings: SellerRatings,
    reviewer: z.object({ displayName: z.string() }),
    publishedAt: Timestamp,
    editedAt: z.nullable(Timestamp),
    helpfulCount: z.int(),
    sellerReply: Reply,
  }),
  { id: 'PublicReview' },
);

const Revision = z.object({
  revision: z.int(),
  rating: Stars,
  text: z.string(),
  media: z.array(Media),
  sellerRatings: SellerRatings,
  status: ReviewStatus,
  reasons: z.array(ModerationReason),
  createdAt: Timestamp,
  decidedAt: z.nullable(Timestamp),
  decidedBy: z.optional(AdminId),
});

export const AuthorReview = described(
  z.object({
    reviewId: z.string(),
    orderId: z.string(),
    productId: z.string(),
    status: ReviewStatus,
    moderation: z.object({ reasons: z.array(ModerationReason) }),
    current: Revision,
    published: z.nullable(PublicReview),
    revisions: z.optional(z.array(Revision)),
    editableUntil: Timestamp,
    editable: z.boolean(),
    sellerReply: Reply,
    removal: z.nullable(z.object({ reason: z.string(), at: Timestamp, by: z.optional(AdminId) })),
    reply: described(
      z.optional(z.nullable(z.object({ text: z.string(), status: ReviewStatus, reasons: z.array(ModerationReason), updatedAt: Timestamp, decidedAt: z.nullable(Timestamp), decidedBy: AdminId }))),
      { description: 'Admins only: the seller reply as moderation sees it, with who decided it last.' },
    ),
    createdAt: Timestamp,
  }),
  { id: 'AuthorReview' },
);

export const SellerReview = described(
  z.extend(PublicReview, {
    reply: z.nullable(z.object({ text: z.string(), status: ReviewStatus, reasons: z.array(ModerationReason), updatedAt: Timestamp })),
  }),
  { id: 'SellerReview' },
);

export const ReviewResponse = described(z.union([PublicReview, AuthorReview]), { id: 'ReviewResponse' });
export const PublicReviewPage = page(PublicReview, 'PublicReviewPage');
export const AuthorReviewPage = page(AuthorReview, 'AuthorReviewPage');
export const SellerReviewPage = page(SellerReview, 'SellerReviewPage');
export const VoteResult = described(z.object({ reviewId: z.string(), helpful: z.boolean(), helpfulCount: z.int() }), { id: 'VoteResult' });
export const ReportResult = described(z.object({ reviewId: z.string(), reason: z.string(), reportedAt: Timestamp }), { id: 'ReportResult' });
