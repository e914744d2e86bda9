import { reviewRoutes } from '../../lib/routes/reviews.js';
import { verifyBearerToken } from '../platform/bearer-tokens.js';
import { httpFunction } from '../platform/http.js';
import { idempotencyStore } from '../store/idempotency.js';
import * as reviews from '../services/reviews.js';

export const handler = httpFunction(reviewRoutes, {
  'POST /v1/orders/{orderId}/reviews': async ({ principal, path, body }) => {
    const review = await reviews.writeReview(principal, path.orderId, body);
    return { body: review, location: `/v1/reviews/${review.reviewId}` };
  },
  'PATCH /v1/reviews/{reviewId}': async ({ principal, path, body }) => ({ body: await reviews.editReview(principal, path.reviewId, body) }),
  'GET /v1/reviews/{reviewId}': async ({ principal, path }) => ({ body: await reviews.viewReview(principal, path.reviewId) }),
  'GET /v1/products/{productId}/reviews': async ({ path, query }) => ({ body: await reviews.productReviews(path.productId, query) }),
  'GET /v1/me/reviews': async ({ principal, query }) => ({ body: await reviews.myReviews(principal, query) }),
  'GET /v1/sellers/me/reviews': async ({ principal, query }) => ({ body: await reviews.shopReviews(principal, query) }),
  'PUT /v1/reviews/{reviewId}/reply': async ({ principal, path, body }) => ({ body: await reviews.reply(principal, path.reviewId, body.text) }),
  'PUT /v1/reviews/{reviewId}/vote': async ({ principal, path }) => ({ body: await reviews.vote(principal, path.reviewId, true) }),
  'DELETE /v1/reviews/{reviewId}/vote': async ({ principal, path }) => ({ body: await reviews.vote(principal, path.reviewId, false) }),
  'POST /v1/reviews/{reviewId}/reports': async ({ principal, path, body }) => ({ body: await reviews.report(principal, path.reviewId, body), location: `/v1/reviews/${path.reviewId}` }),
  'GET /v1/admin/reviews': async ({ query }) => ({ body: await reviews.moderationQueue(query) }),
  'POST /v1/admin/reviews/{reviewId}/decision': async ({ principal, path, body }) => ({ body: await reviews.decide(principal, path.reviewId, body) }),
}, { idempotency: idempotencyStore, verifyBearer: verifyBearerToken });
