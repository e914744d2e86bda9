/**
 * The daily badge job (EventBridge, once a day): recomputes the badges of the sellers marked since the
 * last run (a count in store/sellers.ts countForSeller, a verification decision, or a BADGES_WINDOW timer
 * when the figures' window moved), reading only the sparse index of marks: its work is proportional to
 * the marked sellers, never to all sellers (decision 022). Safe to run twice or concurrently: a seller
 * whose badges did not change is not rewritten, and a mark is cleared only if no count replaced it.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../platform/logger.js';
import { recomputeBadges, type Recomputed } from '../services/badges.js';
import { reputationMarkShards, reputationMarksPage, type ReputationMark } from '../store/reputation-badges.js';

const PAGE = 100;

/** The marks of every shard, by seller: a seller counted on several shards is recomputed once. */
async function markedSellers(): Promise<Map<string, ReputationMark[]>> {
  const bySeller = new Map<string, ReputationMark[]>();
  for (let shard = 0; shard < reputationMarkShards(); shard++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await reputationMarksPage(shard, PAGE, startKey);
      for (const mark of page.marks) bySeller.set(mark.sellerId, [...(bySeller.get(mark.sellerId) ?? []), mark]);
      startKey = page.lastKey;
    } while (startKey);
  }
  return bySeller;
}

export interface BadgeRun {
  /** Marked sellers recomputed. */
  processed: number;
  changed: number;
  /** Counted again meanwhile: left marked for the next run. */
  deferred: number;
}

export async function runBadgeJob(): Promise<BadgeRun> {
  const run: BadgeRun = { processed: 0, changed: 0, deferred: 0 };
  for (const [sellerId, marks] of await markedSellers()) {
    const outcome: Recomputed = await recomputeBadges(sellerId, marks);
    run.processed += 1;
    if (outcome === 'changed') run.changed += 1;
    if (outcome === 'deferred') run.deferred += 1;
  }
  return run;
}

export const handler = async (_event?: Partial<ScheduledEvent>): Promise<BadgeRun> => {
  const run = await runBadgeJob();
  logger.info('badge job', { ...run });
  return run;
};
