/**
 * Telling people (DOMAIN.md "Notifications"). A use case that must tell someone adds `notify(drafts, now)`
 * to its decision: the notifications are written in its own transaction (the inbox can never miss one),
 * and each is handed to the webhook-delivery queue through an outbox (services/outbox.ts): sent right
 * after the commit, sent again by its timer if that send was lost, until the delivery worker takes it.
 */
import * as z from 'zod/mini';
import type { NotificationDraft } from '../domain/notifications.js';
import { newId } from '../platform/ids.js';
import { notificationWrites } from '../store/notifications.js';
import type { Timer } from '../store/timers.js';
import type { Write } from '../store/transactions.js';
import type { AfterCommit } from './command.js';
import { outbox } from './outbox.js';

/** What the webhook-delivery queue carries: which notification of whose inbox to deliver. */
export const NotificationDispatch = z.object({ userId: z.string(), notificationId: z.string() });
export type NotificationDispatch = z.infer<typeof NotificationDispatch>;

/**
 * `@__PURE__`: a bundle that imports this module but never uses the outbox may drop it. The delivery
 * worker does use it (`dispatched`), so its bundle carries the queue sender, never called there. The
 * timer's presence is the request still waiting: the worker removes it (`dispatched`) with its work.
 */
export const notificationOutbox = /* @__PURE__ */ outbox<NotificationDispatch>({
  kind: 'NOTIFICATION_DISPATCH',
  queue: 'webhookDeliveries',
  message: NotificationDispatch,
  entityId: (dispatch) => dispatch.notificationId,
  stillWaiting: () => Promise.resolve(true),
});

/** The outbox timer fired: the delivery worker has not taken it yet, so it is sent again. */
export const retryNotificationDispatch = (timer: Timer): Promise<void> => notificationOutbox.retry(timer);

/** Written with the delivery worker's work: the notification was taken, no more re-sends. */
export const dispatched = (dispatch: NotificationDispatch) => notificationOutbox.done(dispatch);

/** The writes and after-commit sends that tell each draft's recipient, for the decision's one transaction. */
export function notify(drafts: readonly NotificationDraft[], now: string): { writes: Write[]; afterCommit: AfterCommit[] } {
  const notifications = drafts.map((draft) => ({ ...draft, notificationId: newId('ntf'), createdAt: now }));
  const sends = notifications.map(({ userId, notificationId }) => notificationOutbox.send({ userId, notificationId }, now));
  return {
    writes: [...notificationWrites(notifications), ...sends.map((send) => send.write)],
    afterCommit: sends.map((send) => send.afterCommit),
  };
}
