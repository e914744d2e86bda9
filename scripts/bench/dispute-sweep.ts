/**
 * The timers sweep against open disputes: "reads ∝ due items". 10 real disputes whose seller-response
 * deadline comes due, with 0 and with N other open disputes whose deadlines are not due.
 *
 * The N not-due disputes are not built over HTTP (far too slow at 10,000): only what the sweep can see
 * of them is written — their DISPUTE_DEADLINE timer items, built by `setTimer` exactly as opening a
 * dispute builds them, written with BatchWriteItem into later hour buckets, and deleted afterwards.
 *
 * Timeline of one scenario (platform clock, moved in-process):
 *   (before)  every pending timer left by earlier sections is deleted (bench housekeeping, a Scan), so the
 *             sweep sees only this scenario's timers
 *   T         10 orders placed and shipped (120-day protection), a dispute opened on each over HTTP (seller
 *             response due at T+5d); the N not-due timers written, due from T+5d+2h over the next 10
 *             days; a sweep runs, so the next one starts from T's hour
 *   T+5d−1h   catch-up sweep: 120 hour buckets, nothing due yet
 *   T+5d+1h   the measured sweep: 3 hour buckets; each due deadline auto-accepts its dispute (a refund)
 */
import type { LocalHost } from '../../lib/local/host.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { newId } from '../../lambdas/platform/ids.js';
import { setTimer } from '../../lambdas/store/timers.js';
import { mapLimit, stringField, usd, type BenchClient } from './client.js';
import { countOf, describeOperations, recorded, type CallSummary } from './recorder.js';
import { fmt, int, okMark, table, type Section } from './report.js';
import { batchDelete, batchPut, pendingTimerKeys, putItemsOf, type TableKey } from './seed.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const RESPONSE_MS = 5 * DAY_MS;

export interface DisputeSweepRun {
  notDue: number;
  due: number;
  label: string;
  processed: number;
  summary: CallSummary;
  /** The measured sweep resolved exactly the due disputes; a catch-up sweep fired nothing. */
  expected: boolean;
}

export interface DisputeSweepResult {
  runs: DisputeSweepRun[];
  notDue: number;
  due: number;
  seedSeconds: number;
}

/** The timer items of `count` open disputes whose seller-response deadline is after `after`. */
function notDueTimers(count: number, after: number): { items: Record<string, unknown>[]; keys: TableKey[] } {
  const now = clock.nowIso();
  const items = Array.from({ length: count }, (_, i) => {
    const disputeId = newId('dsp');
    const dueAt = new Date(after + (i % 240) * HOUR_MS + ((i * 37) % 60) * 60_000).toISOString();
    return putItemsOf([setTimer({ kind: 'DISPUTE_DEADLINE', entityId: `${disputeId}#sellerResponse`, dueAt, payload: { disputeId, deadline: 'sellerResponse' } }, now)])[0] as Record<string, unknown>;
  });
  return { items, keys: items.map((item) => ({ PK: String(item.PK), SK: String(item.SK) })) };
}

async function scenario(host: LocalHost, client: BenchClient, notDue: number, due: number): Promise<{ runs: DisputeSweepRun[]; seedSeconds: number }> {
  await batchDelete(await pendingTimerKeys());
  const { seller, productId } = await client.sellerWithListing({ guarantee: { returnable: true, protectionDays: 120 } });
  const buyer = await client.actor('buyer');
  const opened = clock.now().getTime();
  const disputeIds = await mapLimit(Array.from({ length: due }), 4, async () => {
    const orderId = await client.shippedOrder(seller, buyer, [productId]);
    const body = { reason: 'NOT_AS_DESCRIBED', request: { type: 'REFUND', amount: usd(2450) }, description: 'The colour and the size differ from the listing photos.', evidence: [] };
    return stringField((await client.expect(201, 'POST', `/v1/orders/${orderId}/disputes`, { as: buyer, body })).body, 'disputeId');
  });
  const seedStarted = performance.now();
  const seeded = notDueTimers(notDue, opened + RESPONSE_MS + 2 * HOUR_MS);
  await batchPut(seeded.items);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  await host.runJob('timers'); // the next sweep starts from this hour
  moveClock({ advanceByMs: opened + RESPONSE_MS - HOUR_MS - clock.now().getTime() });
  const catchUp = await recorded(() => host.runJob('timers'));
  moveClock({ advanceByMs: 2 * HOUR_MS });
  const sweep = await recorded(() => host.runJob('timers'));

  const statuses = await Promise.all(disputeIds.map(async (disputeId) => stringField((await client.expect(200, 'GET', `/v1/disputes/${disputeId}`, { as: buyer })).body, 'status')));
  await batchDelete(seeded.keys);
  return {
    seedSeconds,
    runs: [
      { notDue, due, label: 'sweep with due deadlines (3 hour buckets)', processed: sweep.result.processed, summary: sweep.summary, expected: sweep.result.processed === due && statuses.every((status) => status === 'RESOLVED') },
      { notDue, due, label: 'catch-up sweep 5 d − 1 h after opening (120 hour buckets)', processed: catchUp.result.processed, summary: catchUp.summary, expected: catchUp.result.processed === 0 },
    ],
  };
}

