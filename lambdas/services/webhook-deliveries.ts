/**
 * Webhook deliveries of notifications (DOMAIN.md "Notifications"). A notification handed over by the
 * outbox (services/notifications.ts) is taken off it here; with no webhook registered there is nothing to
 * deliver, and removing the outbox timer is all the work (idempotent: a redelivered message removes nothing).
 */
import { transact } from '../store/transactions.js';
import { dispatched, type NotificationDispatch } from './notifications.js';

export async function takeForDelivery(dispatch: NotificationDispatch): Promise<void> {
  await transact([dispatched(dispatch)]);
}
