/**
 * Cost scaling: the timers sweep must read only what is due, and an order list page must cost the
 * same whatever the buyer's history. Each scenario builds its orders over HTTP, then measures with the
 * recorder while nothing else runs.
 *
 * Timeline of one sweep scenario (platform clock, moved in-process like POST /local/clock does):
 *   (before)  the clock jumps 60 days ahead and a sweep fires every timer earlier work left behind
 *             (e.g. review windows of orders confirmed before), so only this scenario's timers remain
 *   T         orders placed and shipped (due ones: 15-day protection; not-due ones: 120 days); a sweep
 *             runs, so the next one starts from T
 *   T+15d−1h  catch-up sweep: 359 hours since the last run (one or two calendar months), nothing due yet
 *   T+15d+1h  the measured sweep: 2 hours since the last, the due orders auto-confirm
 */
import type { LocalHost } from '../../lib/local/host.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { timerShards } from '../../lambdas/store/timers.js';
import { mapLimit, stringField, type Actor, type BenchClient } from './client.js';
import { countOf, describeOperations, recorded, type CallSummary } from './recorder.js';
import { fmt, okMark, table, type Section } from './report.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** Concurrent HTTP requests while building data (transactions are serialised by the local engine anyway). */
const BUILD_CONCURRENCY = 4;
/** Timers left by earlier work are all due within this; a sweep after this jump clears them. */
const LEFTOVER_HORIZON_MS = 60 * DAY_MS;

export interface SweepRun {
  notDue: number;
  due: number;
  label: string;
  processed: number;
  summary: CallSummary;
  /** Whether exactly the due orders were auto-confirmed (for the measured sweep; true for the catch-up). */
  firedTheDueOnes: boolean;
  /** Calendar months from the previous sweep (less its 15-minute settle margin) to this one: one Query each. */
  months: number;
}

