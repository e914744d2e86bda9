/**
 * The timers sweep (EventBridge, every few minutes): fires every timer that is due, reading only the
 * due part of the sparse timer index. Safe to run twice or concurrently: each timer's effect is a
 * conditional transaction that also removes or moves the timer, so a second firing finds nothing to do.
 * A timer whose firing fails is retried later with a growing gap and parked after a few attempts; it
 * never holds the sweep's progress back (docs/decisions/005-timer-buckets.md).
 */
import type { ScheduledEvent } from 'aws-lambda';
import { DomainError } from '../domain/errors.js';
import { businessEvent } from '../platform/business-events.js';
import { clock } from '../platform/clock.js';
import { logger } from '../platform/logger.js';
import { retryModeration } from '../services/moderation.js';
import { confirmReceipt } from '../services/orders.js';
import { closeReturnWindow, closeReviewWindow } from '../store/orders.js';
import { retryCaseFile } from '../services/case-files.js';
import { fireDeadline } from '../services/disputes.js';
import { progressRefund } from '../services/refunds.js';
import { closeEditWindow } from '../store/reviews.js';
import { dueTimers, markSwept, monthsToSweep, recordFailedAttempt, settleTimer, sweptUntil, type DueTimer, type Timer, type TimerKind } from '../store/timers.js';
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

/** Applies a due timer's rule: the service of its kind, which settles or moves the timer in its own transaction. */
export type FireTimer = (timer: Timer) => Promise<unknown>;
export const fireTimer: FireTimer = (timer) => fireByKind[timer.kind](timer);

const MINUTE_MS = 60_000;

/**
 * Failed firings: the first retry one sweep interval later, each next one twice as late (5, 10, 20 … 320
 * minutes: about 10 hours in all), parked at the 8th failure for a person to look at (the TimerParked
 * alarm). A retry is also how a timer outlives a cause that goes away by itself (a throttled table).
 */
export interface RetryPolicy {
  maxAttempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}
export const timerRetry: RetryPolicy = { maxAttempts: 8, firstDelayMs: 5 * MINUTE_MS, maxDelayMs: 6 * 60 * MINUTE_MS };

/** The gap before the next try of a timer that has now failed `attempts` times. */
export const retryDelayMs = (attempts: number, policy: RetryPolicy = timerRetry): number =>
  Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempts - 1));

/**
 * A rule's refusal means the timer no longer applies and can go; anything else (a lost race included:
 * CONCURRENT_UPDATE is not an answer) is a failed attempt.
 */
export const retiresTimer = (error: unknown): error is DomainError => error instanceof DomainError && error.code !== 'CONCURRENT_UPDATE';

type Outcome = 'fired' | 'handled-elsewhere' | 'retried' | 'parked';

async function attempt(due: DueTimer, fire: FireTimer, policy: RetryPolicy, now: string): Promise<Outcome> {
  const { timer } = due;
  try {
    await fire(timer);
    return 'fired';
  } catch (error) {
    if (retiresTimer(error)) {
      // The rule no longer applies (already confirmed, cancelled, or the deadline moved): retire this timer
      // unless it was moved meanwhile, in which case the moved one stays for its own time.
      logger.info('Timer no longer applies', { timer, code: error.code });
      try {
        await transact([settleTimer(timer)]);
        return 'fired';
      } catch (settleError) {
        if (!(settleError instanceof ConflictError)) throw settleError;
        return 'handled-elsewhere';
      }
    }
    const attempts = due.attempts + 1;
    const park = attempts >= policy.maxAttempts;
    const retryAt = new Date(new Date(now).getTime() + retryDelayMs(attempts, policy)).toISOString();
    const recorded = await recordFailedAttempt(due, error, park ? { park } : { park, retryAt }, now);
    if (recorded === 'handled-elsewhere') {
      // Settled, moved or retried since this sweep read it — by a concurrent sweep or its own service —
      // so the failure was a lost race over work that is done, not a fault.
      logger.debug('Timer already handled elsewhere', { timer, error: error as Error });
      return 'handled-elsewhere';
    }
    if (park) {
      logger.error('Timer parked: it failed every attempt', { timer, attempts, error: error as Error });
      businessEvent('TimerParked', { kind: timer.kind, entityId: timer.entityId, attempts });
      return 'parked';
    }
    logger.warn('Timer failed; it is retried later', { timer, attempts, retryAt, error: error as Error });
    return 'retried';
  }
}

/** Timers fired at once: enough to overlap their reads and writes, few enough to stay clear of throttling. */
const CONCURRENCY = 10;

export interface SweepResult {
  processed: number;
  /** Firings that failed, now waiting for a retry or parked. */
  failed: number;
  parked: number;
}

export async function sweepTimers(options: { fire?: FireTimer; retry?: RetryPolicy } = {}): Promise<SweepResult> {
  const { fire = fireTimer, retry = timerRetry } = options;
  const now = clock.nowIso();
  const from = await sweptUntil(now);
  const result: SweepResult = { processed: 0, failed: 0, parked: 0 };
  // Lowered only to a timer whose failure could not even be recorded (the table refused the write):
  // skipping past it would lose it. A timer that merely fails moves ahead and holds nothing back.
  let sweptTo = now;
  const run = async (batch: DueTimer[]) => {
    const outcomes = await Promise.allSettled(batch.map((due) => attempt(due, fire, retry, now)));
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.status === 'rejected') {
        const { firesAt } = batch[index]!;
        if (firesAt < sweptTo) sweptTo = firesAt;
        result.failed++;
        logger.error('Timer failed and its retry could not be recorded; the next sweep reads it again', { timer: batch[index]!.timer, error: outcome.reason as Error });
      } else if (outcome.value === 'fired') result.processed++;
      else if (outcome.value !== 'handled-elsewhere') {
        result.failed++;
        if (outcome.value === 'parked') result.parked++;
      }
    }
  };
  for (const month of monthsToSweep(from, now)) {
    let batch: DueTimer[] = [];
    for await (const due of dueTimers(month, from, now)) {
      batch.push(due);
      if (batch.length < CONCURRENCY) continue;
      await run(batch);
      batch = [];
    }
    await run(batch);
  }
  await markSwept(sweptTo);
  return result;
}

export const handler = async (_event?: Partial<ScheduledEvent>): Promise<SweepResult> => {
  const result = await sweepTimers();
  logger.info('Timers swept', { ...result });
  return result;
};
