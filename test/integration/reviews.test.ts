import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PurgeQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { documentClient } from '../../lambdas/store/client.js';
import { anOrder, aReview, aShipment, PNG_BYTES, useLocalApi, type Actor } from '../support/local-api.js';

const local = useLocalApi();

interface ReviewBody {
  reviewId: string;
  status: string;
  moderation: { reasons: { code: string; message: string }[] };
  current: { revision: number; rating: number; text: string; status: string };
  published: { rating: number; text: string; editedAt: string | null } | null;
  revisions?: { revision: number; status: string; text: string }[];
  editable: boolean;
}
interface Summary {
  ratingSummary: { count: number; average: number | null; histogram: Record<string, number>; withMedia: number };
}

afterEach(async () => {
  await local.api.resetClock();
});

async function reviewAndModerate(overrides: Record<string, unknown> = {}, options: { media?: (buyer: Actor) => Promise<string[]> } = {}) {
  const { api } = local;
  const order = await api.completedOrder();
  const media = options.media ? await options.media(order.buyer) : [];
  const created = await api.post<ReviewBody>(`/v1/orders/${order.orderId}/reviews`, order.buyer, aReview(order.productId, { media, ...overrides }));
  expect(created.status, created.text).toBe(201);
  await api.drainQueues();
  const review = await api.get<ReviewBody>(`/v1/reviews/${created.body.reviewId}`, order.buyer);
  return { ...order, reviewId: created.body.reviewId, created: created.body, review: review.body };
}

