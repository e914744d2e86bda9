/**
 * A product's review page against the number of its reviews: "one Query plus at most one batch read,
 * whatever the number of reviews", and "the rating summary is one Query" (the listing and its counter shards).
 *
 * Seeding (10,000 reviews through HTTP would take minutes): two listings and one real completed order of
 * both are made over HTTP; then each seeded review is built by the domain exactly as a real one is —
 * `createReview` from a copy of that order (its own order id and buyer), `applyModeration(…, 'PUBLISHED')`
 * — and `reviewWrites(reviewChange(null, review))` gives its items: the review, its revision and its
 * PUBLIC projection (with the GSI1/GSI2/GSI3 keys of the three sort orders). Those Put items are written
 * with BatchWriteItem instead of one transaction each; the aggregate updates reviewWrites would have made
 * one by one (the change's aggregates: product rating, seller feedback counters) are applied once, summed, with the store's own
 * `addToRating` and `countForSeller`. Ratings cycle 1–5, helpful counts are spread, one review in 50 has a
 * photo, publication times are 10 ms apart (the platform clock then moves past the last one).
 */
import { createReview, applyModeration, reviewChange, type FeedbackDelta, type RatingDelta } from '../../lambdas/domain/reviews.js';
import { feedbackCounts, withReview } from '../../lambdas/domain/reputation.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { newId } from '../../lambdas/platform/ids.js';
import { getOrder } from '../../lambdas/store/orders.js';
import { addToRating } from '../../lambdas/store/products.js';
import { reviewWrites } from '../../lambdas/store/reviews.js';
import { countForSeller } from '../../lambdas/store/sellers.js';
import { transact } from '../../lambdas/store/transactions.js';
import type { Order } from '../../lambdas/domain/orders.js';
import { fileURLToPath } from 'node:url';
import { startLocalHost } from '../../lib/local/host.js';
import { BenchClient, numberOption } from './client.js';
import { countOf, describeOperations, recorded, type CallSummary } from './recorder.js';
import { fmt, int, okMark, renderSection, table, type Section } from './report.js';
import { batchPut, putItemsOf } from './seed.js';

const SPACING_MS = 10;

export interface ReviewPageRun {
  label: string;
  reviews: number;
  items: number;
  hasNext: boolean;
  summary: CallSummary;
}

export interface ReviewScaleResult {
  small: number;
  large: number;
  pages: ReviewPageRun[];
  summary: { calls: CallSummary; count: number };
  seedSeconds: number;
}

const addCounts = <K extends string | number>(a: Record<K, number>, b: Record<K, number>): Record<K, number> => {
  const total = { ...a };
  for (const key of Object.keys(b) as K[]) total[key] = (total[key] ?? 0) + b[key];
  return total;
};
const addRating = (a: RatingDelta, b: RatingDelta): RatingDelta => ({ count: a.count + b.count, sum: a.sum + b.sum, withMedia: a.withMedia + b.withMedia, histogram: addCounts(a.histogram, b.histogram) });

/** Writes `count` published reviews of `productId` (a line of `order`) and their aggregates. */
async function seedReviews(order: Order, productId: string, count: number): Promise<void> {
  const start = new Date(order.completedAt ?? clock.nowIso()).getTime() + 1000;
  const items: Record<string, unknown>[] = [];
  let rating: RatingDelta | undefined;
  const feedback = new Map<string, FeedbackDelta>();
  for (let i = 0; i < count; i++) {
    const at = new Date(start + i * SPACING_MS).toISOString();
    const copy: Order = { ...order, orderId: newId('ord'), buyerId: `seed-buyer-${i}` };
    const media = i % 50 === 0 ? [{ uploadId: `upl_seed${i}`, key: `review-media/upl_seed${i}`, contentType: 'image/jpeg' }] : [];
    const content = { rating: 1 + (i % 5), text: `Seeded review ${i}: arrived quickly and works as described.`, media, sellerRatings: { itemAsDescribed: 5, communication: 4, shippingSpeed: 5 } };
    const written = createReview({ reviewId: newId('rev'), order: copy, productId, reviewerName: `seeded reviewer ${i}`, content, now: at });
    const decided = applyModeration(written, 1, 'PUBLISHED', [], at);
    if (!decided) throw new Error('a seeded review could not be published');
    const change = reviewChange(null, { ...decided, helpfulCount: (i * 7919) % 97 });
    items.push(...putItemsOf(reviewWrites(change, { feedback: null }).map((write) => ('guard' in write ? write.item : write))));
    if (!change.aggregates) throw new Error('a seeded publication moves no aggregate');
    const { rating: delta, month } = change.aggregates;
    const monthly = feedbackCounts(withReview(null, decided, at));
    rating = rating ? addRating(rating, delta) : delta;
    const before = feedback.get(month);
    feedback.set(month, before ? addCounts<keyof FeedbackDelta>(before, monthly) : monthly);
  }
  await batchPut(items);
  // One summed change, so one shard of each counter takes it: the source names the seeding.
  const source = `seed-${productId}`;
  if (rating) await transact([...addToRating(productId, source, rating), ...[...feedback].flatMap(([month, delta]) => countForSeller(order.sellerId, month, delta, source))]);
  moveClock({ advanceByMs: Math.max(0, start + count * SPACING_MS - clock.now().getTime()) + 1000 });
}

const QUERIES: [string, string][] = [
  ['newest', 'sort=newest'],
  ['helpful', 'sort=helpful'],
  ['rating_desc', 'sort=rating_desc'],
  ['rating = 5 (newest first)', 'rating=5'],
];
/** Filtered pages: the index holds every review, a FilterExpression drops some after the read. */
const FILTERED: [string, string][] = [
  ['helpful, rating = 5 (filter)', 'sort=helpful&rating=5'],
  ['with photos (own partition)', 'withMedia=true'],
];

