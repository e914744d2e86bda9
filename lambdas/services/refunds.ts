/**
 * Tracked refunds (DOMAIN.md "Money and escrow"): every refund, a dispute's or a cancellation's, gets a
 * record the buyer can follow, REQUESTED → PROCESSING → COMPLETED | FAILED, moved along by its
 * REFUND_PROGRESS timer through the payment provider. The money left escrow in the transaction that
 * approved the refund; this only pays it out — less what a chargeback won by the buyer already paid of it
 * (domain/refunds.ts `offsetByChargeback`) — and tells the buyer (notifications) when it is paid or FAILED.
 */
import { money } from '../domain/money.js';
import type { Order } from '../domain/orders.js';
import type { Chargeback } from '../domain/chargebacks.js';
import { notFound } from '../domain/errors.js';
import { refundNotification } from '../domain/notification-texts.js';
import type { NotificationDraft } from '../domain/notifications.js';
import { afterAttempt, afterCheck, nextRefundStep, offsetByChargeback, owedByProvider, requestRefund, retryFailedRefund, type Refund } from '../domain/refunds.js';
import type { PaymentProvider } from '../payments/port.js';
import { paymentProvider } from '../payments/provider.js';
import type { Principal } from '../platform/auth.js';
import { businessEvent } from '../platform/business-events.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { getRefund, listFailedRefunds, refundWrite } from '../store/disputes.js';
import { setTimer, settleTimer, type Timer } from '../store/timers.js';
import { guarded, type Write } from '../store/transactions.js';
import { runCommand, type AfterCommit } from './command.js';
import { getOrder } from '../store/orders.js';
import { addMs } from '../domain/time.js';
import { DAY_MS } from '../platform/config.js';
import { notify } from './notifications.js';
import { adminRefundView } from './dispute-views.js';

/**
 * The record of a refund approved now and what starts paying it: written in the same transaction as the
 * REFUND ledger entry, so no refund leaves escrow untracked and none is tracked that did not.
 */
export function trackedRefund(order: Order, refund: { refundId: string; amount: number; disputeId: string | null }, now: string): { refund: Refund; writes: Write[]; afterCommit: AfterCommit[] } {
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
  // The buyer follows it from the moment it is issued.
  const told = notify([refundNotification(requested, 'ISSUED')], now);
  return { refund: requested, writes: [refundWrite(requested, null), setTimer({ kind: 'REFUND_PROGRESS', entityId: requested.refundId, dueAt: now }, now), ...told.writes], afterCommit: told.afterCommit };
}

/** What a refund's change tells its buyer: paid, or failed (an admin takes it over); once, on the change. */
function refundNews(before: Refund, after: Refund): NotificationDraft[] {
  if (after.status === before.status) return [];
  if (after.status === 'COMPLETED') return [refundNotification(after, 'COMPLETED')];
  if (after.status === 'FAILED') return [refundNotification(after, 'FAILED')];
  return [];
}

/**
 * The refunds job's step for one refund (REFUND_PROGRESS timer): have the provider pay it, or ask whether
 * what it accepted has settled. A failed attempt is tried again later (domain/refunds.ts backoff) until
 * the round of attempts is used up: then FAILED, into the admins' queue, with a RefundFailed event. While
 * the order's chargeback is open an attempt waits; once the buyer's bank won it, the provider pays only
 * what the bank did not (nothing: COMPLETED by the chargeback). The buyer's notification is written in the
 * same transaction. The ledger is never touched here: its entry was written once, when the refund was approved.
 */
