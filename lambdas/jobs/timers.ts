/**
 * The timers sweep (EventBridge, every few minutes): fires every timer that is due, reading only the
 * due part of the sparse timer index. The scheduled run only plans: it reads each shard's progress marker,
 * publishes the timer lag and sends one work item per shard to the timerShards queue, whose worker
 * (lambdas/workers/timer-shard.ts) sweeps that shard with `sweepShard`; the queue's event source bounds
 * how many shards are swept at once. Safe to run twice or concurrently: each timer's effect is a
 * conditional transaction that also removes or moves the timer, so a second firing finds nothing to do.
 * A timer whose firing fails is retried later with a growing gap and parked after a few attempts; it
 * never holds its shard's progress back (docs/decisions/005-timer-buckets.md, docs/scale.md).
 */
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { DomainError } from '../domain/errors.js';
import { addMs } from '../domain/time.js';
import { businessEvent } from '../platform/business-events.js';
import { clock } from '../platform/clock.js';
import { logger } from '../platform/logger.js';
import { retryListingReview } from '../services/listing-review.js';
import { expirePenalty, markClosedStore } from '../services/penalties.js';
import { retryModeration } from '../services/moderation.js';
import { autoCancelOrder, confirmReceipt } from '../services/orders.js';
import { closeReturnWindow, closeReviewWindow } from '../store/orders.js';
import { retryCaseFile } from '../services/case-files.js';
import { fireDeadline } from '../services/disputes.js';
import { progressRefund } from '../services/refunds.js';
import { windowMoved } from '../services/badges.js';
import { excludeLostArbitration } from '../services/reputation.js';
import { closeEditWindow } from '../store/reviews.js';
import { sendToQueue } from '../store/queue.js';
import { retryNotificationDispatch } from '../services/notifications.js';
import { retryWebhookDelivery } from '../services/webhook-retries.js';
import { fireReminder } from '../services/reminders.js';
import { dueTimers, markSwept, monthsToSweep, oldestDue, recordFailedAttempt, settleTimer, sweptUntil, type DueTimer, type Timer, type TimerKind } from '../store/timers.js';
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
  // Every cancellation removes this timer; one still here finds an order that shipped meanwhile and retires.
  SHIP_BY: (timer) => autoCancelOrder(timer.entityId),
  LISTING_REVIEW: (timer) => retryListingReview(timer),
  PENALTY_EXPIRY: (timer) => expirePenalty(timer),
  STORE_CLOSURE: (timer) => markClosedStore(timer),
  FEEDBACK_EXCLUSION: (timer) => excludeLostArbitration(timer),
  BADGES_WINDOW: (timer) => windowMoved(timer),
  NOTIFICATION_DISPATCH: (timer) => retryNotificationDispatch(timer),
  // The next attempt of a webhook delivery (or a dead attempt's lease): handed to the webhook worker again.
  WEBHOOK_RETRY: (timer) => retryWebhookDelivery(timer),
  // Re-checked against the current state; sent with the timer's removal, so once at most.
  REMINDER: (timer) => fireReminder(timer),
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
    const retryAt = addMs(now, retryDelayMs(attempts, policy));
    const recorded = await recordFailedAttempt(due, error, park ? { park } : { park, retryAt }, now);
    if (recorded === 'handled-elsewhere') {
      // Settled, moved or retried since this sweep read it — by a concurrent sweep or its own service —
      // so the failure was a lost race over work that is done, not a fault.
      logger.debug('Timer already handled elsewhere', { timer, error: error as Error });
      return 'handled-elsewhere';
    }
    if (park) {
      logger.error('Timer parked: it failed every attempt', { timer, attempts, error: error as Error });
      await businessEvent('TimerParked', { kind: timer.kind, entityId: timer.entityId, attempts });
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
  /** A work item left unfinished when its time ran out (its shard is behind: the timer lag shows it). */
  stoppedEarly?: boolean;
}

