/**
 * Hot counters (issue 13, decision 021): a burst of publications on one product, and on one shop's month,
 * lands on write-sharded counter items, and the summary read back in one call is exact — through the
 * moderation worker's own function (`moderate`, what each SQS record runs), all at once.
 *
 * The 200 reviews are built by the domain exactly as the review route builds them (`createReview` from a
 * copy of one real completed order, with its own order id and buyer) and written with the store's own
 * `reviewWrites`: 200 real orders would take minutes over HTTP and add nothing to what is tested here.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createReview, reviewChange, type Review, type RevisionContent } from '../../lambdas/domain/reviews.js';
import type { Order } from '../../lambdas/domain/orders.js';
import { clock } from '../../lambdas/platform/clock.js';
import { tableName } from '../../lambdas/platform/config.js';
import { newId } from '../../lambdas/platform/ids.js';
import { moderate, moderationRequest } from '../../lambdas/services/moderation.js';
import { documentClient } from '../../lambdas/store/client.js';
import { getOrder } from '../../lambdas/store/orders.js';
import { productKey } from '../../lambdas/store/products.js';
import { partitionItems } from '../../lambdas/store/reads.js';
import { reviewWrites } from '../../lambdas/store/reviews.js';
import { getUploads } from '../../lambdas/store/uploads.js';
import { transact } from '../../lambdas/store/transactions.js';
import { aListing, PNG_BYTES, reviewText, useLocalApi, type Actor } from '../support/local-api.js';

const local = useLocalApi();

afterEach(async () => {
  await local.api.resetClock();
});

interface Summary {
  count: number;
  average: number | null;
  histogram: Record<string, number>;
  withMedia: number;
}

const BURST = 200;
/** Hundreds of transactions through the local engine, which runs them one at a time on shared cores. */
const BURST_TIMEOUT_MS = 240_000;
/** One review in ten has a photo. */
const withPhoto = (i: number) => i % 10 === 0;

/** What the summary of these published reviews must read, from their stars and media alone. */
function expectedSummary(published: Iterable<{ rating: number; media: number }>): Summary {
  const histogram: Record<string, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  let count = 0;
  let sum = 0;
  let withMedia = 0;
  for (const review of published) {
    histogram[review.rating]! += 1;
    count += 1;
    sum += review.rating;
    withMedia += review.media > 0 ? 1 : 0;
  }
  return { count, average: count === 0 ? null : Math.round((sum / count) * 100) / 100, histogram, withMedia };
}

/** A completed order of a fresh listing, and `count` pending reviews of it by as many buyers, stored. */
async function pendingReviews(count: number): Promise<{ seller: Actor; productId: string; order: Order; reviews: Review[] }> {
  const { api } = local;
  const completed = await api.completedOrder();
  const order = await getOrder(completed.orderId);
  if (!order) throw new Error('the completed order was not stored');
  const photos = await Promise.all(
    Array.from({ length: count }, (_, i) => i)
      .filter(withPhoto)
      .map(() => api.upload(completed.buyer, PNG_BYTES)),
  );
  const uploads = await getUploads(photos);
  const now = clock.nowIso();
  const reviews = Array.from({ length: count }, (_, i): Review => {
    const photo = withPhoto(i) ? uploads.get(photos[i / 10]!) : undefined;
    const content: RevisionContent = {
      rating: 1 + (i % 5),
      text: reviewText(),
      media: photo ? [{ uploadId: photo.uploadId, key: photo.key, contentType: photo.contentType }] : [],
      sellerRatings: { itemAsDescribed: 5, communication: 4, shippingSpeed: 5 },
    };
    const copy: Order = { ...order, orderId: newId('ord'), buyerId: `usr_hot${i}x${Date.now()}` };
    return createReview({ reviewId: newId('rev'), order: copy, productId: completed.productId, reviewerName: `Reviewer ${i}`, content, now });
  });
  for (const review of reviews) await transact(reviewWrites(reviewChange(null, review)));
  return { seller: completed.seller, productId: completed.productId, order, reviews };
}

