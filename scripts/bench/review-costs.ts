/**
 * Calls per operation of the uploads and reviews routes, in the order a review lives: a file uploaded,
 * a completed order reviewed (with and without a photo), the moderation queue drained so the reviews
 * publish (`host.drainQueues()`, not measured here: see moderation.ts), then reads, the seller's reply,
 * votes, three reports that send the review back to a human, the admin's decision, and an edit.
 */
import type { LocalHost } from '../../lib/local/host.js';
import { aReview, PNG_BYTES, stringField, type BenchClient } from './client.js';
import { costProbes, type CostRow } from './dynamo-costs.js';

export async function measureReviewCosts(host: LocalHost, client: BenchClient): Promise<CostRow[]> {
  const { rows, run } = costProbes(client);
  const { seller, productId } = await client.sellerWithListing();
  const secondProductId = await client.listing(seller);
  const thirdProductId = await client.listing(seller);
  const buyer = await client.actor('buyer');

  const ticket = await run({ label: 'presigned upload (review photo)', route: 'POST /v1/uploads', maxCalls: 1, status: 201, path: '/v1/uploads', options: { as: buyer, body: { purpose: 'review-media', contentType: 'image/png', contentLength: PNG_BYTES.length } } });
  await client.storeFile(ticket, PNG_BYTES, 'image/png');
  const uploadId = stringField(ticket.body, 'uploadId');

  const orderId = await client.completedOrder(seller, buyer, [productId, secondProductId, thirdProductId]);
  const write = (label: string, product: string, media: string[], maxCalls: number) =>
    run({ label, route: 'POST /v1/orders/{orderId}/reviews', maxCalls, status: 201, path: `/v1/orders/${orderId}/reviews`, options: { as: buyer, body: aReview(product, { media }) } });
  const reviewId = stringField((await write('write review', productId, [], 2)).body, 'reviewId');
  // The photo adds one read: the uploads named must be the author's own, made for review media.
  await write('write review with a photo', secondProductId, [uploadId], 3);
  // The key's record is read with the order (one BatchGetItem) and written in the review's transaction.
  const keyed = { route: 'POST /v1/orders/{orderId}/reviews', status: 201, path: `/v1/orders/${orderId}/reviews`, options: { as: buyer, body: aReview(thirdProductId, { media: [] }), headers: { 'idempotency-key': `bench-${orderId}` } } } as const;
  const first = await run({ ...keyed, label: 'write review, with Idempotency-Key', maxCalls: 2 });
  const replay = await run({ ...keyed, label: 'write review, idempotent replay', maxCalls: 1 });
  if (stringField(replay.body, 'reviewId') !== stringField(first.body, 'reviewId')) throw new Error('the replay did not return the first review');
  await host.drainQueues();

  const review = `/v1/reviews/${reviewId}`;
  await run({ label: 'get review (public)', route: 'GET /v1/reviews/{reviewId}', maxCalls: 1, status: 200, path: review });
  await run({ label: 'get review (author, with revisions)', route: 'GET /v1/reviews/{reviewId}', maxCalls: 1, status: 200, path: review, options: { as: buyer } });
  for (const [sort, query] of [['newest', 'sort=newest'], ['helpful', 'sort=helpful'], ['rating_desc', 'sort=rating_desc'], ['rating = 5', 'rating=5']] as const) {
    await run({ label: `product's reviews, page (${sort})`, route: 'GET /v1/products/{productId}/reviews', maxCalls: 2, targetSource: 'issue', status: 200, path: `/v1/products/${productId}/reviews?limit=20&${query}` });
  }
  await run({ label: 'my reviews, page', route: 'GET /v1/me/reviews', maxCalls: 1, status: 200, path: '/v1/me/reviews?limit=20', options: { as: buyer } });
  await run({ label: "my shop's reviews, page", route: 'GET /v1/sellers/me/reviews', maxCalls: 1, status: 200, path: '/v1/sellers/me/reviews?limit=20', options: { as: seller } });
  await run({ label: 'seller reply', route: 'PUT /v1/reviews/{reviewId}/reply', maxCalls: 2, status: 200, path: `${review}/reply`, options: { as: seller, body: { text: 'Thank you, glad it works well for you.' } } });
  await host.drainQueues();

  const voter = await client.actor('buyer');
  // A vote is one transaction of ADDs (no read first, so votes never fight over a version) plus the
  // refresh of the "most helpful" sort key: read the count, set the key.
  await run({ label: 'vote helpful', route: 'PUT /v1/reviews/{reviewId}/vote', maxCalls: 3, status: 200, path: `${review}/vote`, options: { as: voter, body: { helpful: true } } });
  await run({ label: 'withdraw vote', route: 'DELETE /v1/reviews/{reviewId}/vote', maxCalls: 3, status: 200, path: `${review}/vote`, options: { as: voter } });

  const reporters = [await client.actor('buyer'), await client.actor('buyer'), await client.actor('buyer')];
  const report = (as: (typeof reporters)[number], label: string) =>
    run({ label, route: 'POST /v1/reviews/{reviewId}/reports', maxCalls: 3, status: 201, path: `${review}/reports`, options: { as, body: { reason: 'FAKE' } } });
  await report(reporters[0]!, 'report');
  await client.expect(201, 'POST', `${review}/reports`, { as: reporters[1], body: { reason: 'FAKE' } });
  // The third distinct report unpublishes the review (aggregates move) and queues it for a human.
  await report(reporters[2]!, 'report, third (unpublishes, to moderators)');

  const admin = await client.actor('admin');
  await run({ label: 'moderation queue, page (admin)', route: 'GET /v1/admin/reviews', maxCalls: 1, status: 200, path: '/v1/admin/reviews?status=NEEDS_HUMAN&limit=20', options: { as: admin } });
  // A report or decision may take the review down or put it up: it reads the order's feedback too (decision 022).
  await run({ label: 'admin decision (publish again)', route: 'POST /v1/admin/reviews/{reviewId}/decision', maxCalls: 3, status: 200, path: `/v1/admin/reviews/${reviewId}/decision`, options: { as: admin, body: { decision: 'PUBLISH' } } });
  await run({ label: 'edit review', route: 'PATCH /v1/reviews/{reviewId}', maxCalls: 2, status: 200, path: review, options: { as: buyer, body: { rating: 4 } } });
  await host.drainQueues();
  return rows;
}
