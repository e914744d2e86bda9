/**
 * Hot counters: N reviews of ONE product (10,000 by default) published through the moderation worker —
 * their requests sent to the moderation queue, the queue drained by the real worker (batches of 10, the
 * records of a batch decided concurrently, as on Lambda) — and the product's rating summary read back.
 * Reports calls, capacity units and time per 1,000 publications, the transaction attempts beyond one per
 * publication (retries after a conflict), how the counts spread over the summary's shards, and whether
 * the summary is exact (the input of docs/scale.md, "Hot counters").
 *
 *   npx tsx scripts/bench/publication-scale.ts [reviews]
 *
 * Seeding (10,000 orders over HTTP would take long and measure nothing of this): one real completed order
 * of the product; each review is built by the domain exactly as the review route builds it —
 * `createReview` from a copy of that order with its own order id and buyer — and written, pending
 * moderation, with the store's own `reviewWrites` items through BatchWriteItem. Stars cycle 1–5; texts
 * differ (duplicate detection would reject copies) and are spelled in words (the text screen reads digits
 * as letters: "Review 455" was rejected as offensive); no media (pinning a file is S3 work, not counter
 * work). The summary read back is compared with the reviews the worker left published, read from the
 * table afterwards: what the counters must add up to whatever the moderation outcomes.
 */
import { fileURLToPath } from 'node:url';
import { startLocalHost, type LocalHost } from '../../lib/local/host.js';
import { createReview, reviewChange, type Review } from '../../lambdas/domain/reviews.js';
import type { Order } from '../../lambdas/domain/orders.js';
import { clock } from '../../lambdas/platform/clock.js';
import { newId } from '../../lambdas/platform/ids.js';
import { moderationRequest } from '../../lambdas/services/moderation.js';
import { getOrder } from '../../lambdas/store/orders.js';
import { productKey, ratingShards } from '../../lambdas/store/products.js';
import { sendToQueue } from '../../lambdas/store/queue.js';
import { partitionItems } from '../../lambdas/store/reads.js';
import { batchGetItems } from '../../lambdas/store/batch.js';
import { reviewEntity, reviewWrites } from '../../lambdas/store/reviews.js';
import { counterShards } from '../../lambdas/store/sharded-counter.js';
import { BenchClient, mapLimit } from './client.js';
import { countOf, describeOperations, recorded, type CallSummary } from './recorder.js';
import { fmt, int, okMark, renderSection, table, type Section } from './report.js';
import { batchPut, putItemsOf } from './seed.js';

const SEND_CONCURRENCY = 16;

export interface PublicationScaleResult {
  reviews: number;
  shards: number;
  seedSeconds: number;
  drain: { seconds: number; delivered: number; summary: CallSummary };
  summary: { count: number; average: number | null; histogram: Record<string, number> };
  /** The reviews the worker left published (a text the screen refuses is not), summed from the stored reviews. */
  expected: { count: number; average: number | null; histogram: Record<string, number> };
  /** Rating counts per shard item written, as the table holds them. */
  perShard: number[];
}

const stars = (i: number) => 1 + (i % 5);

const WORDS = ['amber', 'brisk', 'cedar', 'dune', 'ember', 'fjord', 'glade', 'harbor', 'iris', 'juniper', 'kelp', 'lagoon', 'meadow', 'nectar', 'orchid', 'prairie'];
/** A distinct text per review, without digits. */
const textOf = (i: number) => `Arrived quickly and pours exactly as described: ${[0, 1, 2, 3].map((position) => WORDS[Math.floor(i / WORDS.length ** position) % WORDS.length]).join(', ')}.`;

/** What the summary must read: the published revisions of the reviews, as stored after the drain. */
async function publishedSummary(reviews: readonly Review[]): Promise<PublicationScaleResult['expected']> {
  const keys = reviews.map((review) => reviewEntity.key(review));
  const chunks = Array.from({ length: Math.ceil(keys.length / 100) }, (_, index) => keys.slice(index * 100, (index + 1) * 100));
  const stored = (await mapLimit(chunks, 4, (chunk) => batchGetItems(chunk, { consistent: true }))).flat().map((item) => reviewEntity.parse(item));
  const histogram: Record<string, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  let count = 0;
  let sum = 0;
  for (const review of stored) {
    if (!review.published) continue;
    histogram[review.published.rating]! += 1;
    count += 1;
    sum += review.published.rating;
  }
  return { count, average: count === 0 ? null : Math.round((sum / count) * 100) / 100, histogram };
}

async function pendingReviews(order: Order, productId: string, count: number): Promise<Review[]> {
  const now = clock.nowIso();
  const reviews = Array.from({ length: count }, (_, i) =>
    createReview({
      reviewId: newId('rev'),
      order: { ...order, orderId: newId('ord'), buyerId: `bench-buyer-${i}` },
      productId,
      reviewerName: `bench reviewer ${i}`,
      content: { rating: stars(i), text: textOf(i), media: [], sellerRatings: { itemAsDescribed: 5, communication: 4, shippingSpeed: 5 } },
      now,
    }),
  );
  await batchPut(reviews.flatMap((review) => putItemsOf(reviewWrites(reviewChange(null, review)).map((write) => ('guard' in write ? write.item : write)))));
  return reviews;
}

