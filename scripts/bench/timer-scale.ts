/**
 * Timers at scale: a sweep that fires N due timers (10,000; 100,000 with --full) through the real path —
 * the scheduled job plans and sends a work item per shard, the timerShards worker fires each timer with
 * its service (EDIT_WINDOW: close a review's edit window and remove the timer, one transaction) — with 0
 * and with 10,000 not-due timers beside them. Reports calls, capacity units and time per 1,000 fired, and
 * one worker's rate on one shard (the input of docs/scale.md).
 *
 *   npx tsx scripts/bench/timer-scale.ts [--full]
 *
 * Timeline of one scenario (platform clock, moved in-process):
 *   (before)  the clock jumps 400 days ahead and a sweep fires whatever earlier scenarios left
 *   T         N reviews (version 0) and their EDIT_WINDOW timers due over the next hour, positioned at their
 *             deadlines as `setTimer` places them, written with BatchWriteItem; the not-due timers (half
 *             EDIT_WINDOW, half PENALTY_EXPIRY), due from T+2d over 10 days
 *   T+1h+1m   the measured sweep (`host.runJob('timers')`: plan, fan out, workers)
 */
import { fileURLToPath } from 'node:url';
import { startLocalHost, type LocalHost } from '../../lib/local/host.js';
import { planSweep, sweepShard } from '../../lambdas/jobs/timers.js';
import { clock, moveClock } from '../../lambdas/platform/clock.js';
import { reviewEntity } from '../../lambdas/store/reviews.js';
import { setTimer, timerKey, timerShards, type Timer } from '../../lambdas/store/timers.js';
import { countOf, describeOperations, recorded, type CallSummary } from './recorder.js';
import { sweepOwnQueries } from './scaling.js';
import { fmt, int, okMark, renderSection, table, type Section } from './report.js';
import { batchDelete, batchPut, putItemsOf, type TableKey } from './seed.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export interface TimerScaleRun {
  due: number;
  notDue: number;
  fired: number;
  /** Sweeps until one fired nothing (the last fires nothing; more than 2 when a worker ran out of time). */
  runs: number;
  seconds: number;
  seedSeconds: number;
  summary: CallSummary;
}

export interface WorkerRate {
  timers: number;
  seconds: number;
}

export interface TimerScaleResult {
  shards: number;
  runs: TimerScaleRun[];
  worker: WorkerRate;
}

const at = (base: number, plusMs: number) => new Date(base + plusMs).toISOString();
let run = 0;

/** N reviews with an open edit window and their timers due over the hour after `start`, plus the not-due timers. */
async function seed(due: number, notDue: number, start: number): Promise<TableKey[]> {
  const prefix = `rev_scale${Date.now()}r${run++}x`;
  const now = at(start, 0);
  const timer = (i: number, dueAt: string): Timer => ({ kind: 'EDIT_WINDOW', entityId: `${prefix}${i}`, dueAt });
  await batchPut(Array.from({ length: due }, (_, i) => ({ ...reviewEntity.key({ reviewId: `${prefix}${i}` }), version: 0 })));
  await batchPut(putItemsOf(Array.from({ length: due }, (_, i) => setTimer(timer(i, at(start, 1000 + Math.floor((i * HOUR_MS) / due))), now))));
  // Half of the not-due timers are penalty expiries (one per penalty entry, issue 10), in the same shards
  // and months as the edit windows: the sweep must read none of them either.
  const notDueTimers = Array.from({ length: notDue }, (_, i): Timer => {
    const dueAt = at(start, 2 * DAY_MS + Math.floor((i * 10 * DAY_MS) / Math.max(1, notDue)));
    return i % 2 === 0 ? timer(due + i, dueAt) : { kind: 'PENALTY_EXPIRY', entityId: `seller-scale#pen_${prefix}${i}`, dueAt, payload: { sellerId: 'seller-scale', entryId: `pen_${prefix}${i}`, createdAt: now } };
  });
  await batchPut(putItemsOf(notDueTimers.map((item) => setTimer(item, now))));
  return notDueTimers.map((item) => timerKey(item.kind, item.entityId));
}

async function scenario(host: LocalHost, due: number, notDue: number, progress: (line: string) => void): Promise<TimerScaleRun> {
  moveClock({ advanceByMs: 400 * DAY_MS });
  await host.runJob('timers');
  const start = Date.parse(clock.nowIso());
  const seeding = performance.now();
  const notDueKeys = await seed(due, notDue, start);
  const seedSeconds = (performance.now() - seeding) / 1000;
  progress(`  seeded ${int(due)} due and ${int(notDue)} not-due timers in ${fmt(seedSeconds)} s; sweeping`);
  moveClock({ now: new Date(start + HOUR_MS + 60_000) });
  const sweeping = performance.now();
  // A worker stops before its timeout and the next scheduled run goes on from there: sweep until one fires nothing.
  const { result, summary } = await recorded(async () => {
    let fired = 0;
    let runs = 0;
    for (let last = -1; last !== 0 && runs < 50; runs++) {
      last = (await host.runJob('timers')).processed;
      fired += last;
    }
    return { fired, runs };
  });
  // The not-due timers would come due in the next scenario (400 days on) and cost it minutes: remove them.
  await batchDelete(notDueKeys);
  return { due, notDue, fired: result.fired, runs: result.runs, seconds: (performance.now() - sweeping) / 1000, seedSeconds, summary };
}

