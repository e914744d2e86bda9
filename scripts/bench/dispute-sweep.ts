/**
 * The timers sweep against open disputes: "reads ∝ due items", and a sweep after an outage costs what is
 * due plus one Query per calendar month it spans, not one per hour. 10 real disputes whose seller-response
 * deadline comes due, with 0 and with N other open disputes whose deadlines, of every kind, are not due.
 *
 * The N not-due disputes are not built over HTTP (far too slow at 10,000): only what the sweep can see
 * of them is written — their DISPUTE_DEADLINE timer items, built by `setTimer` exactly as opening a
 * dispute builds them, written with BatchWriteItem, and deleted afterwards.
 *
 * Timeline of one scenario (platform clock, moved in-process):
 *   (before)  every pending timer left by earlier sections is deleted (bench housekeeping, a Scan), so the
 *             sweep sees only this scenario's timers
 *   T−15d     the N not-due timers written, due from T+5d+2h over the next 10 days; a sweep runs
 *   T         sweep after a 15-day outage (no sweep since T−15d), nothing due; then 10 orders placed and
 *             shipped (120-day protection), a dispute opened on each over HTTP (seller response due at
 *             T+5d); a sweep runs, so the next one starts from T
 *   T+5d−1h   catch-up sweep: 5 days since the last, nothing due yet
 *   T+5d+1h   the measured sweep; each due deadline auto-accepts its dispute (a refund)
 */
import type { LocalHost } from '../../lib/local/host.js';
import { DEADLINE_NAMES } from '../../lambdas/domain/disputes.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { newId } from '../../lambdas/platform/ids.js';
import { setTimer, timerShards } from '../../lambdas/store/timers.js';
import { mapLimit, stringField, usd, type BenchClient } from './client.js';
import { monthsSpanned, notDueChecks, sweepOwnQueries, withAndWithoutNotDue, type NotDueSweepRun } from './scaling.js';
import { countOf, describeOperations, recorded } from './recorder.js';
import { fmt, int, okMark, table, type Section } from './report.js';
import { batchDelete, batchPut, pendingTimerKeys, putItemsOf, type TableKey } from './seed.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const RESPONSE_MS = 5 * DAY_MS;
const OUTAGE_MS = 15 * DAY_MS;

export interface DisputeSweepResult {
  runs: NotDueSweepRun[];
  notDue: number;
  due: number;
  seedSeconds: number;
}

/**
 * Every deadline a dispute can wait on, the not-due ones taking turns: the response windows, the 15-day
 * auto-escalation, the return's shipment, carrier delivery (20 days) and receipt, the 48 h arbitration
 * SLA and the 30-day appeal window (`appeal`, services/disputes.ts) — each the same timer item shape.
 */
export const NOT_DUE_DEADLINES = [...DEADLINE_NAMES, 'appeal'] as const;

/** The timer items of `count` open disputes whose deadline (of every kind in turn) is after `after`. */
function notDueTimers(count: number, after: number): { items: Record<string, unknown>[]; keys: TableKey[] } {
  const now = clock.nowIso();
  const items = Array.from({ length: count }, (_, i) => {
    const disputeId = newId('dsp');
    const deadline = NOT_DUE_DEADLINES[i % NOT_DUE_DEADLINES.length]!;
    const dueAt = new Date(after + (i % 240) * HOUR_MS + ((i * 37) % 60) * 60_000).toISOString();
    return putItemsOf([setTimer({ kind: 'DISPUTE_DEADLINE', entityId: `${disputeId}#${deadline}`, dueAt, payload: { disputeId, deadline } }, now)])[0] as Record<string, unknown>;
  });
  return { items, keys: items.map((item) => ({ PK: String(item.PK), SK: String(item.SK) })) };
}

async function scenario(host: LocalHost, client: BenchClient, notDue: number, due: number): Promise<{ runs: NotDueSweepRun[]; seedSeconds: number }> {
  await batchDelete(await pendingTimerKeys());
  const seedStarted = performance.now();
  const seeded = notDueTimers(notDue, clock.now().getTime() + OUTAGE_MS + RESPONSE_MS + 2 * HOUR_MS);
  await batchPut(seeded.items);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const beforeOutage = clock.nowIso();
  await host.runJob('timers');
  moveClock({ advanceByMs: OUTAGE_MS });
  const outageAt = clock.nowIso();
  const outage = await recorded(() => host.runJob('timers'));

  const { seller, productId } = await client.sellerWithListing({ guarantee: { returnable: true, protectionDays: 120 } });
  const buyer = await client.actor('buyer');
  const opened = clock.now().getTime();
  const disputeIds = await mapLimit(Array.from({ length: due }), 4, async () => {
    const orderId = await client.shippedOrder(seller, buyer, [productId]);
    const body = { reason: 'NOT_AS_DESCRIBED', request: { type: 'REFUND', amount: usd(2450) }, description: 'The colour and the size differ from the listing photos.', evidence: [] };
    return stringField((await client.expect(201, 'POST', `/v1/orders/${orderId}/disputes`, { as: buyer, body })).body, 'disputeId');
  });
  const start = clock.nowIso();
  await host.runJob('timers'); // the next sweep starts from here
  moveClock({ advanceByMs: opened + RESPONSE_MS - HOUR_MS - clock.now().getTime() });
  const catchUpAt = clock.nowIso();
  const catchUp = await recorded(() => host.runJob('timers'));
  moveClock({ advanceByMs: 2 * HOUR_MS });
  const sweep = await recorded(() => host.runJob('timers'));

  const statuses = await Promise.all(disputeIds.map(async (disputeId) => stringField((await client.expect(200, 'GET', `/v1/disputes/${disputeId}`, { as: buyer })).body, 'status')));
  await batchDelete(seeded.keys);
  return {
    seedSeconds,
    runs: [
      { notDue, due, label: 'sweep with due deadlines (2 h since the last)', processed: sweep.result.processed, summary: sweep.summary, expected: sweep.result.processed === due && statuses.every((status) => status === 'RESOLVED'), months: monthsSpanned(catchUpAt, clock.nowIso()) },
      { notDue, due, label: 'catch-up sweep 5 d − 1 h after opening (119 hours since the last)', processed: catchUp.result.processed, summary: catchUp.summary, expected: catchUp.result.processed === 0, months: monthsSpanned(start, catchUpAt) },
      { notDue, due, label: 'sweep after a 15-day outage (360 hours since the last)', processed: outage.result.processed, summary: outage.summary, expected: outage.result.processed === 0, months: monthsSpanned(beforeOutage, outageAt) },
    ],
  };
}

