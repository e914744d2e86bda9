/**
 * Reminder timers (DOMAIN.md "Notifications"): one REMINDER timer per deadline warned about, written in
 * the transaction that sets the deadline, moved with it, removed in the transaction of the action that
 * makes it moot. When it fires, the deadline is checked against the current state and the notification
 * is written with the timer's removal in one transaction: a reminder is sent once, and not at all when
 * the deadline moved or the party acted. The sweep reads only due timers (store/timers.ts), so waiting
 * reminders cost it nothing.
 */
import * as z from 'zod/mini';
import { deadlineReminder, protectionEndingNotification, REMINDED_DEADLINES } from '../domain/notification-texts.js';
import type { NotificationDraft } from '../domain/notifications.js';
import type { Dispute } from '../domain/disputes.js';
import type { Order } from '../domain/orders.js';
import { disputeReminders, disputeReminderStands, protectionReminder, protectionReminderStands, remindAt } from '../domain/reminders.js';
import { clock } from '../platform/clock.js';
import { getDisputeWithTimeline } from '../store/disputes.js';
import { getOrder } from '../store/orders.js';
import { cancelTimer, setTimer, settleTimer, type Timer } from '../store/timers.js';
import { guarded, type Write } from '../store/transactions.js';
import { runCommand } from './command.js';
import { notify } from './notifications.js';

const PROTECTION = 'protection';

/** What a REMINDER timer warns about: the deadline of a dispute or the end of an order's protection, and when it is due. */
const ReminderPayload = z.union([
  z.object({ subject: z.literal('dispute'), disputeId: z.string(), deadline: z.enum(REMINDED_DEADLINES), due: z.string() }),
  z.object({ subject: z.literal('order'), orderId: z.string(), deadline: z.literal(PROTECTION), due: z.string() }),
]);
type ReminderPayload = z.infer<typeof ReminderPayload>;

const entityOf = (payload: Pick<ReminderPayload, 'deadline'> & ({ disputeId: string } | { orderId: string })): string =>
  'disputeId' in payload ? `${payload.disputeId}#${payload.deadline}` : `${payload.orderId}#${payload.deadline}`;

/**
 * Sets, moves or removes reminder timers as the deadlines go from `before` to `after`. A deadline whose
 * reminder time has passed already gets none: whoever it concerns was told of it when it was set.
 */
function follow<N extends string>(before: Partial<Record<N, string>>, after: Partial<Record<N, string>>, payloadOf: (name: N, due: string) => ReminderPayload, kind: 'deadline' | 'protection', now: string): Write[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)] as N[]);
  return [...names].flatMap((name) => {
    const was = before[name];
    const is = after[name];
    if (is === was) return [];
    const payload = is ? payloadOf(name, is) : undefined;
    const at = is ? remindAt(kind, is) : undefined;
    if (payload && at && at > now) return [setTimer({ kind: 'REMINDER', entityId: entityOf(payload), dueAt: at, payload }, now)];
    return was ? [cancelTimer('REMINDER', entityOf(payloadOf(name, was)))] : [];
  });
}

/** The reminder timers a dispute's change writes: its reminded deadlines as they were and are. */
export const disputeReminderTimers = (before: Dispute | null, after: Dispute, now: string): Write[] =>
  follow(disputeReminders(before), disputeReminders(after), (deadline, due) => ({ subject: 'dispute', disputeId: after.disputeId, deadline, due }), 'deadline', now);

/** The protection-ending reminder an order's change writes: set at shipment, moved by an extension, gone with completion or a dispute. */
export const protectionReminderTimers = (before: Order, after: Order, now: string): Write[] => {
  const ending = (order: Order): Partial<Record<typeof PROTECTION, string>> => {
    const endsAt = protectionReminder(order);
    return endsAt ? { [PROTECTION]: endsAt } : {};
  };
  return follow(ending(before), ending(after), (deadline, due) => ({ subject: 'order', orderId: after.orderId, deadline, due }), 'protection', now);
};

/** What a fired reminder tells, if it still stands. */
async function reminderFor(payload: ReminderPayload, now: string): Promise<NotificationDraft | null> {
  if (payload.subject === 'order') {
    const order = await getOrder(payload.orderId);
    return order && protectionReminderStands(order, payload.due, now) ? protectionEndingNotification(order, payload.due) : null;
  }
  const found = await getDisputeWithTimeline(payload.disputeId);
  return found && disputeReminderStands(found.dispute, payload.deadline, payload.due, now) ? deadlineReminder(found.dispute, payload.deadline, payload.due) : null;
}

/**
 * A REMINDER timer fired: the notification (if the deadline still stands) and the timer's removal in one
 * transaction, guarded by the timer as read — a second sweep, or a moved deadline, finds nothing to send.
 */
export function fireReminder(timer: Timer): Promise<void> {
  const payload = ReminderPayload.safeParse(timer.payload);
  return runCommand({
    subject: 'reminder',
    load: async () => (payload.success ? reminderFor(payload.data, clock.nowIso()) : null),
    decide: (draft, now) => {
      const told = notify(draft ? [draft] : [], now);
      return { writes: [guarded('timerUnmoved', settleTimer(timer)), ...told.writes], result: undefined, afterCommit: told.afterCommit };
    },
    alreadyDone: { guards: ['timerUnmoved'], result: undefined },
  });
}