/** One worker on one shard's work item, alone: the rate docs/scale.md sizes the worker concurrency with. */
async function workerRate(host: LocalHost, timers: number): Promise<WorkerRate> {
  moveClock({ advanceByMs: 400 * DAY_MS });
  await host.runJob('timers');
  const start = Date.parse(clock.nowIso());
  await seed(timers * timerShards(), 0, start);
  moveClock({ now: new Date(start + HOUR_MS + 60_000) });
  const { work } = await planSweep(clock.nowIso());
  const started = performance.now();
  const swept = await sweepShard(work[0]!);
  const seconds = (performance.now() - started) / 1000;
  await host.runJob('timers'); // the other shards
  return { timers: swept.processed, seconds };
}

export async function measureTimerScale(host: LocalHost, options: { due: readonly number[]; notDue: number; progress?: (line: string) => void }): Promise<TimerScaleResult> {
  const progress = options.progress ?? (() => undefined);
  const runs: TimerScaleRun[] = [];
  for (const due of options.due) {
    for (const notDue of [0, options.notDue]) {
      progress(`timers at scale: ${int(due)} due, ${int(notDue)} not due`);
      runs.push(await scenario(host, due, notDue, progress));
    }
  }
  progress('timers at scale: one worker on one shard');
  const worker = await workerRate(host, 1000);
  return { shards: timerShards(), runs, worker };
}

const per1000 = (value: number, fired: number) => fmt((value * 1000) / Math.max(1, fired));

export function timerScaleSection(result: TimerScaleResult): Section {
  // Each sweep's own calls (markers, probes, shard Queries and markers) depend on how many sweeps the
  // machine's speed took, not on the timers: compare what is left beyond them, and the Queries per sweep.
  const own = (run: TimerScaleRun) => countOf(run.summary, 'BatchGetItem') + countOf(run.summary, 'PutItem') + countOf(run.summary, 'Query');
  const flat = [...new Set(result.runs.map((run) => run.due))].map((due) => {
    const pair = result.runs.filter((run) => run.due === due);
    const calls = pair.map((run) => run.summary.calls - own(run));
    const queriesPerSweep = pair.map((run) => countOf(run.summary, 'Query') / run.runs);
    return { due, calls, queriesPerSweep, ok: new Set(calls).size === 1 && queriesPerSweep.every((queries) => queries === sweepOwnQueries(1)) };
  });
  const allFired = result.runs.every((run) => run.fired === run.due);
  const rate = result.worker.timers / result.worker.seconds;
  return {
    title: `Timers at scale: ${result.runs.map((run) => int(run.due)).filter((value, index, all) => all.indexOf(value) === index).join(' and ')} due timers fired by one sweep (${result.shards} shards), with 0 and ${int(result.runs[1]?.notDue ?? 0)} not due`,
    body: [
      table(
        ['due', 'not due', 'fired', 'sweeps', 'seconds', 'calls', 'by operation', 'capacity units', 'calls / 1,000', 'units / 1,000', 'seconds / 1,000'],
        result.runs.map((run) => [int(run.due), int(run.notDue), int(run.fired), run.runs, fmt(run.seconds), int(run.summary.calls), describeOperations(run.summary.byOperation), fmt(run.summary.capacity), per1000(run.summary.calls, run.fired), per1000(run.summary.capacity, run.fired), per1000(run.seconds, run.fired)]),
        ['r', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'r'],
      ),
      [
        `${okMark(allFired)} Every scenario fired exactly its due timers (each closed its review's edit window and removed the timer in one transaction). Sweeps: runs of the job until one fired nothing (that last, empty one is counted in calls and time); more than 2 means a worker reached its time budget and the next run went on.`,
        ...flat.map((check) => `${okMark(check.ok)} ${int(check.due)} due: ${check.calls.map(int).join(' vs ')} calls beyond the sweeps' own, and ${check.queriesPerSweep.map((queries) => fmt(queries)).join(' vs ')} Queries per sweep (2 per shard), with 0 and ${int(result.runs[1]?.notDue ?? 0)} not-due timers: the not-due ones sort after the sweep's instant and are never read.`),
        `One worker alone on one shard's work item fired ${int(result.worker.timers)} timers in ${fmt(result.worker.seconds, 2)} s: ${fmt(rate, 0)} timers/s (10 firings in flight; the local engines serialise transactions on shared cores, so this is a floor for Lambda against DynamoDB). Sizing: docs/scale.md.`,
        'Per timer: its page share of the Query, one TransactWriteItems (the review update and the timer delete). dynalite reports capacity for the base table only: each fired timer also deletes its GSI3 entry (1 write unit on DynamoDB).',
      ].join('\n'),
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const full = process.argv.includes('--full');
  const started = performance.now();
  const progress = (line: string) => process.stderr.write(`[timer-scale ${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
  const host = await startLocalHost();
  try {
    const result = await measureTimerScale(host, { due: process.env.TIMER_SCALE_DUE ? [Number(process.env.TIMER_SCALE_DUE)] : full ? [10_000, 100_000] : [10_000], notDue: 10_000, progress });
    process.stdout.write(`${renderSection(timerScaleSection(result))}\n`);
  } finally {
    await host.stop();
  }
}
