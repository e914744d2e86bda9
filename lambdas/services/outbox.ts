/**
 * "Send now, retry by timer": a queue message that must eventually be delivered because of a change.
 * The change writes an outbox timer in its own transaction and sends the message after it commits; if
 * that send is lost, the timer fires later and sends again (a few times, then the request is logged as
 * given up, for the DLQ alarm's owner). The consumer ends it by removing the timer (`done`) in the same
 * transaction as the work, so a redelivered or re-sent message finds nothing left to do.
 */
import * as z from 'zod/mini';
import type { QueueName } from '../../lib/manifest.js';
import { addMs } from '../domain/time.js';
import { clock } from '../platform/clock.js';
import { logger } from '../platform/logger.js';
import { sendToQueue } from '../store/queue.js';
import { cancelTimer, setTimer, settleTimer, type Timer, type TimerKind } from '../store/timers.js';
import { ConflictError, guarded, transact, type TransactItem, type Write } from '../store/transactions.js';
import type { AfterCommit } from './command.js';

export interface OutboxSpec<M extends Record<string, unknown>> {
  kind: TimerKind;
  queue: QueueName;
  message: z.ZodMiniType<M>;
  /** The timer's entity: one pending request per entity id. */
  entityId: (message: M) => string;
  /** Whether the request still waits for its consumer; a request answered meanwhile is not sent again. */
  stillWaiting: (message: M) => Promise<boolean>;
  retryAfterMs?: number;
  maxSends?: number;
}

export interface Outbox<M extends Record<string, unknown>> {
  /** The timer to write with the change, and the send to run after it commits. */
  send(message: M, now: string): { write: Write; afterCommit: AfterCommit };
  /** Written with the consumer's work: no more re-sends. */
  done(message: M): TransactItem;
  /** The timer fired: send again if the request still waits, or retire the timer. */
  retry(timer: Timer): Promise<void>;
}

const RETRY_AFTER_MS = 10 * 60_000;
const MAX_SENDS = 5;

/** Writes a timer change only if nobody moved or removed the timer since it was read; false if they did. */
export async function ifUnmoved(write: TransactItem): Promise<boolean> {
  try {
    await transact([guarded('timerUnmoved', write)]);
    return true;
  } catch (error) {
    if (error instanceof ConflictError && error.failedGuards.has('timerUnmoved')) return false;
    throw error;
  }
}

/** A timer whose work no longer applies goes, unless it was moved meanwhile: the moved one keeps its own time. */
export const retireTimer = async (timer: Timer): Promise<void> => {
  await ifUnmoved(settleTimer(timer));
};

/** A timer whose work must wait (a chargeback is open): moved to `dueAt`, unless it was moved meanwhile. */
export const postponeTimer = async (timer: Timer, dueAt: string, now: string): Promise<void> => {
  await ifUnmoved(setTimer({ ...timer, dueAt }, now, { ifDueAt: timer.dueAt }));
};

export function outbox<M extends Record<string, unknown>>(spec: OutboxSpec<M>): Outbox<M> {
  const retryAfterMs = spec.retryAfterMs ?? RETRY_AFTER_MS;
  const maxSends = spec.maxSends ?? MAX_SENDS;
  const Payload = z.object({ message: spec.message, attempt: z.int() });

  const timer = (message: M, attempt: number, now: string): Timer => ({
    kind: spec.kind,
    entityId: spec.entityId(message),
    dueAt: addMs(now, retryAfterMs),
    payload: { message, attempt },
  });

  /** A failed send is logged, not thrown: the timer sends again. */
  const deliver = (message: M) => async () => {
    await sendToQueue(spec.queue, message).catch((error: unknown) => logger.warn('Request not sent; its outbox timer will retry', { kind: spec.kind, message, error: String(error) }));
  };

  return {
    send: (message, now) => ({ write: setTimer(timer(message, 1, now), now), afterCommit: deliver(message) }),
    done: (message) => cancelTimer(spec.kind, spec.entityId(message)),
    async retry(fired) {
      const parsed = Payload.safeParse(fired.payload);
      const waiting = parsed.success && (await spec.stillWaiting(parsed.data.message));
      if (!parsed.success || !waiting || parsed.data.attempt >= maxSends) {
        if (waiting) logger.error('Request gave up after retries', { timer: fired });
        await retireTimer(fired);
        return;
      }
      const { message, attempt } = parsed.data;
      const now = clock.nowIso();
      // Moved only if nobody answered (and removed it) meanwhile; then the request is sent again.
      if (await ifUnmoved(setTimer(timer(message, attempt + 1, now), now, { ifDueAt: fired.dueAt }))) await deliver(message)();
    },
  };
}
