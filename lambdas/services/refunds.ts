/** The refunds job's step for one refund (REFUND_PROGRESS timer): submit, then report it completed. */
import { advanceRefund } from '../domain/refunds.js';
import { clock } from '../platform/clock.js';
import { getRefund, refundWrite } from '../store/disputes.js';
import { setTimer, settleTimer, type Timer } from '../store/timers.js';
import { transact } from '../store/transactions.js';

export async function progressRefund(timer: Timer): Promise<void> {
  const refund = await getRefund(timer.entityId);
  const step = refund && advanceRefund(refund, clock.nowIso());
  if (!refund || !step) {
    await transact([settleTimer(timer)]);
    return;
  }
  const now = clock.nowIso();
  const nextTimer = step.nextCheckAt ? setTimer({ ...timer, dueAt: step.nextCheckAt }, now, { ifDueAt: timer.dueAt }) : settleTimer(timer);
  await transact([refundWrite(step.refund, refund.version), nextTimer]);
}
