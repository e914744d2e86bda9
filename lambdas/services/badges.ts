/**
 * The badge job's use case (DOMAIN.md "Seller reputation": badges recomputed daily, only for the sellers
 * whose figures changed or whose window moved). A marked seller's badges are computed from the figures
 * and the verification, stored only when they changed, with a BADGES_WINDOW timer at the next month
 * boundary when the window holds anything; the marks read are cleared in the same transaction.
 */
import { badgesChanged, badgesOf, reputationOf, windowMovesAt } from '../domain/reputation.js';
import { DomainError } from '../domain/errors.js';
import { clearReputationMark, markReputationDirty, sellerBadgesWrite, type ReputationMark } from '../store/reputation-badges.js';
import { getSellerWithStats } from '../store/sellers.js';
import { setTimer, settleTimer, type Timer } from '../store/timers.js';
import { getVerification } from '../store/verification.js';
import { transact } from '../store/transactions.js';
import { runCommand } from './command.js';
import { isVerified } from './verification.js';

/** A count happened while the job computed: the seller keeps its mark and the next run recomputes it. */
const MARKED_AGAIN = new DomainError('CONCURRENT_UPDATE', 'The seller was counted again while the badges were computed.');

export type Recomputed = 'changed' | 'unchanged' | 'deferred';

/** Recomputes one marked seller's badges; `marks` are the seller's marks the job read (one per shard). */
export async function recomputeBadges(sellerId: string, marks: readonly ReputationMark[]): Promise<Recomputed> {
  try {
    return await runCommand({
      subject: 'seller',
      load: async () => {
        const [found, verification] = await Promise.all([getSellerWithStats(sellerId), getVerification(sellerId)]);
        return { found, verification };
      },
      decide: ({ found, verification }, now) => {
        const clear = marks.map(clearReputationMark);
        // Counters without a shop profile (none is created that way) have no page to show badges on.
        if (!found) return { writes: clear, result: 'unchanged' as const };
        const badges = badgesOf(reputationOf(found.months, now), isVerified(verification));
        const movesAt = windowMovesAt(found.months, now);
        if (!badgesChanged(found.badges, badges, movesAt)) return { writes: clear, result: 'unchanged' as const };
        const windowTimer = movesAt && movesAt !== found.badges?.windowMovesAt ? [setTimer({ kind: 'BADGES_WINDOW', entityId: sellerId, dueAt: movesAt }, now)] : [];
        return {
          writes: [sellerBadgesWrite({ sellerId, badges, computedAt: now, windowMovesAt: movesAt }, found.badges), ...windowTimer, ...clear],
          result: 'changed' as const,
        };
      },
      refusals: { reputationMarkUnchanged: MARKED_AGAIN },
    });
  } catch (error) {
    if (error === MARKED_AGAIN) return 'deferred';
    throw error;
  }
}

/** The BADGES_WINDOW timer fired: the seller's window moved, so the next badge run recomputes it. */
export const windowMoved = (timer: Timer) => transact([markReputationDirty(timer.entityId, timer.dueAt), settleTimer(timer)]);
