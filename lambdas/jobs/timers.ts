/**
 * The timers sweep (EventBridge, every few minutes): fires every timer that is due, reading only the
 * due-hour buckets of the sparse timer index. Safe to run twice or concurrently: each timer's effect is
 * a conditional transaction that also removes the timer, so a second firing finds nothing to do.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { DomainError } from '../domain/errors.js';
import { clock } from '../platform/clock.js';
import { logger } from '../platform/logger.js';
import { confirmReceipt } from '../services/orders.js';
import { bucketsToSweep, dueTimers, markSwept, settleTimer, type Timer, type TimerKind } from '../store/timers.js';
import { transact, ConflictError } from '../store/transactions.js';

const fireByKind: Record<TimerKind, (timer: Timer) => Promise<unknown>> = {
  // confirmReceipt removes the timer in its own transaction when it completes the order.
  AUTO_CONFIRM: (timer) => confirmReceipt('system', timer.entityId),
};

const CONCURRENCY = 10;

async function fire(timer: Timer): Promise<void> {
  try {
    await fireByKind[timer.kind](timer);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // The rule no longer applies (already confirmed, cancelled, or the deadline moved): retire this timer
    // unless it was moved meanwhile, in which case the moved one stays for its own time.
    logger.info('Timer no longer applies', { timer, code: error.code });
    await transact([settleTimer(timer)]).catch((settleError: unknown) => {
      if (!(settleError instanceof ConflictError)) throw settleError;
    });
  }
}

export async function sweepTimers(): Promise<{ processed: number; failed: number }> {
  const now = clock.nowIso();
  let processed = 0;
  let failed = 0;
  let firstFailedBucket: string | undefined;
  for (const bucket of await bucketsToSweep(now)) {
    const batch: Timer[] = [];
    const flush = async () => {
      const results = await Promise.allSettled(batch.splice(0).map(fire));
      for (const result of results) {
        if (result.status === 'fulfilled') processed++;
        else {
          failed++;
          firstFailedBucket ??= bucket;
          logger.error('Timer failed; it stays due for the next sweep', { error: result.reason as Error });
        }
      }
    };
    for await (const timer of dueTimers(bucket, now)) {
      batch.push(timer);
      if (batch.length >= CONCURRENCY) await flush();
    }
    await flush();
  }
  // A bucket with a failure is swept again next time; later ones are not skipped past it.
  await markSwept(firstFailedBucket ? `${firstFailedBucket}:00:00.000Z` : now);
  return { processed, failed };
}

export const handler = async (_event?: Partial<ScheduledEvent>): Promise<{ processed: number; failed: number }> => {
  const result = await sweepTimers();
  logger.info('Timers swept', result);
  return result;
};
