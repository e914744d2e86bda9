/**
 * A webhook delivery's `WEBHOOK_RETRY` timer fired (the timers sweep): its next attempt is due, or the
 * lease of an attempt whose worker died ran out. The attempt itself is the webhook worker's (it alone
 * makes outbound calls, with its own timeout and concurrency), so the timer hands it the queue message
 * again and stands one lease further on: if that send is lost, or the worker dies, it fires again.
 * Kept apart from services/webhook-deliveries.ts: re-sending is the sweep's work (the timer-shard worker
 * bundles this), the worker only consumes (its bundle has the queue sender through the outbox, unused).
 */
import * as z from 'zod/mini';
import { addMs } from '../domain/time.js';
import { ATTEMPT_LEASE_MS } from '../domain/webhooks.js';
import { clock } from '../platform/clock.js';
import { logger } from '../platform/logger.js';
import { sendToQueue } from '../store/queue.js';
import { setTimer, type Timer } from '../store/timers.js';
import { getDelivery } from '../store/webhooks.js';
import { retireTimer, ifUnmoved } from './outbox.js';

const RetryPayload = z.object({ userId: z.string() });

export async function retryWebhookDelivery(timer: Timer): Promise<void> {
  const payload = RetryPayload.safeParse(timer.payload);
  const delivery = payload.success ? await getDelivery(payload.data.userId, timer.entityId) : undefined;
  // Delivered or dead since (their transaction removes the timer; this one was read before it did).
  if (!delivery || delivery.state !== 'PENDING') return retireTimer(timer);
  const now = clock.nowIso();
  if (!(await ifUnmoved(setTimer({ ...timer, dueAt: addMs(now, ATTEMPT_LEASE_MS) }, now, { ifDueAt: timer.dueAt })))) return;
  await sendToQueue('webhookDeliveries', { userId: delivery.userId, notificationId: delivery.notificationId }).catch((error: unknown) =>
    logger.warn('Webhook retry not sent; its timer fires again after the lease', { notificationId: delivery.notificationId, error: String(error) }),
  );
}
