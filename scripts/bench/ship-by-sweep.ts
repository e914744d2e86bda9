/**
 * The timers sweep against orders awaiting shipment: "reads ∝ due items" for the auto-cancel. 10 real
 * orders never shipped, whose ship-by time (placement + handling days + 3 days) comes due, with 0 and
 * with N other unshipped orders not yet due.
 *
 *   npx tsx scripts/bench/ship-by-sweep.ts [--not-due N]   (10,000 unless given)
 *
 * The N not-due orders are not built over HTTP (far too slow at 10,000): only what the sweep can see of
 * them is written — their SHIP_BY timer items, built by `setTimer` exactly as placing an order builds
 * them, written with BatchWriteItem, and deleted afterwards.
 *
 * Timeline of one scenario (platform clock, moved in-process):
 *   (before)  every pending timer left by earlier work is deleted (bench housekeeping, a Scan), so the
 *             sweep sees only this scenario's timers
 *   T         the N not-due timers written, due from T+10d+2h over the next 10 days; 10 orders placed
 *             (7 handling days: ship-by at T+10d) and never shipped; a sweep runs, so the next starts from T
 *   T+10d−1h  catch-up sweep: 239 hours since the last, nothing due yet
 *   T+10d+1h  the measured sweep; each due ship-by timer cancels its order and refunds it in full
 */
import { fileURLToPath } from 'node:url';
import { startLocalHost, type LocalHost } from '../../lib/local/host.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { newId } from '../../lambdas/platform/ids.js';
import { setTimer } from '../../lambdas/store/timers.js';
import { BenchClient, mapLimit, stringField } from './client.js';
import { countOf, describeOperations, recorded } from './recorder.js';
import { fmt, int, okMark, renderSection, table, type Section } from './report.js';
import { monthsSpanned, notDueChecks, withAndWithoutNotDue, type NotDueSweepRun } from './scaling.js';
import { batchDelete, batchPut, pendingTimerKeys, putItemsOf } from './seed.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** The default handling time (7 days) plus the 3 days after which an unshipped order is cancelled. */
const SHIP_BY_MS = 10 * DAY_MS;

export interface ShipBySweepResult {
  runs: NotDueSweepRun[];
  notDue: number;
  due: number;
  seedSeconds: number;
}

/** The SHIP_BY timer items of `count` orders awaiting shipment whose ship-by time is after `after`. */
function notDueTimers(count: number, after: number): Record<string, unknown>[] {
  const now = clock.nowIso();
  return Array.from({ length: count }, (_, i) => {
    const dueAt = new Date(after + (i % 240) * HOUR_MS + ((i * 37) % 60) * 60_000).toISOString();
    return putItemsOf([setTimer({ kind: 'SHIP_BY', entityId: newId('ord'), dueAt }, now)])[0] as Record<string, unknown>;
  });
}

async function scenario(host: LocalHost, client: BenchClient, notDue: number, due: number): Promise<{ runs: NotDueSweepRun[]; seedSeconds: number }> {
  await batchDelete(await pendingTimerKeys());
  const placedAt = clock.now().getTime();
  const seedStarted = performance.now();
  const seeded = notDueTimers(notDue, placedAt + SHIP_BY_MS + 2 * HOUR_MS);
  await batchPut(seeded);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const { seller, productId } = await client.sellerWithListing();
  const buyer = await client.actor('buyer');
  const orderIds = await mapLimit(Array.from({ length: due }), 4, () => client.placeOrder(buyer, productId));
  const start = clock.nowIso();
  await host.runJob('timers'); // the next sweep starts from here
  moveClock({ advanceByMs: placedAt + SHIP_BY_MS - HOUR_MS - clock.now().getTime() });
  const catchUpAt = clock.nowIso();
  const catchUp = await recorded(() => host.runJob('timers'));
  moveClock({ advanceByMs: 2 * HOUR_MS });
  const sweep = await recorded(() => host.runJob('timers'));

  const statuses = await Promise.all(orderIds.map(async (orderId) => stringField((await client.expect(200, 'GET', `/v1/orders/${orderId}`, { as: seller })).body, 'status')));
  await batchDelete(seeded.map((item) => ({ PK: String(item.PK), SK: String(item.SK) })));
  return {
    seedSeconds,
    runs: [
      { notDue, due, label: 'sweep with due ship-by timers (2 h since the last)', processed: sweep.result.processed, summary: sweep.summary, expected: sweep.result.processed === due && statuses.every((status) => status === 'CANCELLED'), months: monthsSpanned(catchUpAt, clock.nowIso()) },
      { notDue, due, label: 'catch-up sweep 10 d − 1 h after placing (239 hours since the last)', processed: catchUp.result.processed, summary: catchUp.summary, expected: catchUp.result.processed === 0, months: monthsSpanned(start, catchUpAt) },
    ],
  };
}

export async function measureShipBySweep(host: LocalHost, client: BenchClient, options: { notDue: number; due: number }): Promise<ShipBySweepResult> {
  const { runs, seedSeconds } = await withAndWithoutNotDue((notDue) => scenario(host, client, notDue, options.due), options.notDue);
  return { runs, notDue: options.notDue, due: options.due, seedSeconds };
}

export const shipBySweepChecks = (result: ShipBySweepResult) => notDueChecks(result.runs);

export function shipBySweepSection(result: ShipBySweepResult): Section {
  const unexpected = result.runs.filter((run) => !run.expected);
  return {
    title: `Timers sweep with orders awaiting shipment: ${result.due} due ship-by timers (auto-cancel), with 0 and ${int(result.notDue)} not-due unshipped orders`,
    body: [
      table(
        ['sweep', 'not-due orders', 'timers fired', 'calls', 'by operation', 'Query calls', 'capacity units'],
        result.runs.map((run) => [run.label, int(run.notDue), run.processed, run.summary.calls, describeOperations(run.summary.byOperation), countOf(run.summary, 'Query'), fmt(run.summary.capacity)]),
        ['l', 'r', 'r', 'r', 'l', 'r', 'r'],
      ),
      [
        ...shipBySweepChecks(result).map((check) => `${okMark(check.ok)} ${check.label}: ${check.queries.join(' vs ')} Query calls (and as many calls, beyond the sweep's own two per shard and calendar month spanned) with 0 and ${int(result.notDue)} not-due orders.`),
        unexpected.length === 0
          ? `${okMark(true)} The measured sweeps fired exactly the ${result.due} due ship-by timers and each of those orders is CANCELLED (refunded in full, a tracked refund); the catch-up sweeps fired nothing.`
          : `${okMark(false)} Unexpected: ${unexpected.map((run) => `${run.label} with ${run.notDue} not-due fired ${run.processed}`).join('; ')}.`,
        `Not-due orders are their SHIP_BY timer items only (\`setTimer\`, BatchWriteItem: ${fmt(result.seedSeconds)} s for ${int(result.notDue)}), due over the 10 days after the measured instant; they sort after the sweep's instant and are never read.`,
      ].join('\n'),
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flag = process.argv.indexOf('--not-due');
  const notDue = flag >= 0 ? Number(process.argv[flag + 1]) : 10_000;
  const host = await startLocalHost();
  try {
    const result = await measureShipBySweep(host, new BenchClient(host), { notDue, due: 10 });
    process.stdout.write(`${renderSection(shipBySweepSection(result))}\n`);
  } finally {
    await host.stop();
  }
}
