/**
 * Webhook deliveries of notifications (DOMAIN.md "Notifications"). The outbox (services/notifications.ts)
 * hands each notification to the webhook-delivery queue; its worker lands here:
 *
 * - no registration, or the type is not subscribed: the outbox timer is removed and that is all;
 * - a registration but no notification (never expected: it is written with its outbox timer): an error
 *   logged and the outbox timer left, so the notification is sent again rather than dropped unseen;
 * - else, in ONE transaction, a delivery record (PENDING, claimed for this attempt), the outbox timer's
 *   removal and a `WEBHOOK_RETRY` timer; then the attempt: a signed POST (platform/outbound-http.ts);
 * - its outcome in one transaction with the timer: DELIVERED (timer removed), the next attempt (timer
 *   moved to it, backoff with full jitter, domain/webhooks.ts; the last one at 24 h after the first
 *   attempt), or DEAD after that last one.
 *
 * The timer is the delivery's lease: while an attempt runs it stands a minute ahead, so a worker that dies
 * mid-attempt leaves a timer that brings the delivery back (services/webhook-retries.ts sends the queue
 * message again). A redelivered message finds the record and, unless an attempt is due, does nothing.
 */
import { addMs } from '../domain/time.js';
import { afterAttempt, ATTEMPT_LEASE_MS, newDelivery, pastWindow, subscribes, webhookPayload, type WebhookDelivery, type WebhookRegistration } from '../domain/webhooks.js';
import type { Notification } from '../domain/notifications.js';
import { businessEvent } from '../platform/business-events.js';
import { clock } from '../platform/clock.js';
import { logger } from '../platform/logger.js';
import { postToWebhook } from '../platform/outbound-http.js';
import { signWebhook, SIGNATURE_HEADER } from '../platform/webhook-signature.js';
import { getNotification } from '../store/notifications.js';
import { cancelTimer, setTimer, type Timer } from '../store/timers.js';
import type { Write } from '../store/transactions.js';
import { createDelivery, getDelivery, getWebhook, updateDelivery } from '../store/webhooks.js';
import { runCommand } from './command.js';
import { dispatched, type NotificationDispatch } from './notifications.js';

export const WEBHOOK_RETRY = 'WEBHOOK_RETRY' as const;

/** The delivery's timer: its next attempt, or the end of a running attempt's lease. */
const retryTimer = (delivery: Pick<WebhookDelivery, 'userId' | 'notificationId'>, dueAt: string): Timer => ({
  kind: WEBHOOK_RETRY,
  entityId: delivery.notificationId,
  dueAt,
  payload: { userId: delivery.userId },
});

interface Loaded {
  delivery: WebhookDelivery | undefined;
  registration: WebhookRegistration | undefined;
  notification: Notification | undefined;
}

/** A delivery held for one attempt: PENDING, its next attempt (and its timer) one lease ahead. */
type Claimed = WebhookDelivery & { state: 'PENDING'; nextAttemptAt: string };
/** What the worker does next, once the transaction that decided it is committed. */
type Next = { attempt: Claimed; registration: WebhookRegistration; notification: Notification } | { dead: WebhookDelivery } | 'missing' | 'nothing';

const claimed = (delivery: WebhookDelivery, now: string): Claimed => ({ ...delivery, state: 'PENDING' as const, nextAttemptAt: addMs(now, ATTEMPT_LEASE_MS), updatedAt: now });

