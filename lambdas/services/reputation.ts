/**
 * Reputation's own commands. Counting happens in the transactions that cause it (reviews, orders,
 * disputes); what is here runs later by timer: an order whose dispute the buyer lost in arbitration has
 * its feedback taken out of the seller's counts (DOMAIN.md "Seller reputation": the review still shows).
 * And the store's public reviews.
 */
import { excludeFeedback } from '../domain/reputation.js';
import { publicReviewOf } from '../domain/reviews.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { getOrder } from '../store/orders.js';
import { getOrderFeedback, orderFeedbackWrites } from '../store/reputation.js';
import { listShopReviews } from '../store/reviews.js';
import { settleTimer, type Timer } from '../store/timers.js';
import { runCommand } from './command.js';
import { publicView } from './review-views.js';

/**
 * The FEEDBACK_EXCLUSION timer (set by the arbitration decision's transaction, services/disputes.ts)
 * fired: the order's feedback stops counting, now and for reviews published later.
 */
export const excludeLostArbitration = (timer: Timer): Promise<'excluded' | 'already'> =>
  runCommand({
    subject: 'order',
    load: async () => {
      const [order, feedback] = await Promise.all([getOrder(timer.entityId), getOrderFeedback(timer.entityId)]);
      return { order, feedback };
    },
    decide: ({ order, feedback }, now) => {
      if (!order || feedback?.excluded) return { writes: [settleTimer(timer)], result: 'already' as const };
      return { writes: [...orderFeedbackWrites(feedback, excludeFeedback(feedback, order, now)), settleTimer(timer)], result: 'excluded' as const };
    },
  });

/**
 * A store's published reviews, newest first, as the public reads a product's: masked reviewer, no
 * reviewer id, no order id. One Query page of the sparse index of published reviews by seller.
 */
export async function storeReviews(sellerId: string, query: { limit: number; cursor?: string | undefined }) {
  const scope = `public-store-reviews:${sellerId}`;
  const { reviews: page, lastKey } = await listShopReviews(sellerId, query.limit, decodeCursor(query.cursor, scope));
  const records = page.flatMap((review) => publicReviewOf(review) ?? []);
  return { items: await Promise.all(records.map(publicView)), nextCursor: encodeCursor(lastKey, scope) };
}