const summaryOf = async (productId: string): Promise<Summary> => {
  const product = await local.api.get<{ ratingSummary: Summary }>(`/v1/products/${productId}`);
  expect(product.status, product.text).toBe(200);
  return product.body.ratingSummary;
};

describe('a burst of publications on one product', () => {
  it('leaves the rating summary exact: 200 concurrent publications through the moderation worker', async () => {
    const { productId, reviews } = await pendingReviews(BURST);
    const listingBefore = await partitionItems(productKey(productId).PK, { from: 'PRODUCT', to: 'PRODUCT' });

    const outcomes = await Promise.all(reviews.map((review) => moderate(moderationRequest(review, 'review'))));

    expect(outcomes.filter((outcome) => outcome === 'decided')).toHaveLength(BURST);
    expect(await summaryOf(productId)).toEqual(expectedSummary(reviews.map((review) => ({ rating: review.latest.rating, media: review.latest.media.length }))));
    // The counts went to the summary's shards, spread over most of them, and not to the listing item.
    const partition = await partitionItems(productKey(productId).PK);
    const shards = partition.filter((item) => String(item.SK).startsWith('RATING#'));
    expect(shards.length).toBeGreaterThanOrEqual(12);
    expect(shards.reduce((total, shard) => total + Number(shard.ratingCount ?? 0), 0)).toBe(BURST);
    expect(partition.find((item) => item.SK === 'PRODUCT')).toEqual(listingBefore[0]);
  }, BURST_TIMEOUT_MS);

  it('shows the same summary in the shop’s list of listings (its shards read in a batch for the page)', async () => {
    const { api } = local;
    const { productId, reviews, order } = await pendingReviews(30);
    await Promise.all(reviews.map((review) => moderate(moderationRequest(review, 'review'))));
    const list = await api.get<{ items: { productId: string; ratingSummary: Summary }[] }>(`/v1/sellers/${order.sellerId}/products`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.find((item) => item.productId === productId)?.ratingSummary).toEqual(await summaryOf(productId));
    expect((await summaryOf(productId)).count).toBe(30);
  }, BURST_TIMEOUT_MS);

  it('still counts what was added on the listing item itself before the shards (no migration needed)', async () => {
    const { productId, reviews } = await pendingReviews(5);
    // A listing written before this change: publications had ADDed to its own counters.
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: productKey(productId),
        UpdateExpression: 'SET ratingCount = :count, ratingSum = :sum, ratingH5 = :five, ratingH1 = :one, ratingWithMedia = :media',
        ExpressionAttributeValues: { ':count': 3, ':sum': 11, ':five': 2, ':one': 1, ':media': 1 },
      }),
    );
    await Promise.all(reviews.map((review) => moderate(moderationRequest(review, 'review'))));
    const legacy = [{ rating: 5, media: 1 }, { rating: 5, media: 0 }, { rating: 1, media: 0 }];
    expect(await summaryOf(productId)).toEqual(expectedSummary([...legacy, ...reviews.map((review) => ({ rating: review.latest.rating, media: review.latest.media.length }))]));
  }, BURST_TIMEOUT_MS);

  it('stays exact when published reviews are revised and removed at once, and a listing edit in the burst succeeds', async () => {
    const { api } = local;
    const { seller, productId, reviews } = await pendingReviews(60);
    await Promise.all(reviews.slice(0, 40).map((review) => moderate(moderationRequest(review, 'review'))));
    const published = new Map(reviews.slice(0, 40).map((review) => [review.reviewId, { rating: review.latest.rating, media: review.latest.media.length }]));
    expect(await summaryOf(productId)).toEqual(expectedSummary(published.values()));

    // Ten authors replace their published review with other stars (the shard of each review takes the
    // move), ten reviews are removed by a moderator, and twenty new ones are published — all at once,
    // with the seller editing the listing in the middle of it.
    const admin = await api.actor('admin');
    const revised = reviews.slice(0, 20).filter((_, i) => i % 2 === 1);
    const removed = reviews.slice(0, 20).filter((_, i) => i % 2 === 0);
    const edits = await Promise.all(
      revised.map(async (review) => {
        const author = await api.actor('buyer', review.buyerId);
        const rating = 6 - review.latest.rating;
        const edited = await api.request('PATCH', `/v1/reviews/${review.reviewId}`, { as: author, body: { rating, text: reviewText() } });
        expect(edited.status, edited.text).toBe(200);
        return { review, rating };
      }),
    );
    const image = await api.listingImage(seller);
    const [, removals, listingEdit] = await Promise.all([
      Promise.all(reviews.slice(40).map((review) => moderate(moderationRequest(review, 'review')))),
      Promise.all(removed.map((review) => api.post(`/v1/admin/reviews/${review.reviewId}/decision`, admin, { decision: 'REMOVE', reason: 'Written for a competitor.' }))),
      api.put(`/v1/products/${productId}`, seller, aListing({ title: 'Pour-over kettle, second edition', images: [image] })),
      api.drainQueues(),
    ]);

    expect(removals.map((removal) => removal.status)).toEqual(removed.map(() => 200));
    expect(listingEdit.status, listingEdit.text).toBe(200);
    await api.drainQueues(); // the edit's listing review
    for (const review of reviews.slice(40)) published.set(review.reviewId, { rating: review.latest.rating, media: review.latest.media.length });
    for (const { review, rating } of edits) published.set(review.reviewId, { rating, media: review.latest.media.length });
    for (const review of removed) published.delete(review.reviewId);
    const summary = await summaryOf(productId);
    expect(summary).toEqual(expectedSummary(published.values()));
    expect(summary.count).toBe(50);
    expect((await api.get<{ title: string }>(`/v1/products/${productId}`)).body.title).toBe('Pour-over kettle, second edition');
  }, BURST_TIMEOUT_MS);
});

