/**
 * npm run bench [-- --quick]
 *
 * Measures what the issue's performance section asks for and prints it as Markdown; the same text
 * replaces the generated part of docs/benchmarks.md (between the bench markers).
 *   1. bundle size and cold init of every manifest function (bench/bundles.ts)
 *   2. DynamoDB calls and capacity per API operation, through the local host (bench/dynamo-costs.ts for
 *      sellers, listings and orders; bench/review-costs.ts for uploads and reviews; bench/dispute-costs.ts;
 *      bench/webhook-costs.ts for the signed carrier webhooks; each runs alone too)
 *   3. timers sweep and order-list cost against data size (bench/scaling.ts)
 *   4. timers sweep against open disputes, not-due ones seeded (bench/dispute-sweep.ts), and against
 *      unshipped orders, not-due ship-by timers seeded (bench/ship-by-sweep.ts)
 *   5. a product's review page at 10 and 10,000 reviews, seeded (bench/review-scale.ts)
 *   6. moderation worker throughput (bench/moderation.ts), listing-review worker throughput (bench/listing-review.ts)
 *   7. local HTTP throughput (bench/throughput.ts; skipped with --quick)
 *   8. cost per million requests of a stated mix at AWS list prices, from the units of 2 (bench/cost.ts)
 *   9. timers at scale: 10,000 due timers fired by the sharded sweep, with 0 and 10,000 not due
 *      (bench/timer-scale.ts; 100,000 with `npx tsx scripts/bench/timer-scale.ts --full`)
 *  10. messaging: calls per operation (bench/messaging-costs.ts, with the other rows of 2) and the
 *      message and conversation pages at 10 and 10,000 (bench/messaging-scale.ts; each runs alone too)
 *  11. hot counters: 10,000 reviews of one product published through the moderation worker
 *      (bench/publication-scale.ts)
 *  12. the daily badge job with 0 and 10,000 idle sellers, and with 10 of them marked (bench/badge-job.ts)
 *  13. webhook worker throughput to a local receiver (calls per delivery), and the timers sweep with 0 and
 *      10,000 not-due webhook retries (bench/webhook-delivery.ts)
 *  14. notifications: fan-out per event, the inbox, and the sweep with 10 due and 10,000 not-due reminders
 *      (bench/notifications.ts; runs alone too)
 * --quick: fewer cold-start runs; 100 instead of 1,000 not-due orders, 1,000 instead of 10,000 reviews and
 * not-due disputes, 200 instead of 500 moderated reviews, 1,000 instead of 10,000 due and not-due timers, 1,000 instead of
 * 10,000 publications on one product, 1,000 instead of 10,000 idle sellers; no throughput.
 *
 * Order matters: the order-sweep scenarios move the clock and rely on what earlier sections left behind
 * being due within 60 days; the review and dispute sections (whose timers are not) come after them, and
 * the dispute sweep deletes leftover timers before each of its scenarios.
 */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureTimerScale, timerScaleSection } from './bench/timer-scale.js';
import { startLocalHost } from '../lib/local/host.js';
import { badgeJobSection, measureBadgeJob } from './bench/badge-job.js';
import { bundleSection, measureBundles } from './bench/bundles.js';
import { measureNotifications, notificationSections } from './bench/notifications.js';
import { BenchClient } from './bench/client.js';
import { costPerMillionSection } from './bench/cost.js';
import { measureDisputeCosts } from './bench/dispute-costs.js';
import { measureMessagingCosts } from './bench/messaging-costs.js';
import { measureMessagingScale, messagingScaleSection } from './bench/messaging-scale.js';
import { disputeSweepSection, measureDisputeSweep } from './bench/dispute-sweep.js';
import { measureShipBySweep, shipBySweepSection } from './bench/ship-by-sweep.js';
import { costSection, measureRouteCosts } from './bench/dynamo-costs.js';
import { listingReviewSection, measureListingReview } from './bench/listing-review.js';
import { measureModeration, moderationSection } from './bench/moderation.js';
import { measurePublicationScale, publicationScaleSection } from './bench/publication-scale.js';
import { countUnits } from './bench/recorder.js';
import { renderSection, writeBetweenMarkers, type Section } from './bench/report.js';
import { measureReviewCosts } from './bench/review-costs.js';
import { measureReviewScale, reviewScaleSection } from './bench/review-scale.js';
import { listSection, measureScaling, sweepSection } from './bench/scaling.js';
import { targetsSection } from './bench/targets.js';
import { measureThroughput, throughputSection } from './bench/throughput.js';
import { measureWebhookCosts } from './bench/webhook-costs.js';
import { measureWebhookDelivery, webhookDeliverySection } from './bench/webhook-delivery.js';

const quick = process.argv.includes('--quick');
const root = fileURLToPath(new URL('..', import.meta.url));
const settings = quick
  ? { coldStartRuns: 3, notDue: 100, due: 10, reviews: 1_000, notDueDisputes: 1_000, moderated: 200, reviewedListings: 50, dueTimers: 1_000, notDueTimers: 1_000, published: 1_000, idleSellers: 1_000, throughput: undefined }
  : { coldStartRuns: 5, notDue: 1_000, due: 10, reviews: 10_000, notDueDisputes: 10_000, moderated: 500, reviewedListings: 200, dueTimers: 10_000, notDueTimers: 10_000, published: 10_000, idleSellers: 10_000, throughput: { clients: 10, seconds: 5 } };

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const progress = (line: string) => process.stderr.write(`[bench ${elapsed()}] ${line}\n`);

