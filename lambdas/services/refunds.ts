/** The refunds job's step for one refund (REFUND_PROGRESS timer): submit, then report it completed. */
import { advanceRefund } from '../domain/refunds.js';
import { getRefund, refundWrite } from '../store/disputes.js';
import { setTimer, settleTimer, type Timer } from '../store/timers.js';
import { guarded } from '../store/transactions.js';
import { runCommand } from './command.js';

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
