/**
 * The timers sweep (EventBridge, every few minutes): fires every timer that is due, reading only the
 * due-hour buckets of the sparse timer index. Safe to run twice or concurrently: each timer's effect is
 * a conditional transaction that also removes the timer, so a second firing finds nothing to do.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { DomainError } from '../domain/errors.js';
import { clock } from '../platform/clock.js';
import { logger } from '../platform/logger.js';
import { retryModeration } from '../services/moderation.js';
import { confirmReceipt } from '../services/orders.js';
import { closeReturnWindow, closeReviewWindow } from '../store/orders.js';
import { retryCaseFile } from '../services/case-files.js';
import { fireDeadline } from '../services/disputes.js';
import { progressRefund } from '../services/refunds.js';
import { closeEditWindow } from '../store/reviews.js';
import { bucketsToSweep, dueTimers, markSwept, settleTimer, type Timer, type TimerKind } from '../store/timers.js';
import { transact, ConflictError } from '../store/transactions.js';

const fireByKind: Record<TimerKind, (timer: Timer) => Promise<unknown>> = {
  // confirmReceipt removes the timer in its own transaction when it completes the order.
  AUTO_CONFIRM: (timer) => confirmReceipt('system', timer.entityId),
  REVIEW_WINDOW: (timer) => transact([closeReviewWindow(timer.entityId), settleTimer(timer)]),
  EDIT_WINDOW: (timer) => transact([closeEditWindow(timer.entityId), settleTimer(timer)]),
  MODERATION: (timer) => retryModeration(timer),
  RETURN_WINDOW: (timer) => transact([closeReturnWindow(timer.entityId), settleTimer(timer)]),
  DISPUTE_DEADLINE: (timer) => fireDeadline(timer),
  CASE_FILE: (timer) => retryCaseFile(timer),
  REFUND_PROGRESS: (timer) => progressRefund(timer),
};

const CONCURRENCY = 10;

/**
 * A rule's refusal means the timer no longer applies and can go; anything else (a lost race included:
 * CONCURRENT_UPDATE is not an answer) leaves it due, and its bucket is swept again next time.
 */
export const retiresTimer = (error: unknown): error is DomainError => error instanceof DomainError && error.code !== 'CONCURRENT_UPDATE';

async function fire(timer: Timer): Promise<void> {
  try {
    await fireByKind[timer.kind](timer);
  } catch (error) {
    if (!retiresTimer(error)) throw error;
    // The rule no longer applies (already confirmed, cancelled, or the deadline moved): retire this timer
    // unless it was moved meanwhile, in which case the moved one stays for its own time.
    logger.info('Timer no longer applies', { timer, code: error.code });
    await transact([settleTimer(timer)]).catch((settleError: unknown) => {
      if (!(settleError instanceof ConflictError)) throw settleError;
    });
  }
}

/** Buckets are read this many at a time: after a long pause (or a moved local clock) there can be many. */
const BUCKETS_IN_PARALLEL = 24;

async function collect(bucket: string, now: string): Promise<Timer[]> {
  const timers: Timer[] = [];
  for await (const timer of dueTimers(bucket, now)) timers.push(timer);
  return timers;
}

export async function sweepTimers(): Promise<{ processed: number; failed: number }> {
  const now = clock.nowIso();
  let processed = 0;
  let failed = 0;
  let firstFailedBucket: string | undefined;
  const buckets = await bucketsToSweep(now);
  for (let start = 0; start < buckets.length; start += BUCKETS_IN_PARALLEL) {
    const chunk = buckets.slice(start, start + BUCKETS_IN_PARALLEL);
    const due = await Promise.all(chunk.map((bucket) => collect(bucket, now)));
    for (const [index, timers] of due.entries()) {
      for (let offset = 0; offset < timers.length; offset += CONCURRENCY) {
        const results = await Promise.allSettled(timers.slice(offset, offset + CONCURRENCY).map(fire));
        for (const result of results) {
          if (result.status === 'fulfilled') processed++;
          else {
            failed++;
            firstFailedBucket ??= chunk[index];
            logger.error('Timer failed; it stays due for the next sweep', { error: result.reason as Error });
          }
        }
      }
    }
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