describe('writing a review', () => {
  it('accepts the buyer of a completed order, pending moderation, with a Location', async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.completedOrder();
    const created = await api.post<ReviewBody>(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/reviews/${created.body.reviewId}`);
    expect(created.body).toMatchObject({ status: 'PENDING_MODERATION', current: { revision: 1, rating: 5 }, published: null, editable: true });
    // Not public until moderated.
    expect((await api.get(`/v1/reviews/${created.body.reviewId}`)).status).toBe(404);
  });

  it.each([
    ['not yet completed', 'placedOrder', 'ORDER_NOT_COMPLETED'],
    ['shipped but not confirmed', 'shippedOrder', 'ORDER_NOT_COMPLETED'],
  ] as const)('refuses an order that is %s with %s', async (_state, builder, code) => {
    const { api } = local;
    const { buyer, orderId, productId } = await api[builder]();
    const refused = await api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe(code);
  });

  it('refuses a cancelled order with ORDER_CANCELLED', async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.placedOrder();
    await api.post(`/v1/orders/${orderId}/cancel`, buyer, { reason: 'changed my mind' });
    const refused = await api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ORDER_CANCELLED');
  });

  it("refuses a product that is not on the order, and another buyer's order (404)", async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.completedOrder();
    const other = await api.sellerWithListing();
    const wrongProduct = await api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(other.productId));
    expect(wrongProduct.status).toBe(400);
    expect(wrongProduct.body.code).toBe('PRODUCT_NOT_IN_ORDER');
    const stranger = await api.post(`/v1/orders/${orderId}/reviews`, await api.actor('buyer'), aReview(productId));
    expect(stranger.status).toBe(404);
  });

  it('accepts a review until 30 days after completion, and not a second later', async () => {
    const { api } = local;
    const first = await api.completedOrder();
    const second = await api.completedOrder();
    await api.moveClock('P29DT23H59M');
    expect((await api.post(`/v1/orders/${first.orderId}/reviews`, first.buyer, aReview(first.productId))).status).toBe(201);
    await api.moveClock('PT2M');
    const late = await api.post(`/v1/orders/${second.orderId}/reviews`, second.buyer, aReview(second.productId));
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('REVIEW_WINDOW_CLOSED');
  });

  it('allows one review per order line: 5 identical submissions at once make one review', async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.completedOrder();
    const responses = await Promise.all(Array.from({ length: 5 }, () => api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId))));
    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 201)) expect(response.body.code).toBe('REVIEW_ALREADY_EXISTS');
    expect((await api.get<{ items: unknown[] }>('/v1/me/reviews', buyer)).body.items).toHaveLength(1);
  });

  it('shows a review awaiting moderation to its author and to admins, with its history, and to nobody else', async () => {
    const { api } = local;
    const { buyer, seller, orderId, productId } = await api.completedOrder();
    const created = await api.post<ReviewBody>(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId));
    for (const who of [buyer, await api.actor('admin')]) {
      const seen = await api.get<ReviewBody>(`/v1/reviews/${created.body.reviewId}`, who);
      expect(seen.status).toBe(200);
      expect(seen.body).toMatchObject({ status: 'PENDING_MODERATION', revisions: [{ revision: 1, status: 'PENDING_MODERATION' }] });
    }
    for (const who of [undefined, seller, await api.actor('buyer')]) expect((await api.get(`/v1/reviews/${created.body.reviewId}`, who)).status).toBe(404);
  });

  it('takes at most 9 media items (400 naming body.media)', async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.completedOrder();
    const uploads = await Promise.all(Array.from({ length: 10 }, () => api.upload(buyer, PNG_BYTES)));
    const refused = await api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, { media: uploads }));
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.media' }] });
    expect((await api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, { media: uploads.slice(0, 9) }))).status).toBe(201);
  });

  it("refuses someone else's upload as media with UPLOAD_NOT_USABLE", async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.completedOrder();
    const foreign = await api.upload(await api.actor('buyer'), PNG_BYTES);
    const refused = await api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, { media: [foreign] }));
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'UPLOAD_NOT_USABLE', errors: [{ path: 'body.media.0' }] });
  });
});

/** Another completed order of the same buyer, from another shop: a second order line they may review. */
async function anotherCompletedOrder(buyer: Actor) {
  const { api } = local;
  const { seller, productId } = await api.sellerWithListing();
  const placed = await api.post<{ orderId: string }>('/v1/orders', buyer, anOrder(productId, 1));
  expect(placed.status, placed.text).toBe(201);
  expect((await api.post(`/v1/orders/${placed.body.orderId}/shipment`, seller, aShipment())).status).toBe(200);
  expect((await api.post(`/v1/orders/${placed.body.orderId}/confirm-receipt`, buyer)).status).toBe(200);
  return { orderId: placed.body.orderId, productId };
}

/** The review item as stored: the media keys it names (the platform's copies once moderation ran). */
async function storedMediaKeys(reviewId: string): Promise<string[]> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { PK: `REVIEW#${reviewId}`, SK: 'REVIEW' } }));
  return ((Item?.latest as { media: { key: string }[] } | undefined)?.media ?? []).map((media) => media.key);
}

describe('media are used by one review', () => {
  it('links no media to anyone, the author included, before moderation has checked and copied them', async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.completedOrder();
    const photo = await api.upload(buyer, PNG_BYTES);
    const created = await api.post<ReviewBody & { current: { media: { url: string }[] } }>(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, { media: [photo] }));
    expect(created.status, created.text).toBe(201);
    expect(created.body.current.media).toEqual([]);
    await api.drainQueues();
    const moderated = await api.get<{ current: { media: { url: string }[] } }>(`/v1/reviews/${created.body.reviewId}`, buyer);
    expect(moderated.body.current.media.map((item) => new URL(item.url).pathname)).toEqual([expect.stringMatching(/\/owned\/review-media\//)]);
  });
  it('lets exactly one of two reviews racing for the same upload have it, naming the file to the other', async () => {
    const { api } = local;
    const first = await api.completedOrder();
    const second = await anotherCompletedOrder(first.buyer);
    const photo = await api.upload(first.buyer, PNG_BYTES);
    const responses = await Promise.all(
      [first, second].map(({ orderId, productId }) => api.post<ReviewBody>(`/v1/orders/${orderId}/reviews`, first.buyer, aReview(productId, { media: [photo] }))),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([201, 400]);
    expect(responses.find((response) => response.status === 400)?.body).toMatchObject({ code: 'UPLOAD_NOT_USABLE', errors: [{ path: 'body.media.0', message: 'already used; upload the file again' }] });
  });

  it('takes the same body again once a refusal is lifted, and an edit that keeps the media', async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.shippedOrder();
    const photo = await api.upload(buyer, PNG_BYTES);
    const early = await api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, { media: [photo] }));
    expect(early.body.code).toBe('ORDER_NOT_COMPLETED');
    expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
    const created = await api.post<ReviewBody>(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, { media: [photo] }));
    expect(created.status, created.text).toBe(201);
    const edited = await api.request<ReviewBody>('PATCH', `/v1/reviews/${created.body.reviewId}`, { as: buyer, body: { text: 'Still pours evenly after a month of daily use.', media: [photo] } });
    expect(edited.status, edited.text).toBe(200);
  });

  it('writes one review for one Idempotency-Key, media included: retries (even sent at once) replay it, another body is refused', async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.completedOrder();
    const body = aReview(productId, { media: [await api.upload(buyer, PNG_BYTES)] });
    const key = { 'idempotency-key': 'review-1' };
    const [first, concurrent] = await Promise.all([1, 2].map(() => api.post<ReviewBody>(`/v1/orders/${orderId}/reviews`, buyer, body, key)));
    const retry = await api.post<ReviewBody>(`/v1/orders/${orderId}/reviews`, buyer, body, key);
    for (const response of [first, concurrent, retry]) expect(response?.status, response?.text).toBe(201);
    expect(new Set([first, concurrent, retry].map((response) => response?.body.reviewId)).size).toBe(1);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(`/v1/reviews/${retry.body.reviewId}`);
    const reused = await api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, { rating: 1 }), key);
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await api.get<{ items: unknown[] }>('/v1/me/reviews', buyer)).body.items).toHaveLength(1);
  });

  it('keeps the checked copy when an edit names media the review already has, after the original upload expired', async () => {
    const { api } = local;
    const photo = { id: '' };
    const { reviewId, buyer, review } = await reviewAndModerate({}, { media: async (buyer) => [(photo.id = await api.upload(buyer, PNG_BYTES))] });
    expect(review.status).toBe('PUBLISHED');
    const [copy] = await storedMediaKeys(reviewId);
    expect(copy).toMatch(new RegExp(`^owned/review-media/${photo.id}\\.`));
    // The lifecycle rule removes originals a day after upload.
    await new S3Client({}).send(new DeleteObjectCommand({ Bucket: process.env.BUCKET_NAME, Key: `incoming/review-media/${photo.id}` }));
    const edited = await api.request<ReviewBody>('PATCH', `/v1/reviews/${reviewId}`, { as: buyer, body: { text: 'Two months on, it still pours evenly and cleans up fast.', media: [photo.id] } });
    expect(edited.status, edited.text).toBe(200);
    await api.drainQueues();
    const after = await api.get<ReviewBody>(`/v1/reviews/${reviewId}`, buyer);
    expect(after.body).toMatchObject({ status: 'PUBLISHED', current: { revision: 2, status: 'PUBLISHED' } });
    expect(await storedMediaKeys(reviewId)).toEqual([copy]);
  });
});