progress('bundling and cold-starting every function');
const bundles = await measureBundles(root, { runs: settings.coldStartRuns });

progress('starting the local host');
const host = await startLocalHost();
const sections: Section[] = [];
try {
  const client = new BenchClient(host);
  progress('DynamoDB calls per operation: sellers, listings, orders');
  // Only the per-operation probes count request units: counting reads each written item (see recorder.ts).
  countUnits(true);
  const costs = await measureRouteCosts(client);
  countUnits(false);
  progress(`timers sweep and list scaling (${settings.notDue} not-due orders)`);
  const scaling = await measureScaling(host, client, { notDue: settings.notDue, due: settings.due });
  progress(`  data built and measured in ${scaling.buildSeconds.toFixed(1)} s`);
  progress('DynamoDB calls per operation: uploads, reviews, disputes, messaging, carrier webhooks');
  countUnits(true);
  costs.push(...(await measureReviewCosts(host, client)), ...(await measureDisputeCosts(host, client)), ...(await measureMessagingCosts(host, client)), ...(await measureWebhookCosts(host, client)));
  countUnits(false);
  progress(`timers sweep with ${settings.due} due and ${settings.notDueDisputes} not-due open disputes`);
  const disputeSweep = await measureDisputeSweep(host, client, { notDue: settings.notDueDisputes, due: settings.due });
  progress(`timers sweep with ${settings.due} due and ${settings.notDueDisputes} not-due ship-by timers (auto-cancel)`);
  const shipBySweep = await measureShipBySweep(host, client, { notDue: settings.notDueDisputes, due: settings.due });
  progress(`a product's review page with 10 and ${settings.reviews} reviews (seeding)`);
  const reviewScale = await measureReviewScale(client, { small: 10, large: settings.reviews });
  progress(`  seeded in ${reviewScale.seedSeconds.toFixed(1)} s`);
  progress(`moderation worker: ${settings.moderated} reviews`);
  const moderation = await measureModeration(host, client, { reviews: settings.moderated });
  progress(`  built in ${(moderation.buildOrdersSeconds + moderation.writeReviews.seconds).toFixed(1)} s, drained in ${moderation.drain.seconds.toFixed(1)} s`);
  // 100,000 due timers take minutes here: `npx tsx scripts/bench/timer-scale.ts --full` measures them alone.
  progress(`listing-review worker: ${settings.reviewedListings} listings`);
  const listingReview = await measureListingReview(host, client, { listings: settings.reviewedListings });
  progress(`timers at scale: ${settings.dueTimers} due timers with 0 and ${settings.notDueTimers} not due`);
  const timerScale = await measureTimerScale(host, { due: [settings.dueTimers], notDue: settings.notDueTimers, progress });
  progress(`messaging pages with 10 and ${settings.reviews} messages and conversations (seeding)`);
  const messagingScale = await measureMessagingScale(client, { small: 10, large: settings.reviews });
  progress(`hot counters: ${settings.published} reviews of one product through the moderation worker`);
  const publicationScale = await measurePublicationScale(host, client, { reviews: settings.published, progress });
  progress(`badge job: 0 and ${settings.idleSellers} idle sellers, 10 marked`);
  const badgeJob = await measureBadgeJob(host, { idle: settings.idleSellers, marked: 10 });
  progress(`webhook deliveries: ${settings.moderated} notifications, the sweep with 0 and ${settings.notDueTimers} not-due retries`);
  const webhookDelivery = await measureWebhookDelivery(host, client, { deliveries: settings.moderated, notDue: settings.notDueTimers });
  progress(`notifications: fan-out per event, the inbox, the sweep with ${settings.due} due and ${settings.notDueDisputes} not-due reminders`);
  const notifications = await measureNotifications(host, client, { notDue: settings.notDueDisputes, due: settings.due });
  sections.push(
    targetsSection({ costs, bundles, scaling, reviewScale, disputeSweep, moderation, messagingScale, publicationScale, badgeJob }),
    costSection(costs),
    costPerMillionSection(costs),
    bundleSection(bundles),
    sweepSection(scaling),
    listSection(scaling),
    disputeSweepSection(disputeSweep),
    shipBySweepSection(shipBySweep),
    reviewScaleSection(reviewScale),
    moderationSection(moderation),
    listingReviewSection(listingReview),
    timerScaleSection(timerScale),
    messagingScaleSection(messagingScale),
    publicationScaleSection(publicationScale),
    badgeJobSection(badgeJob),
    webhookDeliverySection(webhookDelivery),
    ...notificationSections(notifications),
  );
  if (settings.throughput) {
    progress(`throughput: ${settings.throughput.clients} clients × ${settings.throughput.seconds} s per route`);
    sections.push(throughputSection(await measureThroughput(client, settings.throughput)));
  }
} finally {
  progress('stopping the local host');
  await host.stop();
}

const cpu = cpus();
const header = `_Generated by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString()}: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${quick ? `quick mode (${settings.notDue} not-due orders, ${settings.reviews} reviews, ${settings.notDueDisputes} not-due disputes, ${settings.moderated} moderated reviews, ${settings.dueTimers} due timers, ${settings.published} publications on one product, ${settings.idleSellers} idle sellers, no throughput)` : 'full run'}, ${elapsed()} in all._`;
const markdown = [header, '', ...sections.map(renderSection)].join('\n');

process.stdout.write(`${markdown}\n`);
writeBetweenMarkers(join(root, 'docs', 'benchmarks.md'), markdown, '# Benchmarks\n');
progress('wrote docs/benchmarks.md');
