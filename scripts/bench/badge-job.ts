/**
 * The daily badge job against the number of sellers (issue 11: "∝ those sellers, not all sellers"): a run
 * with no seller, with 10,000 idle sellers (counters, stored badges, no mark), with a few of them marked,
 * and again once they were recomputed. The idle runs should cost the same calls; the marked run a fixed
 * few calls per marked seller.
 *
 * Seeding: each seller's profile, one counter shard of this month (30 shipments, none late) and the
 * badges the job would store for it (FAST_SHIPPER, its reason, the next month boundary) are built by the
 * store's entities and written with BatchWriteItem; the marks by `markReputationDirty`, as a counting
 * transaction writes them. The job runs in this process (`runBadgeJob`), so its calls are recorded.
 *
 *   npx tsx scripts/bench/badge-job.ts [--idle N] [--marked N]   runs this section alone
 */
import { fileURLToPath } from 'node:url';
import { startLocalHost, type LocalHost } from '../../lib/local/host.js';
import { badgesOf, reputationOf, windowMovesAt } from '../../lambdas/domain/reputation.js';
import { runBadgeJob, type BadgeRun } from '../../lambdas/jobs/badges.js';
import { clock } from '../../lambdas/platform/clock.js';
import { markReputationDirty, sellerBadgesEntity } from '../../lambdas/store/reputation-badges.js';
import { sellerProfileEntity, sellerStatsShards } from '../../lambdas/store/sellers.js';
import { transact } from '../../lambdas/store/transactions.js';
import { numberOption } from './client.js';
import { describeOperations, recorded, type CallSummary } from './recorder.js';
import { fmt, int, okMark, renderSection, table, type Section } from './report.js';
import { batchPut } from './seed.js';

export interface BadgeJobRun {
  label: string;
  sellers: number;
  marked: number;
  run: BadgeRun;
  summary: CallSummary;
}

export interface BadgeJobResult {
  idle: number;
  marked: number;
  runs: BadgeJobRun[];
  seedSeconds: number;
}

/** Seeds `count` idle sellers whose stored badges are what the job would compute now. */
async function seedIdleSellers(count: number): Promise<string[]> {
  const now = clock.nowIso();
  const month = now.slice(0, 7);
  const counters = { shipments: 30, lateShipments: 0 };
  const months = [{ ...sellerStatsShards.sum([]), ...counters, month }];
  const badges = badgesOf(reputationOf(months, now), false);
  const run = Date.now();
  const sellerIds = Array.from({ length: count }, (_, i) => `sel_badgebench${run}x${i}`);
  await batchPut(
    sellerIds.flatMap((sellerId) => [
      sellerProfileEntity.item({ sellerId, storeName: `Idle shop ${sellerId}`, country: 'DE', createdAt: now, updatedAt: now, ordersBlockedUntil: null, closedAt: null }),
      { ...sellerStatsShards.entity.key({ sellerId, month, shard: 0 }), entity: 'sellerStats', ...counters },
      sellerBadgesEntity.item({ sellerId, badges, computedAt: now, windowMovesAt: windowMovesAt(months, now), version: 1 }),
    ]),
  );
  return sellerIds;
}

async function measured(label: string, sellers: number, marked: number): Promise<BadgeJobRun> {
  const { result, summary } = await recorded(runBadgeJob);
  return { label, sellers, marked, run: result, summary };
}

export async function measureBadgeJob(host: LocalHost, options: { idle: number; marked: number }): Promise<BadgeJobResult> {
  await host.runJob('badges'); // marks left by earlier sections: this section's runs start from none
  const runs: BadgeJobRun[] = [await measured('no seller marked, no idle seller seeded', 0, 0)];
  const seedStarted = performance.now();
  const sellerIds = await seedIdleSellers(options.idle);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  runs.push(await measured(`${int(options.idle)} idle sellers, none marked`, options.idle, 0));
  for (const sellerId of sellerIds.slice(0, options.marked)) await transact([markReputationDirty(sellerId, sellerId)]);
  runs.push(await measured(`${int(options.idle)} sellers, ${options.marked} marked (badges unchanged)`, options.idle, options.marked));
  runs.push(await measured('the same, run again', options.idle, 0));
  return { idle: options.idle, marked: options.marked, runs, seedSeconds };
}

/** Idle runs cost the same calls; the marked run a fixed number of calls more per marked seller, and rewrites nothing. */
export function badgeJobChecks(result: BadgeJobResult): { ok: boolean; text: string } {
  const idleRuns = result.runs.filter((run) => run.marked === 0);
  const idleCalls = new Set(idleRuns.map((run) => run.summary.calls));
  const markedRun = result.runs.find((run) => run.marked > 0);
  const base = idleRuns[0]?.summary.calls ?? 0;
  const perMarked = markedRun && markedRun.marked > 0 ? (markedRun.summary.calls - base) / markedRun.marked : 0;
  const ok = idleCalls.size === 1 && idleRuns.every((run) => run.run.processed === 0) && !!markedRun && markedRun.run.processed === markedRun.marked && markedRun.run.changed === 0 && Number.isInteger(perMarked);
  return { ok, text: `${[...idleCalls].join(' vs ')} calls with 0 and ${int(result.idle)} idle sellers; +${fmt(perMarked, 0)} calls per marked seller` };
}

export function badgeJobSection(result: BadgeJobResult): Section {
  const check = badgeJobChecks(result);
  return {
    title: `Badge job: 0 vs ${int(result.idle)} idle sellers`,
    body: [
      table(
        ['run', 'sellers', 'marked', 'recomputed', 'rewritten', 'calls', 'by operation', 'capacity units'],
        result.runs.map((run) => [run.label, int(run.sellers), run.marked, run.run.processed, run.run.changed, run.summary.calls, describeOperations(run.summary.byOperation), fmt(run.summary.capacity)]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'r'],
      ),
      [
        `${okMark(check.ok)} ∝ marked sellers: ${check.text}. The job reads only the sparse index of marks (one Query per counter shard, empty or not); a marked seller costs its profile Query, its verification GetItem and one write that clears its mark if no count replaced it (a conditional DeleteItem; a transaction with the badges and the window's timer only when they changed).`,
        `Seeded, not written through HTTP (${fmt(result.seedSeconds)} s): profile, one counter shard and the badges the job would store, per seller, with BatchWriteItem; marks as a counting transaction writes them (see the introduction of scripts/bench/badge-job.ts).`,
      ].join('\n'),
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const host = await startLocalHost();
  try {
    const result = await measureBadgeJob(host, { idle: numberOption('--idle', 10_000), marked: numberOption('--marked', 10) });
    process.stdout.write(`${renderSection(badgeJobSection(result))}\n`);
  } finally {
    await host.stop();
  }
}