export const addSweepResults = (a: SweepResult, b: SweepResult): SweepResult => ({
  processed: a.processed + b.processed,
  failed: a.failed + b.failed,
  parked: a.parked + b.parked,
  ...((a.stoppedEarly || b.stoppedEarly) && { stoppedEarly: true }),
});
export const noneSwept: SweepResult = { processed: 0, failed: 0, parked: 0 };

/** One work item of a sweep: a shard's timers positioned in [from, now]. */
export const ShardWork = z.object({ shard: z.number().check(z.int(), z.nonnegative()), from: z.iso.datetime(), now: z.iso.datetime() });
export type ShardWork = z.infer<typeof ShardWork>;

interface SweepPlan {
  work: ShardWork[];
  /** Age of the oldest due timer not yet fired (0 when none): the TimerLag alarm's input. */
  timerLagSeconds: number;
}

/**
 * What a sweep at `now` has to do: a work item per shard, from its marker, and the timer lag. Every shard
 * gets its item even when nothing in it is due, so each marker follows the sweep and no read grows with
 * the time a shard stayed empty. Cost: one BatchGetItem and a one-item Query per shard (and month).
 */
export async function planSweep(now: string): Promise<SweepPlan> {
  const markers = await sweptUntil(now);
  const oldest = (await Promise.all(markers.map((from, shard) => oldestDue(shard, from, now)))).filter((firesAt) => firesAt !== undefined).sort()[0];
  const timerLagSeconds = oldest === undefined ? 0 : Math.max(0, Math.round((new Date(now).getTime() - new Date(oldest).getTime()) / 1000));
  return { work: markers.map((from, shard) => ({ shard, from, now })), timerLagSeconds };
}

/**
 * Fires every timer of one work item, then moves the shard's marker. Safe twice and concurrently with
 * itself: a redelivered or duplicated item finds what was fired gone and races only over done work.
 */
export async function sweepShard(work: ShardWork, options: { fire?: FireTimer; retry?: RetryPolicy; stopAt?: number } = {}): Promise<SweepResult> {
  const { fire = fireTimer, retry = timerRetry, stopAt = Number.POSITIVE_INFINITY } = options;
  const { shard, from, now } = work;
  const result: SweepResult = { ...noneSwept };
  // Lowered only to a timer whose failure could not even be recorded (the table refused the write), or
  // to the first one left when time ran out: skipping past either would lose it. A timer that merely
  // fails moves ahead and holds nothing back.
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
  sweep: for (const month of monthsToSweep(from, now)) {
    let batch: DueTimer[] = [];
    for await (const due of dueTimers(month, shard, from, now)) {
      if (batch.length === 0 && Date.now() >= stopAt) {
        // Out of time: what is left is read again from here by the next run (its work item, 5 minutes on).
        if (due.firesAt < sweptTo) sweptTo = due.firesAt;
        result.stoppedEarly = true;
        break sweep;
      }
      batch.push(due);
      if (batch.length < CONCURRENCY) continue;
      await run(batch);
      batch = [];
    }
    await run(batch);
  }
  await markSwept(shard, sweptTo);
  return result;
}

/**
 * A whole sweep in this process: the plan, then every shard one after the other. The deployed sweep sends
 * the same work items through the queue instead; this is for tests and scripts that inject a firing.
 */
export async function sweepTimers(options: { fire?: FireTimer; retry?: RetryPolicy } = {}): Promise<SweepResult> {
  const { work } = await planSweep(clock.nowIso());
  let result = noneSwept;
  for (const item of work) result = addSweepResults(result, await sweepShard(item, options));
  return result;
}

export interface PlannedSweep {
  shards: number;
  timerLagSeconds: number;
}

/** The scheduled run: plans, logs the lag once (the TimerLag metric filter reads `timerLagSeconds`), fans out. */
export const handler = async (_event?: Partial<ScheduledEvent>): Promise<PlannedSweep> => {
  const { work, timerLagSeconds } = await planSweep(clock.nowIso());
  logger.info('Timer sweep planned', { timerLagSeconds, shards: work.length });
  await Promise.all(work.map((item) => sendToQueue('timerShards', { ...item })));
  return { shards: work.length, timerLagSeconds };
};
