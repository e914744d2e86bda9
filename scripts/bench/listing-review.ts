/**
 * The listing-review worker's throughput: N listing submissions queued by the real route (verified
 * sellers of up to 99 listings each — a seller's hourly upload quota after its identity document — each
 * listing with its own uploaded photo), then the local queue drained (`host.drainQueues()`:
 * the listingReview queue's worker, batches of 5 as in the manifest) while the recorder counts the
 * worker's DynamoDB calls. S3 work per listing (one CopyObject and one ranged GET of the photo) is not
 * counted here.
 */
import type { LocalHost } from '../../lib/local/host.js';
import { UPLOADS_PER_HOUR } from '../../lambdas/domain/media.js';
import { mapLimit, type Actor, type BenchClient } from './client.js';
import { recorded, type CallSummary } from './recorder.js';
import { fmt, okMark, table, type Section } from './report.js';

const CONCURRENCY = 4;
/** Listings per seller: one hour's upload quota less the verification document, and one page of listings. */
const PER_SELLER = Math.min(UPLOADS_PER_HOUR - 1, 100);

export interface ListingReviewResult {
  listings: number;
  submit: { seconds: number; summary: CallSummary };
  drain: { seconds: number; delivered: number; summary: CallSummary };
  approved: number;
}

export async function measureListingReview(host: LocalHost, client: BenchClient, options: { listings: number }): Promise<ListingReviewResult> {
  await host.drainQueues(); // start from empty queues: everything drained below is this section's
  const sellers: Actor[] = [];
  for (let i = 0; i < Math.ceil(options.listings / PER_SELLER); i++) sellers.push(await client.seller());
  const submissions = await mapLimit(Array.from({ length: options.listings }, (_, i) => sellers[Math.floor(i / PER_SELLER)]!), CONCURRENCY, async (seller) => ({ seller, body: await client.listingBody(seller) }));
  let started = performance.now();
  const submitted = await recorded(() => mapLimit(submissions, CONCURRENCY, ({ seller, body }) => client.expect(201, 'POST', '/v1/products', { as: seller, body })));
  const submitSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const drained = await recorded(() => host.drainQueues());
  const drainSeconds = (performance.now() - started) / 1000;

  let approved = 0;
  for (const seller of sellers) {
    const listed = await client.expect(200, 'GET', `/v1/sellers/${seller.userId}/products?limit=${PER_SELLER}`);
    approved += Array.isArray(listed.body.items) ? listed.body.items.length : 0;
  }
  return { listings: options.listings, submit: { seconds: submitSeconds, summary: submitted.summary }, drain: { seconds: drainSeconds, delivered: drained.result, summary: drained.summary }, approved };
}

const perListing = (summary: CallSummary, listings: number): string =>
  Object.entries(summary.byOperation)
    .map(([operation, count]) => `${operation} ${fmt(count / listings, 2)}`)
    .join(', ');

export function listingReviewSection(result: ListingReviewResult): Section {
  const { listings, submit, drain } = result;
  // Each seller holds at most one page of listings, so the first pages list them all; the drain also delivers the
  // notifications of the decisions (the webhook queue): at least one message per listing.
  const allApproved = result.approved === listings && drain.delivered >= listings;
  return {
    title: `Listing-review worker: ${listings} queued submissions drained`,
    body: [
      table(
        ['step', 'listings', 'wall time', 'per second', 'DynamoDB calls', 'calls per listing', 'by operation, per listing', 'capacity units per listing'],
        [
          ['submit them (`POST /v1/products`, 4 at a time)', listings, `${fmt(submit.seconds)} s`, fmt(listings / submit.seconds, 0), submit.summary.calls, fmt(submit.summary.calls / listings, 2), perListing(submit.summary, listings), fmt(submit.summary.capacity / listings)],
          ['review them (`host.drainQueues()`, batches of 5)', drain.delivered, `${fmt(drain.seconds)} s`, fmt(drain.delivered / drain.seconds, 0), drain.summary.calls, fmt(drain.summary.calls / listings, 2), perListing(drain.summary, listings), fmt(drain.summary.capacity / listings)],
        ],
        ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'r'],
      ),
      [
        `${okMark(allApproved)} ${drain.delivered} messages delivered; the shop's first public page lists ${result.approved} approved listings.`,
        'Per submission the worker reads the listing (GetItem), copies and checks its photo in S3 (not counted), and decides in one transaction (the listing on its version, the outbox timer removed; a third or later rejection adds the penalty entry, its expiry timer and the standing, after one Query of the standing). A submission carries a verification GetItem and a standing Query (the restriction pre-checks), the photo records (BatchGetItem) and one transaction.',
        'Timing is local (fauxqs, one engine transaction at a time): compare with earlier runs on the same machine only.',
      ].join('\n'),
    ],
  };
}