describe('a burst on one shop’s month', () => {
  it('counts every publication’s feedback once, over the month’s shards, read back in one Query', async () => {
    const { api } = local;
    const { seller, reviews, order } = await pendingReviews(50);
    await Promise.all(reviews.map((review) => moderate(moderationRequest(review, 'review'))));
    const month = clock.nowIso().slice(0, 7);

    const shards = (await partitionItems(`SELLER#${order.sellerId}`, { from: `STATS#${month}#`, to: `STATS#${month}#~` })).filter((item) => item.entity === 'sellerStats');
    expect(shards.length).toBeGreaterThan(1);
    const total = (field: string) => shards.reduce((sum, shard) => sum + Number(shard[field] ?? 0), 0);
    expect(total('dsrCount')).toBe(50);
    expect(total('feedbackPositive') + total('feedbackNeutral') + total('feedbackNegative')).toBe(50);
    expect(total('feedbackPositive')).toBe(reviews.filter((review) => review.latest.rating >= 4).length);
    // The shop view sums the months' shards: the real order's placement and shipment among them.
    const shop = await api.get<{ stats: { ordersPlaced: number; shipments: number } }>('/v1/sellers/me', seller);
    expect(shop.status, shop.text).toBe(200);
    expect(shop.body.stats).toMatchObject({ ordersPlaced: 1, shipments: 1 });
  }, BURST_TIMEOUT_MS);

  it('still counts a month stored as one unsharded item before this change', async () => {
    const { api } = local;
    const { seller } = await api.completedOrder();
    const month = clock.nowIso().slice(0, 7);
    await documentClient().send(new PutCommand({ TableName: tableName(), Item: { PK: `SELLER#${seller.userId}`, SK: `STATS#${month}`, ordersPlaced: 7, shipments: 6, lateShipments: 2 } }));
    const shop = await api.get<{ stats: Record<string, number> }>('/v1/sellers/me', seller);
    expect(shop.body.stats).toEqual({ ordersPlaced: 8, shipments: 7, lateShipments: 2, sellerCancellations: 0 });
  });
});