export async function measureDisputeSweep(host: LocalHost, client: BenchClient, options: { notDue: number; due: number }): Promise<DisputeSweepResult> {
  const { runs, seedSeconds } = await withAndWithoutNotDue((notDue) => scenario(host, client, notDue, options.due), options.notDue);
  return { runs, notDue: options.notDue, due: options.due, seedSeconds };
}

export const disputeSweepChecks = (result: DisputeSweepResult) => notDueChecks(result.runs);

/** The measured sweep's calls minus its own (markers BatchGetItem and a PutItem per shard, its Queries), per due deadline. */
function perDeadline(run: NotDueSweepRun, due: number): string {
  const own: Record<string, number> = { BatchGetItem: 1, PutItem: timerShards(), Query: sweepOwnQueries(run.months) };
  const rest = Object.entries(run.summary.byOperation)
    .map(([operation, count]): [string, number] => [operation, (count - (own[operation] ?? 0)) / Math.max(1, due)])
    .filter(([, count]) => count > 0);
  const total = rest.reduce((sum, [, count]) => sum + count, 0);
  return `${fmt(total)} calls (${rest.map(([operation, count]) => `${operation} ${fmt(count)}`).join(', ')})`;
}

export function disputeSweepSection(result: DisputeSweepResult): Section {
  const checks = disputeSweepChecks(result);
  const unexpected = result.runs.filter((run) => !run.expected);
  const measured = result.runs.find((run) => run.label.startsWith('sweep with due'));
  const outageRuns = result.runs.filter((run) => run.label.startsWith('sweep after'));
  return {
    title: `Timers sweep with open disputes: ${result.due} due seller-response deadlines, with 0 and ${int(result.notDue)} not-due open disputes (their deadlines: ${NOT_DUE_DEADLINES.join(', ')})`,
    body: [
      table(
        ['sweep', 'not-due disputes', 'timers fired', 'calls', 'by operation', 'Query calls', 'capacity units'],
        result.runs.map((run) => [run.label, int(run.notDue), run.processed, run.summary.calls, describeOperations(run.summary.byOperation), countOf(run.summary, 'Query'), fmt(run.summary.capacity)]),
        ['l', 'r', 'r', 'r', 'l', 'r', 'r'],
      ),
      [
        ...checks.map((check) => `${okMark(check.ok)} ${check.label}: ${check.queries.join(' vs ')} Query calls (and as many calls, beyond the sweep's own two per shard and calendar month spanned) with 0 and ${int(result.notDue)} not-due disputes.`),
        unexpected.length === 0
          ? `${okMark(true)} The measured sweeps fired exactly the ${result.due} due deadlines and each of those disputes is RESOLVED (auto-accepted: refunded); the catch-up sweeps fired nothing.`
          : `${okMark(false)} Unexpected: ${unexpected.map((run) => `${run.label} with ${run.notDue} not-due fired ${run.processed}`).join('; ')}.`,
        measured ? `Each due deadline costs ${perDeadline(measured, result.due)}: the reads that decide it (the dispute, then its order) and one transaction (dispute, timeline, order, ledger, refund record and the timers). The sweep itself: its shards' progress markers (one BatchGetItem first, a PutItem per shard last) and per shard and calendar month since its last run a one-item Query (the timer lag) and the Query of its work item, reading only timers positioned in that span (GSI3, partition DUE#<month>#<shard>, sort key = when the timer fires). The not-due disputes' timers sort after the sweep's instant and are never read.` : '',
        ...outageRuns.map((run) => `${okMark(countOf(run.summary, 'Query') === sweepOwnQueries(run.months))} After 15 days without a sweep (${int(run.notDue)} not-due): ${countOf(run.summary, 'Query')} Query call(s): two for each of the ${timerShards()} shards and ${run.months} calendar month(s) the span touched; with one Query per hour bucket it took 360 per partition.`),
        `Not-due disputes are their DISPUTE_DEADLINE timer items only (\`setTimer\`, BatchWriteItem: ${fmt(result.seedSeconds)} s for ${int(result.notDue)}), written 15 days before the disputes are opened and due over the 10 days after the measured instant; before each scenario every pending timer of earlier sections is deleted so that only this scenario's timers can fire.`,
      ].join('\n'),
    ],
  };
}