describe('moderation through the queue', () => {
  it("publishes every line of a ten-line order in one drain, though each publication moves the order's one feedback item", async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const productIds: string[] = [];
    for (let line = 0; line < 10; line++) productIds.push((await api.reviewedListing(seller)).productId);
    const buyer = await api.actor('buyer');
    const placed = await api.post<{ orderId: string }>('/v1/orders', buyer, { ...anOrder(productIds[0] as string), items: productIds.map((productId) => ({ productId, quantity: 1 })) });
    expect(placed.status, placed.text).toBe(201);
    const { orderId } = placed.body;
    expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
    expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
    await Promise.all(productIds.map(async (productId) => expect((await api.post(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId))).status).toBe(201)));
    // One batch of ten records races for the order's feedback item: every one is decided in this drain, none
    // left to a redelivery after the visibility timeout.
    await api.drainQueues();
    const counts = await Promise.all(productIds.map(async (productId) => (await api.get<Summary>(`/v1/products/${productId}`)).body.ratingSummary.count));
    expect(counts).toEqual(productIds.map(() => 1));
  }, 60_000);

  it('publishes a clean review with its media and counts it once in the rating summary', async () => {
    const { api } = local;
    const { reviewId, productId, review } = await reviewAndModerate({ rating: 4 }, { media: async (buyer) => [await api.upload(buyer, PNG_BYTES)] });
    expect(review.status).toBe('PUBLISHED');
    const publicView = await api.get<{ media: { url: string; contentType: string }[] }>(`/v1/reviews/${reviewId}`);
    expect(publicView.status).toBe(200);
    const image = await fetch(publicView.body.media[0]?.url as string);
    expect(image.status).toBe(200);
    expect(new Uint8Array(await image.arrayBuffer()).slice(0, 8)).toEqual(PNG_BYTES.slice(0, 8));
    const product = await api.get<Summary>(`/v1/products/${productId}`);
    expect(product.body.ratingSummary).toEqual({ count: 1, average: 4, histogram: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 }, withMedia: 1 });
  });

  it('serves the media moderation approved, even if the upload ticket is used again afterwards', async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.completedOrder();
    const ticket = await api.post<{ uploadId: string; url: string; fields: Record<string, string> }>('/v1/uploads', buyer, { purpose: 'review-media', contentType: 'image/png', contentLength: 1024 });
    const post = (bytes: Uint8Array) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(ticket.body.fields)) form.append(name, value);
      form.append('file', new Blob([bytes], { type: 'image/png' }));
      return fetch(ticket.body.url, { method: 'POST', body: form });
    };
    expect((await post(PNG_BYTES)).status).toBeLessThan(300);
    const created = await api.post<ReviewBody>(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, { media: [ticket.body.uploadId] }));
    await api.drainQueues();
    // The ticket is still valid: post something else to the same key.
    expect((await post(new TextEncoder().encode('<html><script>alert(1)</script></html>'))).status).toBeLessThan(300);
    const publicView = await api.get<{ media: { url: string }[] }>(`/v1/reviews/${created.body.reviewId}`);
    const served = new Uint8Array(await (await fetch(publicView.body.media[0]?.url as string)).arrayBuffer());
    expect(served.slice(0, 8)).toEqual(PNG_BYTES.slice(0, 8));
  });

  it.each([
    ['a link', 'Much cheaper at https://cheap-knockoffs.example.com, buy there', 'EXTERNAL_LINK'],
    ['an email address', 'Write me at jordan.buyer@example.com for a discount code', 'CONTACT_DETAILS'],
  ])('rejects a review with %s, telling the author why', async (_what, text, code) => {
    const { api } = local;
    const { reviewId, buyer, productId, review } = await reviewAndModerate({ text });
    expect(review.status).toBe('REJECTED');
    expect(review.moderation.reasons.map((reason) => reason.code)).toContain(code);
    const mine = await api.get<{ items: ReviewBody[] }>('/v1/me/reviews', buyer);
    expect(mine.body.items.find((item) => item.reviewId === reviewId)?.moderation.reasons[0]?.message).toBeTruthy();
    expect((await api.get<Summary>(`/v1/products/${productId}`)).body.ratingSummary.count).toBe(0);
  });

  it('rejects media that is not what its content type claims (a text file sent as image/png)', async () => {
    const { api } = local;
    const { review } = await reviewAndModerate({}, { media: async (buyer) => [await api.upload(buyer, new TextEncoder().encode('just some text, honestly not a png at all'))] });
    expect(review.status).toBe('REJECTED');
    expect(review.moderation.reasons.map((reason) => reason.code)).toEqual(['MEDIA_TYPE_MISMATCH']);
  });

  it('rejects media that was never uploaded to storage', async () => {
    const { api } = local;
    const { review } = await reviewAndModerate({}, { media: async (buyer) => [await api.upload(buyer, new Uint8Array())] });
    expect(review.moderation.reasons.map((reason) => reason.code)).toEqual(['MEDIA_MISSING']);
  });

  it('rejects a text copied from another published review', async () => {
    const text = 'The zipper broke on the second day and the seams are coming apart already.';
    const original = await reviewAndModerate({ text });
    expect(original.review.status).toBe('PUBLISHED');
    const copy = await reviewAndModerate({ text: `${text.toUpperCase()}!!` });
    expect(copy.review.status).toBe('REJECTED');
    expect(copy.review.moderation.reasons.map((reason) => reason.code)).toEqual(['DUPLICATE_TEXT']);
  });

  it('sends a review with a milder insult to a human, who can publish it', async () => {
    const { api } = local;
    const { reviewId, productId, review } = await reviewAndModerate({ text: 'The seller is an idiot but the lamp itself is fine.' });
    expect(review.status).toBe('NEEDS_HUMAN');
    const admin = await api.actor('admin');
    const queue = await api.get<{ items: ReviewBody[] }>('/v1/admin/reviews?status=NEEDS_HUMAN&limit=100', admin);
    expect(queue.body.items.map((item) => item.reviewId)).toContain(reviewId);
    const decided = await api.post<ReviewBody>(`/v1/admin/reviews/${reviewId}/decision`, admin, { decision: 'PUBLISH' });
    expect(decided.body.status).toBe('PUBLISHED');
    expect((await api.get<Summary>(`/v1/products/${productId}`)).body.ratingSummary.count).toBe(1);
  });

  it('changes the aggregate once when the same message is delivered twice', async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.completedOrder();
    // The order's own notifications are delivered first: what is counted below is this review's work.
    await api.drainQueues();
    const created = await api.post<ReviewBody>(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId));
    const sqs = new SQSClient({});
    const message = JSON.stringify({ kind: 'review', reviewId: created.body.reviewId, revision: 1 });
    // Two more copies of the request that is already queued: three deliveries in all.
    await sqs.send(new SendMessageCommand({ QueueUrl: local.api.host.engines.queueUrls.moderation, MessageBody: message }));
    await sqs.send(new SendMessageCommand({ QueueUrl: local.api.host.engines.queueUrls.moderation, MessageBody: message }));
    // Three moderation deliveries, and the two notifications of the publication: to its author and to the seller.
    expect(await api.drainQueues()).toBe(3 + 2);
    expect((await api.get<Summary>(`/v1/products/${productId}`)).body.ratingSummary).toMatchObject({ count: 1, histogram: { 5: 1 } });
    const seller = await api.get<{ items: unknown[] }>('/v1/sellers/me/reviews', (await api.sellerOf(productId)) ?? buyer);
    expect(seller.body.items).toHaveLength(1);
  });

  it('re-sends a moderation request that was lost, from the outbox timer', async () => {
    const { api } = local;
    const { buyer, orderId, productId } = await api.completedOrder();
    // The order's own notifications are delivered first: the drain below must find nothing else to deliver.
    await api.drainQueues();
    const created = await api.post<ReviewBody>(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId));
    await new SQSClient({}).send(new PurgeQueueCommand({ QueueUrl: local.api.host.engines.queueUrls.moderation }));
    expect(await api.drainQueues()).toBe(0);
    await api.moveClock('PT10M1S');
    await api.runJob('timers');
    expect(await api.drainQueues()).toBeGreaterThanOrEqual(1);
    expect((await api.get<ReviewBody>(`/v1/reviews/${created.body.reviewId}`, buyer)).body.status).toBe('PUBLISHED');
    // Decided: the outbox timer went with the decision, so there is nothing left to send.
    const timer = await documentClient().send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { PK: `TIMER#MODERATION#${created.body.reviewId}#review`, SK: 'TIMER' } }));
    expect(timer.Item).toBeUndefined();
  });
});