export function progressRefund(timer: Timer, provider: PaymentProvider = paymentProvider()): Promise<void> {
  return runCommand({
    subject: 'refund',
    load: () => getRefund(timer.entityId),
    decide: async (stored, now) => {
      const step = stored && nextRefundStep(stored);
      // Nothing left to do: the refund is gone or settled, and the timer goes with it.
      if (!stored || !step) return { writes: [guarded('timerUnmoved', settleTimer(timer))], result: undefined };
      const chargeback = step === 'attempt' ? await chargebackBefore(stored) : null;
      if (chargeback === 'open') return { writes: [guarded('timerUnmoved', setTimer({ ...timer, dueAt: addMs(now, DAY_MS) }, now, { ifDueAt: timer.dueAt }))], result: undefined };
      const offset = chargeback ? offsetByChargeback(stored, chargeback, now) : null;
      const refund = offset ?? stored;
      const outcome =
        refund.status === 'COMPLETED'
          ? { refund, nextCheckAt: null }
          : step === 'attempt'
            ? afterAttempt(refund, await provider.refund({ refundId: refund.refundId, reference: refund.paymentReference, amount: owedByProvider(refund) }), now)
            : afterCheck(refund, await provider.settlement(refund.providerRefundId as string), now);
      const nextTimer = outcome.nextCheckAt ? setTimer({ ...timer, dueAt: outcome.nextCheckAt }, now, { ifDueAt: timer.dueAt }) : settleTimer(timer);
      const failed = outcome.refund.status === 'FAILED';
      // The buyer is told when it is paid (by the provider or by the bank's chargeback) or has failed (then an admin takes it over), once: on the change.
      const told = notify(refundNews(stored, outcome.refund), now);
      return {
        writes: [refundWrite(outcome.refund, stored.version), guarded('timerUnmoved', nextTimer), ...told.writes],
        result: undefined,
        afterCommit: [...(failed ? [() => businessEvent('RefundFailed', { refundId: stored.refundId, orderId: stored.orderId, attempts: outcome.refund.attempts, reason: outcome.refund.lastFailure })] : []), ...told.afterCommit],
      };
    },
    // A concurrent sweep took this step (and moved or removed the timer) first.
    alreadyDone: { guards: ['timerUnmoved'], result: undefined },
  });
}

/**
 * Before paying a refund, the order's chargeback: while it is open the attempt waits a day (the bank may
 * return the money itself); once the buyer's bank won it, what the bank paid of this refund is not paid
 * again (domain/refunds.ts `offsetByChargeback`). Null: no chargeback changes the attempt.
 */
async function chargebackBefore(refund: Refund): Promise<'open' | Chargeback | null> {
  const chargeback = (await getOrder(refund.orderId))?.chargeback;
  if (!chargeback || chargeback.status === 'WON_BY_SELLER') return null;
  return chargeback.status === 'OPEN' ? 'open' : chargeback;
}

export type RetryRequest = { markPaid: true; reference: string } | { markPaid?: false };

/**
 * An admin's answer to a FAILED refund (POST /v1/admin/refunds/{refundId}/retry): another round of
 * attempts, starting now, or marked paid by hand with the payment's reference.
 */
export function retryRefund(admin: Principal, refundId: string, request: RetryRequest) {
  return runCommand<Refund | undefined, ReturnType<typeof adminRefundView>>({
    subject: 'refund',
    load: () => getRefund(refundId),
    decide: (refund, now) => {
      if (!refund) throw notFound('Refund', refundId);
      const action = request.markPaid ? { markPaid: true as const, reference: request.reference, by: admin.userId } : { markPaid: false as const };
      const next = retryFailedRefund(refund, action, now);
      const told = notify(refundNews(refund, next), now);
      const writes = [refundWrite(next, refund.version), ...told.writes];
      if (next.status === 'PROCESSING') writes.push(setTimer({ kind: 'REFUND_PROGRESS', entityId: refundId, dueAt: now }, now));
      return { writes, result: adminRefundView(next), afterCommit: told.afterCommit };
    },
  });
}

const CURSOR_SCOPE = 'refunds:FAILED';

/** The admins' queue of FAILED refunds, oldest first. */
export async function failedRefunds(query: { limit: number; cursor?: string | undefined }) {
  const { refunds, lastKey } = await listFailedRefunds(query.limit, decodeCursor(query.cursor, CURSOR_SCOPE));
  return { items: refunds.map(adminRefundView), nextCursor: encodeCursor(lastKey, CURSOR_SCOPE) };
}
