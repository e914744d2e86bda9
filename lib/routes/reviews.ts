/**
 * The reviews function's routes. lib/manifest.ts gathers every group; the function imports only its own,
 * so its bundle carries only the schemas it validates.
 */
import * as reviews from '../../lambdas/contract/reviews.js';
import { ListQuery } from '../../lambdas/contract/shared.js';
import { buyer, seller, parties, admin } from './roles.js';
import type { RouteSpec } from './spec.js';

export const reviewRoutes = {
  'POST /v1/orders/{orderId}/reviews': { fn: 'reviews', tag: 'Reviews', summary: 'Review a product of a completed order', auth: 'required', roles: buyer, path: reviews.OrderReviewPathParams, body: reviews.CreateReview, idempotent: true, success: { status: 201, body: reviews.AuthorReview } },
  'PATCH /v1/reviews/{reviewId}': { fn: 'reviews', tag: 'Reviews', summary: 'Edit my review (a new revision, moderated again)', auth: 'required', roles: buyer, path: reviews.ReviewPathParams, body: reviews.EditReview, success: { status: 200, body: reviews.AuthorReview } },
  'GET /v1/reviews/{reviewId}': { fn: 'reviews', tag: 'Reviews', summary: 'A review (published, or mine, or any for admins)', auth: 'optional', path: reviews.ReviewPathParams, success: { status: 200, body: reviews.ReviewResponse } },
  'GET /v1/products/{productId}/reviews': { fn: 'reviews', tag: 'Reviews', summary: "A product's published reviews", auth: 'none', path: reviews.ProductReviewsPathParams, query: reviews.ProductReviewsQuery, success: { status: 200, body: reviews.PublicReviewPage } },
  'GET /v1/me/reviews': { fn: 'reviews', tag: 'Reviews', summary: 'My reviews in every status, with moderation reasons', auth: 'required', roles: buyer, query: ListQuery, success: { status: 200, body: reviews.AuthorReviewPage } },
  'GET /v1/sellers/me/reviews': { fn: 'reviews', tag: 'Reviews', summary: "Published reviews of my store's products (reviewers masked)", auth: 'required', roles: seller, query: ListQuery, success: { status: 200, body: reviews.SellerReviewPage } },
  'PUT /v1/reviews/{reviewId}/reply': { fn: 'reviews', tag: 'Reviews', summary: 'Reply to a review of my product (moderated)', auth: 'required', roles: seller, path: reviews.ReviewPathParams, body: reviews.ReplyToReview, success: { status: 200, body: reviews.SellerReview } },
  'PUT /v1/reviews/{reviewId}/vote': { fn: 'reviews', tag: 'Reviews', summary: 'Mark a review helpful (once per user)', auth: 'required', roles: parties, path: reviews.ReviewPathParams, body: reviews.Vote, success: { status: 200, body: reviews.VoteResult } },
  'DELETE /v1/reviews/{reviewId}/vote': { fn: 'reviews', tag: 'Reviews', summary: 'Withdraw my helpful vote', auth: 'required', roles: parties, path: reviews.ReviewPathParams, success: { status: 200, body: reviews.VoteResult } },
  'POST /v1/reviews/{reviewId}/reports': { fn: 'reviews', tag: 'Reviews', summary: 'Report a review as abusive', auth: 'required', roles: parties, path: reviews.ReviewPathParams, body: reviews.ReportReview, success: { status: 201, body: reviews.ReportResult } },
  'GET /v1/admin/reviews': { fn: 'reviews', tag: 'Admin', summary: 'Reviews waiting for a human', auth: 'required', roles: admin, query: reviews.AdminReviewsQuery, success: { status: 200, body: reviews.AuthorReviewPage } },
  'POST /v1/admin/reviews/{reviewId}/decision': { fn: 'reviews', tag: 'Admin', summary: 'Publish, reject or remove a review (or its reply)', auth: 'required', roles: admin, path: reviews.ReviewPathParams, body: reviews.AdminReviewDecision, success: { status: 200, body: reviews.AuthorReview } },
} as const satisfies Record<string, RouteSpec>;