describe('editing a review', () => {
  it('keeps the published revision public until the new one is published, then moves the aggregate', async () => {
    const { api } = local;
    const { reviewId, buyer, productId } = await reviewAndModerate({ rating: 5 });
    const edited = await api.request<ReviewBody>('PATCH', `/v1/reviews/${reviewId}`, { as: buyer, body: { rating: 2, text: 'Stopped working after a week, disappointed.' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'PENDING_MODERATION', current: { revision: 2, rating: 2 }, published: { rating: 5 } });
    expect((await api.get<{ rating: number }>(`/v1/reviews/${reviewId}`)).body.rating).toBe(5);
    await api.drainQueues();
    const after = await api.get<{ rating: number; editedAt: string | null }>(`/v1/reviews/${reviewId}`);
    expect(after.body.rating).toBe(2);
    expect(after.body.editedAt).not.toBeNull();
    expect((await api.get<Summary>(`/v1/products/${productId}`)).body.ratingSummary).toEqual({ count: 1, average: 2, histogram: { 1: 0, 2: 1, 3: 0, 4: 0, 5: 0 }, withMedia: 0 });
    const history = await api.get<ReviewBody>(`/v1/reviews/${reviewId}`, buyer);
    expect(history.body.revisions?.map((revision) => [revision.revision, revision.status])).toEqual([
      [1, 'PUBLISHED'],
      [2, 'PUBLISHED'],
    ]);
  });

  it('keeps the old revision public when the edit is rejected', async () => {
    const { api } = local;
    const { reviewId, buyer, productId } = await reviewAndModerate({ rating: 4 });
    await api.request('PATCH', `/v1/reviews/${reviewId}`, { as: buyer, body: { text: 'Visit www.better-deals.example.net for the same thing cheaper' } });
    await api.drainQueues();
    const mine = await api.get<ReviewBody>(`/v1/reviews/${reviewId}`, buyer);
    expect(mine.body).toMatchObject({ status: 'REJECTED', published: { rating: 4, text: mine.body.revisions?.[0]?.text } });
    expect((await api.get<Summary>(`/v1/products/${productId}`)).body.ratingSummary.count).toBe(1);
  });

  it('lets only the author edit, and only within 180 days', async () => {
    const { api } = local;
    const { reviewId, buyer } = await reviewAndModerate();
    expect((await api.request('PATCH', `/v1/reviews/${reviewId}`, { as: await api.actor('buyer'), body: { rating: 1 } })).status).toBe(404);
    await api.moveClock('P180DT1M');
    const late = await api.request('PATCH', `/v1/reviews/${reviewId}`, { as: buyer, body: { rating: 1 } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('EDIT_WINDOW_CLOSED');
  });
});

describe('window timers', () => {
  it('closes the edit window and the review window through the timers sweep', async () => {
    const { api } = local;
    const { reviewId, buyer } = await reviewAndModerate();
    const unreviewed = await api.completedOrder();
    expect((await api.get<{ reviewableUntil: string | null }>(`/v1/orders/${unreviewed.orderId}`, unreviewed.buyer)).body.reviewableUntil).not.toBeNull();
    await api.moveClock('P30DT1M');
    await api.runJob('timers');
    expect((await api.get<{ reviewableUntil: string | null }>(`/v1/orders/${unreviewed.orderId}`, unreviewed.buyer)).body.reviewableUntil).toBeNull();
    await api.moveClock('P151D');
    await api.runJob('timers');
    expect((await api.get<ReviewBody>(`/v1/reviews/${reviewId}`, buyer)).body.editable).toBe(false);
  });
});