export async function measurePublicationScale(host: LocalHost, client: BenchClient, options: { reviews: number; progress?: (line: string) => void }): Promise<PublicationScaleResult> {
  const progress = options.progress ?? (() => undefined);
  await host.drainQueues(); // start from an empty queue: everything drained below is this section's
  const { seller, productId } = await client.sellerWithListing();
  const order = await getOrder(await client.completedOrder(seller, await client.actor('buyer'), [productId]));
  if (!order) throw new Error('the completed order to copy was not found');

  const seeding = performance.now();
  const reviews = await pendingReviews(order, productId, options.reviews);
  await mapLimit(reviews, SEND_CONCURRENCY, (review) => sendToQueue('moderation', moderationRequest(review, 'review')));
  const seedSeconds = (performance.now() - seeding) / 1000;
  progress(`  seeded ${int(options.reviews)} pending reviews and queued their requests in ${fmt(seedSeconds)} s; draining`);

  const draining = performance.now();
  const drained = await recorded(() => host.drainQueues());
  const drainSeconds = (performance.now() - draining) / 1000;

  const product = await client.expect(200, 'GET', `/v1/products/${productId}`);
  const ratingSummary = product.body.ratingSummary as PublicationScaleResult['summary'];
  const shardItems = (await partitionItems(productKey(productId).PK)).filter((item) => ratingShards.isShard({ productId }, item));
  return {
    reviews: options.reviews,
    shards: counterShards(),
    seedSeconds,
    drain: { seconds: drainSeconds, delivered: drained.result, summary: drained.summary },
    summary: ratingSummary,
    expected: await publishedSummary(reviews),
    perShard: shardItems.map((item) => Number(item.ratingCount ?? 0)),
  };
}

const per1000 = (value: number, reviews: number) => fmt((value * 1000) / Math.max(1, reviews));

/** The summary read back equals what the publications add up to, and no publication's transaction ran twice. */
export function publicationChecks(result: PublicationScaleResult): { exact: boolean; transactions: number; retries: number } {
  const transactions = countOf(result.drain.summary, 'TransactWriteItems');
  const exact =
    result.summary.count === result.expected.count &&
    result.summary.average === result.expected.average &&
    Object.entries(result.expected.histogram).every(([star, count]) => result.summary.histogram[star] === count);
  return { exact, transactions, retries: transactions - result.reviews };
}

export function publicationScaleSection(result: PublicationScaleResult): Section {
  const { summary, seconds } = result.drain;
  const { exact, transactions, retries } = publicationChecks(result);
  const spread = result.perShard.length > 0 ? `${result.perShard.length} shard items, ${int(Math.min(...result.perShard))}–${int(Math.max(...result.perShard))} publications each` : 'no shard item';
  return {
    title: `Hot counters: ${int(result.reviews)} reviews of one product published through the moderation worker`,
    body: [
      table(
        ['reviews', 'seconds', 'calls', 'by operation', 'capacity units', 'calls / 1,000', 'units / 1,000', 'seconds / 1,000', 'transaction retries'],
        [[int(result.reviews), fmt(seconds), int(summary.calls), describeOperations(summary.byOperation), fmt(summary.capacity), per1000(summary.calls, result.reviews), per1000(summary.capacity, result.reviews), per1000(seconds, result.reviews), int(retries)]],
        ['r', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r'],
      ),
      [
        `${okMark(exact)} The summary read back (\`GET /v1/products/{productId}\`, one Query): count ${int(result.summary.count)}, average ${String(result.summary.average)}, histogram ${JSON.stringify(result.summary.histogram)}; the ${int(result.expected.count)} reviews the worker published (of ${int(result.reviews)}): average ${String(result.expected.average)}, histogram ${JSON.stringify(result.expected.histogram)}.`,
        `${okMark(retries === 0)} ${int(transactions)} TransactWriteItems for ${int(result.reviews)} publications: ${int(retries)} retried. Counts spread over ${spread} (K = ${result.shards}, shard = FNV-1a of the review id).`,
        `Per publication the worker reads the review and the text's owner (GetItem each) and writes one transaction: review, revision, public projection, the rating shard's ADD, the shop's month shard's ADD, the outbox timer's removal, the text claim. The local engine serialises transactions, so it never reports a conflict: docs/scale.md works out DynamoDB's. Seeded by the domain and BatchWriteItem in ${fmt(result.seedSeconds)} s (see the file's introduction).`,
      ].join('\n'),
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reviews = Number(process.argv[2] ?? 10_000);
  const started = performance.now();
  const progress = (line: string) => process.stderr.write(`[publication-scale ${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
  const host = await startLocalHost();
  try {
    progress(`publishing ${int(reviews)} reviews of one product`);
    const result = await measurePublicationScale(host, new BenchClient(host), { reviews, progress });
    process.stdout.write(`${renderSection(publicationScaleSection(result))}\n`);
  } finally {
    await host.stop();
  }
}
