/**
 * Reputation's own commands. Counting happens in the transactions that cause it (reviews, orders,
 * disputes); what is here runs later by timer: an order whose dispute the buyer lost in arbitration has
 * its feedback taken out of the seller's counts (DOMAIN.md "Seller reputation": the review still shows).
 */
import { excludeFeedback } from '../domain/reputation.js';
import { getOrder } from '../store/orders.js';
import { getOrderFeedback, orderFeedbackWrites } from '../store/reputation.js';
import { setTimer, settleTimer, type Timer } from '../store/timers.js';
import type { TransactItem } from '../store/transactions.js';
import { runCommand } from './command.js';

/**
 * Written in the transaction of the arbitration decision (services/disputes.ts): the order's feedback
 * item is not read there, so the exclusion follows at once by timer, retried like any timer until done.
 */
export const lostArbitrationTimer = (orderId: string, now: string): TransactItem => setTimer({ kind: 'FEEDBACK_EXCLUSION', entityId: orderId, dueAt: now }, now);

/** The FEEDBACK_EXCLUSION timer fired: the order's feedback stops counting, now and for reviews published later. */
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