export async function measureDisputeSweep(host: LocalHost, client: BenchClient, options: { notDue: number; due: number }): Promise<DisputeSweepResult> {
  const without = await scenario(host, client, 0, options.due);
  const withMany = await scenario(host, client, options.notDue, options.due);
  return { runs: [...without.runs, ...withMany.runs], notDue: options.notDue, due: options.due, seedSeconds: withMany.seedSeconds };
}

/** Per kind of sweep: the Query calls with 0 and with N not-due disputes, equal or not. */
export function disputeSweepChecks(result: DisputeSweepResult): { label: string; queries: number[]; ok: boolean }[] {
  const labels = [...new Set(result.runs.map((run) => run.label))];
  return labels.map((label) => {
    const runs = result.runs.filter((run) => run.label === label);
    const queries = runs.map((run) => countOf(run.summary, 'Query'));
    return { label, queries, ok: new Set(queries).size === 1 && new Set(runs.map((run) => run.summary.calls)).size === 1 };
  });
}

/** The measured sweep's calls minus its own (marker GetItem and PutItem, one Query per bucket), per due deadline. */
function perDeadline(run: DisputeSweepRun, due: number): string {
  const own: Record<string, number> = { GetItem: 1, PutItem: 1, Query: countOf(run.summary, 'Query') };
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
  return {
    title: `Timers sweep with open disputes: ${result.due} due seller-response deadlines, with 0 and ${int(result.notDue)} not-due open disputes`,
    body: [
      table(
        ['sweep', 'not-due disputes', 'timers fired', 'calls', 'by operation', 'Query calls', 'capacity units'],
        result.runs.map((run) => [run.label, int(run.notDue), run.processed, run.summary.calls, describeOperations(run.summary.byOperation), countOf(run.summary, 'Query'), fmt(run.summary.capacity)]),
        ['l', 'r', 'r', 'r', 'l', 'r', 'r'],
      ),
      [
        ...checks.map((check) => `${okMark(check.ok)} ${check.label}: ${check.queries.join(' vs ')} Query calls (and the same number of calls) with 0 and ${int(result.notDue)} not-due disputes.`),
        unexpected.length === 0
          ? `${okMark(true)} The measured sweeps fired exactly the ${result.due} due deadlines and each of those disputes is RESOLVED (auto-accepted: refunded); the catch-up sweeps fired nothing.`
          : `${okMark(false)} Unexpected: ${unexpected.map((run) => `${run.label} with ${run.notDue} not-due fired ${run.processed}`).join('; ')}.`,
        measured ? `Each due deadline costs ${perDeadline(measured, result.due)}: the reads that decide it (the dispute, then its order) and one transaction (dispute, timeline, order, ledger, refund record and the timers). The sweep itself: its progress marker (GetItem first, PutItem last) and one Query per hour bucket since the last run. The not-due disputes' timers sit in later hour buckets of GSI3 and are never read.` : '',
        `Not-due disputes are their DISPUTE_DEADLINE timer items only (\`setTimer\`, BatchWriteItem: ${fmt(result.seedSeconds)} s for ${int(result.notDue)}), due over the 10 days after the measured instant; before each scenario every pending timer of earlier sections is deleted so that only this scenario's timers can fire.`,
      ].join('\n'),
    ],
  };
}
