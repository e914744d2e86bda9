import { reviewRoutes } from '../../lib/routes/reviews.js';
import { verifyBearerToken } from '../platform/bearer-tokens.js';
import { httpFunction } from '../platform/http.js';
import { created, idempotentRequest, recordedByUseCase, replayed } from '../store/idempotency.js';
import * as reviews from '../services/reviews.js';

export const handler = httpFunction(reviewRoutes, {
  'POST /v1/orders/{orderId}/reviews': async ({ principal, path, body, event }) => {
    const request = idempotentRequest(event, principal.userId, 'POST /v1/orders/{orderId}/reviews', path, body);
    const written = await reviews.writeReview(principal, path.orderId, body, request && { request, respond: (review) => created(review, `/v1/reviews/${review.reviewId}`) });
    return written.replay ? replayed(written.replay) : { body: written.review, location: `/v1/reviews/${written.review.reviewId}` };
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
}, { idempotency: recordedByUseCase, verifyBearer: verifyBearerToken });