/** The first take of a notification, or a redelivered or retried message of one already taken. */
export async function takeForDelivery(dispatch: NotificationDispatch): Promise<void> {
  const { userId, notificationId } = dispatch;
  const next = await runCommand<Loaded, Next>({
    subject: 'webhook delivery',
    load: async () => {
      const [delivery, registration, notification] = await Promise.all([getDelivery(userId, notificationId), getWebhook(userId), getNotification(userId, notificationId)]);
      return { delivery, registration, notification };
    },
    decide: ({ delivery, registration, notification }, now) => {
      if (!delivery) {
        // A notification is written in the transaction that sends it, so a consistent read finds it. If it
        // does not, the outbox timer stays: the outbox sends it again, and logs when it gives up.
        if (registration && !notification) return { writes: [], result: 'missing' };
        if (!registration || !notification || !subscribes(registration, notification.type)) return { writes: [dispatched(dispatch)], result: 'nothing' };
        const attempt = claimed(newDelivery(userId, notificationId, now), now);
        return { writes: [createDelivery(attempt), dispatched(dispatch), setTimer(retryTimer(attempt, attempt.nextAttemptAt), now)], result: { attempt, registration, notification } };
      }
      // Done, or not due (a redelivered message, or the lease of a running attempt): nothing to do twice.
      if (delivery.state !== 'PENDING' || delivery.nextAttemptAt === null || delivery.nextAttemptAt > now) return { writes: [], result: 'nothing' };
      const read = { state: delivery.state, attempts: delivery.attempts, nextAttemptAt: delivery.nextAttemptAt };
      // Removed meanwhile, or past its 24 h (the worker of the last attempt died mid-attempt): no more attempts.
      if (!registration || !notification || pastWindow(delivery)) {
        const dead: WebhookDelivery = { ...delivery, state: 'DEAD', nextAttemptAt: null, updatedAt: now };
        return { writes: [updateDelivery(dead, read), cancelTimer(WEBHOOK_RETRY, notificationId)], result: registration ? { dead } : 'nothing' };
      }
      const attempt = claimed(delivery, now);
      return { writes: [updateDelivery(attempt, read), setTimer(retryTimer(attempt, attempt.nextAttemptAt), now)], result: { attempt, registration, notification } };
    },
    // A concurrent copy of the message created or claimed it: that one attempts.
    alreadyDone: { guards: ['deliveryNew', 'deliveryUnchanged'], result: 'nothing' },
  });
  if (next === 'nothing') return;
  if (next === 'missing') return logger.error('Webhook delivery: notification not found; left to the outbox to send again', { userId, notificationId });
  if ('dead' in next) return gaveUp(next.dead);
  await attempt(next.attempt, next.registration, next.notification);
}

/** One signed POST, and its outcome recorded with the timer in one transaction. */
async function attempt(delivery: Claimed, registration: WebhookRegistration, notification: Notification): Promise<void> {
  const body = JSON.stringify(webhookPayload(notification));
  const sentAt = clock.now();
  const outcome = await postToWebhook(registration.url, body, { [SIGNATURE_HEADER]: signWebhook(registration.secret, body, sentAt.getTime() / 1000) });
  const now = clock.nowIso();
  const next = afterAttempt(delivery, outcome, now, Math.random());
  const timer: Write = next.state === 'PENDING' && next.nextAttemptAt !== null ? setTimer(retryTimer(next, next.nextAttemptAt), now) : cancelTimer(WEBHOOK_RETRY, delivery.notificationId);
  if (next.state !== 'DELIVERED') logger.info('Webhook attempt failed', { userId: delivery.userId, notificationId: delivery.notificationId, attempts: next.attempts, outcome });
  const recorded = await runCommand({
    subject: 'webhook delivery',
    load: async () => undefined,
    decide: () => ({ writes: [updateDelivery(next, delivery), timer], result: true }),
    // Another worker took the delivery over after this one's lease ran out; its outcome (and its event) stands.
    alreadyDone: { guards: ['deliveryUnchanged'], result: false },
    maxAttempts: 1,
  });
  if (recorded && next.state === 'DEAD') await gaveUp(next);
}

const gaveUp = (delivery: WebhookDelivery) =>
  businessEvent('WebhookDead', { userId: delivery.userId, notificationId: delivery.notificationId, attempts: delivery.attempts, lastStatus: delivery.lastStatus });
