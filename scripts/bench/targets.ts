/** The issue's targets, each with what this run measured and whether it holds. */
import { badgeJobChecks, type BadgeJobResult } from './badge-job.js';
import { bundleTargetRows, type BundleReport } from './bundles.js';
import { disputeSweepChecks, type DisputeSweepResult } from './dispute-sweep.js';
import { DISPUTE_ACTION_CALLS, isDisputeAction, type CostRow } from './dynamo-costs.js';
import { messagingPageChecks, type MessagingScaleResult } from './messaging-scale.js';
import type { ModerationResult } from './moderation.js';
import { publicationChecks, type PublicationScaleResult } from './publication-scale.js';
import { describeOperations } from './recorder.js';
import { fmt, int, okMark, table, type Cell, type Section } from './report.js';
import { reviewPageChecks, type ReviewScaleResult } from './review-scale.js';
import { sweepChecks, type ScalingResult } from './scaling.js';

export interface TargetInputs {
  costs: CostRow[];
  bundles: BundleReport;
  scaling: ScalingResult;
  reviewScale: ReviewScaleResult;
  disputeSweep: DisputeSweepResult;
  moderation: ModerationResult;
  messagingScale?: MessagingScaleResult;
  publicationScale: PublicationScaleResult;
  badgeJob?: BadgeJobResult;
}

export function targetsSection(input: TargetInputs): Section {
  const rows: Cell[][] = [];
  const costRow = (target: string, label: string) => {
    const row = input.costs.find((candidate) => candidate.label === label);
    if (row) rows.push([target, `${row.summary.calls} call(s)`, okMark(row.ok)]);
  };
  costRow('place order ≤ 2 calls', 'place order');
  costRow('place order with an Idempotency-Key ≤ 2 calls (key record in the order\'s transaction)', 'place order, with Idempotency-Key');
  costRow('confirm receipt ≤ 2 calls', 'confirm receipt');
  costRow('get order: 1 call', 'get order');
  costRow('list orders: 1 call per page', 'list my orders, page (buyer)');

  const pages = reviewPageChecks(input.reviewScale);
  rows.push([`a product's review page: 1 Query + at most 1 batch read, whatever the number of reviews (${int(input.reviewScale.small)} vs ${int(input.reviewScale.large)})`, pages.text, okMark(pages.ok)]);
  const rating = input.reviewScale.summary.calls;
  rows.push(['the rating summary is one Query (the listing and its counter shards)', `${describeOperations(rating.byOperation)} (\`ratingSummary.count\` ${int(input.reviewScale.summary.count)})`, okMark(rating.calls === 1 && rating.byOperation.Query === 1)]);

  const actions = input.costs.filter(isDisputeAction);
  const actionMisses = actions.filter((row) => !row.ok);
  const shapes = [...new Set(actions.map((row) => describeOperations(row.summary.byOperation)))];
  rows.push([
    `each dispute action is one transaction (+ its deciding reads: dispute, then order; ≤ ${DISPUTE_ACTION_CALLS} calls *)`,
    `${actions.length - actionMisses.length} of ${actions.length} within; ${shapes.join(' / ')}${actions.some((row) => (row.summary.byOperation.Query ?? 0) > 0) ? ' (the Query reads the dispute with its timeline, the GetItem its order)' : ''}`,
    okMark(actionMisses.length === 0),
  ]);

  const others = input.costs.filter((row) => row.targetSource === 'derived' && !isDisputeAction(row));
  const derivedMisses = others.filter((row) => !row.ok);
  rows.push([
    'every other read 1 call, every other change 1 transaction (+ its deciding read) *',
    derivedMisses.length === 0 ? `all ${others.length} operations within` : `over: ${derivedMisses.map((row) => `${row.label} (${row.summary.calls})`).join(', ')}`,
    okMark(derivedMisses.length === 0),
  ]);

  for (const [target, measured, met] of bundleTargetRows(input.bundles)) rows.push([target, measured, okMark(met)]);

  const checks = sweepChecks(input.scaling);
  const fired = input.scaling.sweeps.every((run) => run.firedTheDueOnes);
  rows.push([
    `timers sweep reads do not grow with not-due orders (0 vs ${input.scaling.notDue})`,
    `${checks.map((check) => `${check.queries.join(' vs ')} Query calls (${check.label.replace(/ \(.*$/, '')})`).join('; ')}${fired ? '' : '; unexpected timers fired'}`,
    okMark(checks.every((check) => check.ok) && fired),
  ]);
  const firstPages = input.scaling.lists.filter((run) => run.label.startsWith('buyer') && run.label.includes('first page'));
  const listCalls = new Set(firstPages.map((run) => run.summary.calls));
  rows.push([
    `list page cost independent of history (${firstPages.map((run) => run.ordersOwned).join(' vs ')} orders)`,
    `${[...listCalls].join(' vs ')} call(s); ${firstPages.map((run) => `${run.summary.capacity} units for ${run.items} items`).join(' vs ')}`,
    okMark(listCalls.size === 1),
  ]);

  const disputeChecks = disputeSweepChecks(input.disputeSweep);
  const disputesFired = input.disputeSweep.runs.every((run) => run.expected);
  rows.push([
    `timers sweep reads ∝ due disputes (${input.disputeSweep.due} due; 0 vs ${int(input.disputeSweep.notDue)} not-due open disputes)`,
    `${disputeChecks.map((check) => `${check.queries.join(' vs ')} Query calls (${check.label.replace(/ \(.*$/, '')})`).join('; ')}${disputesFired ? '' : '; unexpected firings'}`,
    okMark(disputeChecks.every((check) => check.ok) && disputesFired),
  ]);
  if (input.messagingScale) {
    const messaging = messagingPageChecks(input.messagingScale);
    rows.push([`conversation list and message pages flat (${int(input.messagingScale.small)} vs ${int(input.messagingScale.large)} messages / conversations)`, messaging.text, okMark(messaging.ok)]);
  }
  if (input.badgeJob) {
    const badges = badgeJobChecks(input.badgeJob);
    rows.push([`the badge job ∝ marked sellers (0 vs ${int(input.badgeJob.idle)} idle sellers)`, badges.text, okMark(badges.ok)]);
  }
  const { drain, reviews } = input.moderation;
  const publications = publicationChecks(input.publicationScale);
  rows.push([
    `${int(input.publicationScale.reviews)} publications on one product: the summary exact, no transaction retried`,
    `count ${int(input.publicationScale.summary.count)}, average ${String(input.publicationScale.summary.average)}; ${int(publications.transactions)} TransactWriteItems (${int(publications.retries)} retried)`,
    okMark(publications.exact && publications.retries === 0),
  ]);
  rows.push(['moderation worker throughput (no target)', `${reviews} reviews in ${fmt(drain.seconds)} s: ${fmt(drain.delivered / drain.seconds, 0)} messages/s, ${fmt(drain.summary.calls / reviews, 2)} calls per review`, '—']);

  return {
    title: 'Targets',
    body: [table(['target', 'measured', 'met?'], rows), '`*`: derived from the issue\'s rule ("each read is one call; each state change is one transaction") plus the read(s) that decide a change; the others are the issue\'s own.'],
  };
}
