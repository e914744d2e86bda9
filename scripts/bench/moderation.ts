/**
 * The moderation worker's throughput: N review moderation requests queued by the real route, then the
 * local queue drained (`host.drainQueues()`: the moderation queue's worker, batches of 10 as in the
 * manifest) while the recorder counts the worker's DynamoDB calls.
 *
 * Building: one store with 10 listings; N/10 buyers, each with one completed order of all 10 listings
 * (place → ship → confirm over HTTP), and one review per order line through
 * `POST /v1/orders/{orderId}/reviews`. A review is per order line, so ten lines per order make the N
 * reviews from N/10 orders.
 */
import type { LocalHost } from '../../lib/local/host.js';
import { aReview, mapLimit, type BenchClient } from './client.js';
import { recorded, type CallSummary } from './recorder.js';
import { fmt, okMark, table, type Section } from './report.js';

const LINES = 10;
const CONCURRENCY = 4;

export interface ModerationResult {
  reviews: number;
  orders: number;
  buildOrdersSeconds: number;
  writeReviews: { seconds: number; summary: CallSummary };
  drain: { seconds: number; delivered: number; summary: CallSummary };
  published: number;
}

export async function measureModeration(host: LocalHost, client: BenchClient, options: { reviews: number }): Promise<ModerationResult> {
  await host.drainQueues(); // start from empty queues: everything drained below is this section's
  const seller = await client.seller();
  const productIds = await mapLimit(Array.from({ length: LINES }), CONCURRENCY, () => client.listing(seller));
  const orders = Math.ceil(options.reviews / LINES);

  let started = performance.now();
  const deals = await mapLimit(Array.from({ length: orders }), CONCURRENCY, async () => {
    const buyer = await client.actor('buyer');
    return { buyer, orderId: await client.completedOrder(seller, buyer, productIds) };
  });
  const buildOrdersSeconds = (performance.now() - started) / 1000;

  const lines = deals.flatMap((deal) => productIds.map((productId) => ({ ...deal, productId }))).slice(0, options.reviews);
  started = performance.now();
  const written = await recorded(() =>
    mapLimit(lines, CONCURRENCY, (line) => client.expect(201, 'POST', `/v1/orders/${line.orderId}/reviews`, { as: line.buyer, body: aReview(line.productId) })),
  );
  const writeSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const drained = await recorded(() => host.drainQueues());
  const drainSeconds = (performance.now() - started) / 1000;

  const summaries = await Promise.all(productIds.map(async (productId) => (await client.expect(200, 'GET', `/v1/products/${productId}`)).body.ratingSummary as { count?: unknown } | undefined));
  const published = summaries.reduce((total, summary) => total + Number(summary?.count ?? 0), 0);
  return {
    reviews: lines.length,
    orders,
    buildOrdersSeconds,
    writeReviews: { seconds: writeSeconds, summary: written.summary },
    drain: { seconds: drainSeconds, delivered: drained.result, summary: drained.summary },
    published,
  };
}

const perReview = (summary: CallSummary, reviews: number): string =>
  Object.entries(summary.byOperation)
    .map(([operation, count]) => `${operation} ${fmt(count / reviews, 2)}`)
    .join(', ');

export function moderationSection(result: ModerationResult): Section {
  const { reviews, drain, writeReviews } = result;
  // The drain also delivers the notifications those publications wrote (the webhook queue): at least one message per review.
  const allPublished = result.published === reviews && drain.delivered >= reviews;
  return {
    title: `Moderation worker: ${reviews} queued reviews drained`,
    body: [
      table(
        ['step', 'reviews', 'wall time', 'per second', 'DynamoDB calls', 'calls per review', 'by operation, per review', 'capacity units per review'],
        [
          ['write the reviews (`POST /v1/orders/{orderId}/reviews`, 4 at a time)', reviews, `${fmt(writeReviews.seconds)} s`, fmt(reviews / writeReviews.seconds, 0), writeReviews.summary.calls, fmt(writeReviews.summary.calls / reviews, 2), perReview(writeReviews.summary, reviews), fmt(writeReviews.summary.capacity / reviews)],
          ['moderate them (`host.drainQueues()`, batches of 10)', drain.delivered, `${fmt(drain.seconds)} s`, fmt(drain.delivered / drain.seconds, 0), drain.summary.calls, fmt(drain.summary.calls / reviews, 2), perReview(drain.summary, reviews), fmt(drain.summary.capacity / reviews)],
        ],
        ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'r'],
      ),
      [
        `${okMark(allPublished)} ${drain.delivered} messages delivered; the products' rating summaries count ${result.published} published reviews of ${reviews}.`,
        `Per review the worker reads the review and (for duplicate detection) who first published its text — a GetItem each at the time of writing — then decides in one transaction (review, revision, public projection, rating aggregate, seller counters, the outbox timer's removal, the text claim). Timing is local: SQS is fauxqs and every transaction goes through the local engine one at a time; compare with earlier runs on the same machine only.`,
        `Not visible here: the worker handles a batch's records in parallel, and every decision's transaction also updates its listing's rating aggregate and its shop's monthly counters — here all ${reviews} reviews share 10 listings and one shop. DynamoDB cancels concurrent transactions on the same item (TransactionConflict); the worker decides such a record again on fresh data (up to 5 attempts) before failing it for redelivery after the visibility timeout. The local engine serialises transactions, so it never conflicts.`,
        `${result.buildOrdersSeconds + writeReviews.seconds > drain.seconds ? 'Building the data took longer than draining it' : 'Building the data'}: ${result.orders} completed orders of ${LINES} lines (place, ship, confirm over HTTP) in ${fmt(result.buildOrdersSeconds)} s, then the ${reviews} reviews in ${fmt(writeReviews.seconds)} s.`,
      ].join('\n'),
    ],
  };
}