async function page(client: BenchClient, productId: string, reviews: number, label: string, query: string): Promise<ReviewPageRun & { cursor: string | undefined }> {
  const { result, summary } = await recorded(() => client.expect(200, 'GET', `/v1/products/${productId}/reviews?limit=20&${query}`));
  const items = Array.isArray(result.body.items) ? result.body.items.length : 0;
  const cursor = typeof result.body.nextCursor === 'string' ? result.body.nextCursor : undefined;
  return { label, reviews, items, hasNext: cursor !== undefined, summary, cursor };
}

export async function measureReviewScale(client: BenchClient, options: { small: number; large: number }): Promise<ReviewScaleResult> {
  const { seller, productId: smallId } = await client.sellerWithListing();
  const largeId = await client.listing(seller);
  const orderId = await client.completedOrder(seller, await client.actor('buyer'), [smallId, largeId]);
  const order = await getOrder(orderId);
  if (!order) throw new Error('the completed order to copy was not found');

  const seedStarted = performance.now();
  await seedReviews(order, smallId, options.small);
  await seedReviews(order, largeId, options.large);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const pages: ReviewPageRun[] = [];
  for (const [label, query] of [...QUERIES, ...FILTERED]) {
    for (const [productId, reviews] of [[smallId, options.small], [largeId, options.large]] as const) {
      const run = await page(client, productId, reviews, label, query);
      pages.push(run);
      if (label === 'newest' && run.cursor) pages.push(await page(client, productId, reviews, 'newest, page 2 (cursor)', `sort=newest&cursor=${encodeURIComponent(run.cursor)}`));
    }
  }
  const product = await recorded(() => client.expect(200, 'GET', `/v1/products/${largeId}`));
  const ratingSummary = product.result.body.ratingSummary as { count?: unknown } | undefined;
  return { small: options.small, large: options.large, pages, summary: { calls: product.summary, count: Number(ratingSummary?.count ?? Number.NaN) }, seedSeconds };
}

/** The unfiltered sorts: same calls, and capacity within 2× of each other, at both sizes. */
export function reviewPageChecks(result: ReviewScaleResult): { ok: boolean; text: string } {
  const plain = result.pages.filter((run) => QUERIES.some(([label]) => label === run.label));
  const shapes = new Set(plain.map((run) => describeOperations(run.summary.byOperation)));
  const withinLimit = plain.every((run) => run.summary.calls <= 2 && countOf(run.summary, 'Query') === 1);
  const large = plain.filter((run) => run.reviews === result.large);
  const small = plain.filter((run) => run.reviews === result.small);
  const capacity = (runs: ReviewPageRun[]) => runs.reduce((max, run) => Math.max(max, run.summary.capacity), 0);
  const near = capacity(large) <= 2 * Math.max(capacity(small), 0.5);
  return {
    ok: withinLimit && shapes.size === 1 && near,
    text: `${[...shapes].join(' / ')} per page at ${int(result.small)} and ${int(result.large)} reviews; at most ${fmt(capacity(small))} vs ${fmt(capacity(large))} units`,
  };
}

export function reviewScaleSection(result: ReviewScaleResult): Section {
  const check = reviewPageChecks(result);
  const summaryOk = result.summary.calls.calls === 1 && countOf(result.summary.calls, 'Query') === 1;
  return {
    title: `\`GET /v1/products/{productId}/reviews?limit=20\`: ${int(result.small)} vs ${int(result.large)} published reviews`,
    body: [
      table(
        ['page', 'reviews of the product', 'items returned', 'next cursor', 'calls', 'by operation', 'capacity units'],
        result.pages.map((run) => [run.label, int(run.reviews), run.items, run.hasNext ? 'yes' : 'no', run.summary.calls, describeOperations(run.summary.byOperation), fmt(run.summary.capacity)]),
        ['l', 'r', 'r', 'l', 'r', 'l', 'r'],
      ),
      [
        `${okMark(check.ok)} One Query and no batch read for every sort, whatever the number of reviews: ${check.text}. Capacity follows the bytes of the 20 items read (the small product's pages hold its ${result.small}), not the size of the partition.`,
        `${okMark(summaryOk)} The rating summary: \`GET /v1/products/{productId}\` of the ${int(result.large)}-review product is ${result.summary.calls.calls} call (${describeOperations(result.summary.calls.byOperation)}, ${fmt(result.summary.calls.capacity)} units) and reports \`ratingSummary.count\` = ${int(result.summary.count)} — the listing and its rating counter shards in one Query, summed, not a count of reviews.`,
        'Filtered rows: `rating` with another sort than newest/rating, and `withMedia`, are a FilterExpression on the sort index, applied after `Limit` items are read; a page then holds fewer than 20 items (none, if no review among the 20 read matches) and the client pages on. Same single Query, same capacity, fewer results.',
        `Seeded, not written through HTTP (${fmt(result.seedSeconds)} s): domain-built reviews (\`createReview\` + \`applyModeration\`), their \`reviewWrites\` Put items written by BatchWriteItem, aggregates added once with \`addToRating\`/\`countForSeller\` (see the introduction).`,
      ].join('\n'),
    ],
  };
}

// Alone: `npx tsx scripts/bench/review-scale.ts [--large <n>]` prints this section without the rest of the bench.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = await startLocalHost();
  try {
    process.stdout.write(`${renderSection(reviewScaleSection(await measureReviewScale(new BenchClient(host), { small: 10, large: numberOption('--large', 10_000) })))}\n`);
  } finally {
    await host.stop();
  }
}
