/**
 * Tracked refunds (DOMAIN.md "Money and escrow"): every refund, a dispute's or a cancellation's, gets a
 * record the buyer can follow, REQUESTED → PROCESSING → COMPLETED, moved along by its REFUND_PROGRESS
 * timer. The money left escrow in the transaction that approved the refund; this only pays it out.
 */
import { money } from '../domain/money.js';
import type { Order } from '../domain/orders.js';
import { advanceRefund, requestRefund, type Refund } from '../domain/refunds.js';
import { getRefund, refundWrite } from '../store/disputes.js';
import { setTimer, settleTimer, type Timer } from '../store/timers.js';
import { guarded, type Write } from '../store/transactions.js';
import { runCommand } from './command.js';

/**
 * The record of a refund approved now and what starts paying it: written in the same transaction as the
 * REFUND ledger entry, so no refund leaves escrow untracked and none is tracked that did not.
 */
export function trackedRefund(order: Order, refund: { refundId: string; amount: number; disputeId: string | null }, now: string): { refund: Refund; writes: Write[] } {
  const requested = requestRefund(
    {
      refundId: refund.refundId,
      orderId: order.orderId,
      disputeId: refund.disputeId,
      buyerId: order.buyerId,
      sellerId: order.sellerId,
      amount: money(refund.amount, order.total.currency),
      paymentReference: order.paymentReference,
    },
    now,
  );
  return { refund: requested, writes: [refundWrite(requested, null), setTimer({ kind: 'REFUND_PROGRESS', entityId: requested.refundId, dueAt: now }, now)] };
}

/** The refunds job's step for one refund (REFUND_PROGRESS timer): submit, then report it completed. */
export function progressRefund(timer: Timer): Promise<void> {
  return runCommand({
    subject: 'refund',
    load: () => getRefund(timer.entityId),
    decide: (refund, now) => {
      const step = refund && advanceRefund(refund, now);
      // Nothing left to do: the refund is gone or settled, and the timer goes with it.
      if (!refund || !step) return { writes: [guarded('timerUnmoved', settleTimer(timer))], result: undefined };
      const nextTimer = step.nextCheckAt ? setTimer({ ...timer, dueAt: step.nextCheckAt }, now, { ifDueAt: timer.dueAt }) : settleTimer(timer);
      return { writes: [refundWrite(step.refund, refund.version), guarded('timerUnmoved', nextTimer)], result: undefined };
    },
    // A concurrent sweep took this step (and moved or removed the timer) first.
    alreadyDone: { guards: ['timerUnmoved'], result: undefined },
  });
}
