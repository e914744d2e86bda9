/**
 * Reminders before deadlines (DOMAIN.md "Notifications"): 48 h before the seller's response deadline,
 * the buyer's counter-offer answer deadline and the return shipment deadline; 3 days before buyer
 * protection ends. Pure: which reminders a dispute or an order calls for now, when each fires, and
 * whether one that fires still stands — the deadline it warns about unchanged, and the party it warns
 * still has to act. A reminder that no longer stands is dropped, never sent.
 */
import type { Dispute } from './disputes.js';
import { hasOpenDispute, type Order } from './orders.js';
import { awaitingReturnShipment, REMINDED_DEADLINES, type RemindedDeadline } from './notification-texts.js';
import { addMs } from './time.js';

const HOUR_MS = 3_600_000;
export const DEADLINE_REMINDER_MS = 48 * HOUR_MS;
export const PROTECTION_REMINDER_MS = 72 * HOUR_MS;

/** The dispute states in which each reminded deadline is the acting party's to meet. */
const whoMustAct: Record<RemindedDeadline, (dispute: Dispute) => boolean> = {
  sellerResponse: (dispute) => dispute.status === 'AWAITING_SELLER',
  buyerResponse: (dispute) => dispute.status === 'COUNTER_OFFERED',
  returnShipment: awaitingReturnShipment,
};

/** The deadlines of a dispute a reminder warns about now: set, and still someone's to meet. */
export function disputeReminders(dispute: Dispute | null): Partial<Record<RemindedDeadline, string>> {
  if (!dispute) return {};
  const reminders: Partial<Record<RemindedDeadline, string>> = {};
  for (const name of REMINDED_DEADLINES) {
    const due = dispute.deadlines[name];
    if (due && whoMustAct[name](dispute)) reminders[name] = due;
  }
  return reminders;
}

/** A fired reminder still stands: its deadline unchanged, still someone's to meet, and not passed (after an outage). */
export const disputeReminderStands = (dispute: Dispute, name: RemindedDeadline, due: string, now: string): boolean => disputeReminders(dispute)[name] === due && now < due;

/** When buyer protection ends, while the buyer could still act on it: the order open, no dispute running. */
export const protectionReminder = (order: Order): string | null =>
  (order.status === 'SHIPPED' || order.status === 'DELIVERED') && order.protectionEndsAt !== null && !hasOpenDispute(order) ? order.protectionEndsAt : null;

export const protectionReminderStands = (order: Order, endsAt: string, now: string): boolean => protectionReminder(order) === endsAt && now < endsAt;

/** When the reminder of a deadline fires. */
export const remindAt = (kind: 'deadline' | 'protection', due: string): string => addMs(due, -(kind === 'deadline' ? DEADLINE_REMINDER_MS : PROTECTION_REMINDER_MS));