/** The calendar months a sweep reads after one at `previous`: from the previous less the settle margin, to `now`. */
export function monthsSpanned(previous: string, now: string): number {
  const from = new Date(new Date(previous).getTime() - 15 * 60_000);
  const to = new Date(now);
  return (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth() + 1;
}

/**
 * The Queries a sweep makes whatever is due, over `months` calendar months: per shard and month one to
 * plan (a one-item probe for the timer lag; it stops at the first month holding a due timer) and one to
 * sweep. Exact when nothing is due, an upper bound otherwise.
 */
export const sweepOwnQueries = (months: number): number => 2 * timerShards() * months;

export interface ListRun {
  label: string;
  ordersOwned: number;
  items: number;
  summary: CallSummary;
}

export interface ScalingResult {
  sweeps: SweepRun[];
  lists: ListRun[];
  buildSeconds: number;
  notDue: number;
}

interface Party {
  seller: Actor;
  buyer: Actor;
  orderIds: string[];
}

/**
 * A seller whose listing has `protectionDays`, and a buyer with `count` shipped orders of it. Delivery is
 * estimated a minute after each shipment, so protection ends after `protectionDays` (it never ends
 * before the estimate + 15 days).
 */
async function shippedOrders(client: BenchClient, count: number, protectionDays: number): Promise<Party> {
  const { seller, productId } = await client.sellerWithListing({ guarantee: { returnable: true, protectionDays } });
  const buyer = await client.actor('buyer');
  const orderIds = await mapLimit(Array.from({ length: count }), BUILD_CONCURRENCY, () => client.placeOrder(buyer, productId));
  await mapLimit(orderIds, BUILD_CONCURRENCY, (orderId) => client.ship(seller, orderId, new Date(clock.now().getTime() + 60_000).toISOString()));
  return { seller, buyer, orderIds };
}

async function listPage(client: BenchClient, label: string, as: Actor, ordersOwned: number, cursor?: string): Promise<{ run: ListRun; nextCursor: string | undefined }> {
  const path = `/v1/orders?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const { result, summary } = await recorded(() => client.expect(200, 'GET', path, { as }));
  const items = Array.isArray(result.body.items) ? result.body.items.length : 0;
  const next = result.body.nextCursor;
  return { run: { label, ordersOwned, items, summary }, nextCursor: typeof next === 'string' ? next : undefined };
}

async function sweepScenario(host: LocalHost, client: BenchClient, notDue: number, due: number, lists: ListRun[]): Promise<SweepRun[]> {
  moveClock({ advanceByMs: LEFTOVER_HORIZON_MS });
  await host.runJob('timers');
  const long = notDue > 0 ? await shippedOrders(client, notDue, 120) : undefined;
  const soon = await shippedOrders(client, due, 15);

  if (long) {
    // List scaling on the same data: a buyer with `due` orders and one with `notDue` orders.
    lists.push((await listPage(client, `buyer with ${due} orders, first page`, soon.buyer, due)).run);
    const first = await listPage(client, `buyer with ${notDue} orders, first page`, long.buyer, notDue);
    lists.push(first.run);
    if (first.nextCursor) lists.push((await listPage(client, `buyer with ${notDue} orders, second page (cursor)`, long.buyer, notDue, first.nextCursor)).run);
    lists.push((await listPage(client, `seller with ${notDue} orders, first page`, long.seller, notDue)).run);
  }

  const start = clock.nowIso();
  await host.runJob('timers'); // the next sweep starts from here
  moveClock({ advanceByMs: 15 * DAY_MS - HOUR_MS });
  const catchUpAt = clock.nowIso();
  const catchUp = await recorded(() => host.runJob('timers'));
  moveClock({ advanceByMs: 2 * HOUR_MS });
  const sweep = await recorded(() => host.runJob('timers'));

  const statuses = await Promise.all(soon.orderIds.map(async (orderId) => stringField((await client.expect(200, 'GET', `/v1/orders/${orderId}`, { as: soon.buyer })).body, 'status')));
  const firedTheDueOnes = sweep.result.processed === due && statuses.every((status) => status === 'COMPLETED');
  return [
    { notDue, due, label: 'sweep with due timers (2 h since the last)', processed: sweep.result.processed, summary: sweep.summary, firedTheDueOnes, months: monthsSpanned(catchUpAt, clock.nowIso()) },
    { notDue, due, label: 'catch-up sweep after 15 d − 1 h without one', processed: catchUp.result.processed, summary: catchUp.summary, firedTheDueOnes: catchUp.result.processed === 0, months: monthsSpanned(start, catchUpAt) },
  ];
}

export async function measureScaling(host: LocalHost, client: BenchClient, options: { notDue: number; due: number }): Promise<ScalingResult> {
  const started = performance.now();
  const lists: ListRun[] = [];
  const sweeps = [...(await sweepScenario(host, client, 0, options.due, lists)), ...(await sweepScenario(host, client, options.notDue, options.due, lists))];
  return { sweeps, lists, notDue: options.notDue, buildSeconds: (performance.now() - started) / 1000 };
}

/** Per kind of sweep: the Query calls with each number of not-due orders, equal or not. */
export function sweepChecks(result: ScalingResult): { label: string; queries: number[]; ok: boolean; text: string }[] {
  const byLabel = new Map<string, SweepRun[]>();
  for (const run of result.sweeps) byLabel.set(run.label, [...(byLabel.get(run.label) ?? []), run]);
  return [...byLabel.entries()].map(([label, runs]) => {
    const queries = runs.map((run) => countOf(run.summary, 'Query'));
    // Two Queries per shard and calendar month spanned are the sweep's own; the rest must not move with not-due orders.
    const ok = new Set(runs.map((run) => countOf(run.summary, 'Query') - sweepOwnQueries(run.months))).size === 1;
    return { label, queries, ok, text: `${okMark(ok)} ${label}: ${queries.join(' vs ')} Query calls with ${runs.map((run) => run.notDue).join(' and ')} not-due orders (calendar months spanned: ${runs.map((run) => run.months).join(' and ')}).` };
  });
}

export function sweepSection(result: ScalingResult): Section {
  const checks = sweepChecks(result).map((check) => check.text);
  const misfired = result.sweeps.filter((run) => !run.firedTheDueOnes);
  checks.push(
    misfired.length === 0
      ? `${okMark(true)} Each measured sweep auto-confirmed exactly its ${result.sweeps[0]?.due ?? 0} due orders; no catch-up sweep fired anything.`
      : `${okMark(false)} Unexpected firings: ${misfired.map((run) => `${run.label} with ${run.notDue} not-due orders fired ${run.processed}`).join('; ')}.`,
  );
  return {
    title: `Timers sweep (\`host.runJob('timers')\`): ${result.sweeps[0]?.due ?? 0} due orders, with 0 and ${result.notDue} not-due shipped orders`,
    body: [
      table(
        ['sweep', 'not-due orders', 'timers fired', 'calls', 'by operation', 'Query calls', 'capacity units'],
        result.sweeps.map((run) => [run.label, run.notDue, run.processed, run.summary.calls, describeOperations(run.summary.byOperation), countOf(run.summary, 'Query'), fmt(run.summary.capacity)]),
        ['l', 'r', 'r', 'r', 'l', 'r', 'r'],
      ),
      [
        ...checks,
        `The sweep reads the ${timerShards()} shards' progress markers (one BatchGetItem), probes each shard for its oldest due timer (the timer lag: one one-item Query per shard and month), and sends one work item per shard to the timerShards queue; each worker reads one Query per calendar month of its shard since its last run, only the timers positioned between its last run and now, and writes its marker (PutItem). Each due order then costs its auto-confirmation (GetItem + TransactWriteItems). Not-due orders are never read: their timers sort after the sweep\'s instant in the sparse GSI3.`,
        'On schedule (every 5 minutes) a sweep reads one month per shard (two in the first 15 minutes of a month); the catch-up row shows that a long pause costs no more (it took one Query per hour bucket, 360, before month partitions). dynalite reports 0 units for a Query that finds nothing, where DynamoDB rounds every read request up to at least one 4 KB unit (0.5 eventually consistent). Timers at 100,000: docs/scale.md.',
      ].join('\n'),
    ],
  };
}

export function listSection(result: ScalingResult): Section {
  const firstPages = result.lists.filter((run) => run.label.includes('first page') && run.label.startsWith('buyer'));
  const sameCalls = new Set(firstPages.map((run) => run.summary.calls)).size === 1;
  return {
    title: '`GET /v1/orders?limit=20`: cost against the size of the history',
    body: [
      table(
        ['request', 'orders owned', 'items returned', 'calls', 'by operation', 'capacity units'],
        result.lists.map((run) => [run.label, run.ordersOwned, run.items, run.summary.calls, describeOperations(run.summary.byOperation), fmt(run.summary.capacity)]),
        ['l', 'r', 'r', 'r', 'l', 'r'],
      ),
      `${okMark(sameCalls)} The first page costs ${[...new Set(firstPages.map((run) => run.summary.calls))].join(' vs ')} call(s) whatever the history; capacity follows the bytes of the page returned (at most \`limit\` orders, eventually consistent GSI reads), not the number of orders the buyer has.`,
    ],
  };
}

/** One sweep of a "0 vs N not-due" scenario (dispute deadlines, ship-by timers). */
export interface NotDueSweepRun {
  notDue: number;
  due: number;
  label: string;
  processed: number;
  summary: CallSummary;
  /** The measured sweep fired exactly the due timers; a catch-up sweep fired nothing. */
  expected: boolean;
  /** Calendar months from the previous sweep to this one: the sweep's own Queries, two per shard each. */
  months: number;
}

/** Runs a scenario with 0 and with `notDue` not-due items, the seeding time of the second. */
export async function withAndWithoutNotDue(scenario: (notDue: number) => Promise<{ runs: NotDueSweepRun[]; seedSeconds: number }>, notDue: number) {
  const without = await scenario(0);
  const withMany = await scenario(notDue);
  return { runs: [...without.runs, ...withMany.runs], seedSeconds: withMany.seedSeconds };
}

/**
 * Per kind of sweep: its Query calls with 0 and with N not-due items, and whether they (and all its
 * calls), beyond the sweep's own two Queries per shard and calendar month spanned, are the same.
 */
export function notDueChecks(runs: NotDueSweepRun[]): { label: string; queries: number[]; ok: boolean }[] {
  const labels = [...new Set(runs.map((run) => run.label))];
  return labels.map((label) => {
    const same = runs.filter((run) => run.label === label);
    const beyondOwn = (run: NotDueSweepRun, count: number) => count - sweepOwnQueries(run.months);
    return {
      label,
      queries: same.map((run) => countOf(run.summary, 'Query')),
      ok: new Set(same.map((run) => beyondOwn(run, countOf(run.summary, 'Query')))).size === 1 && new Set(same.map((run) => beyondOwn(run, run.summary.calls))).size === 1,
    };
  });
}
