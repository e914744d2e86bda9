/** The inbox (API.md "Notifications"). */
import * as z from 'zod/mini';
import { NOTIFICATION_SUBJECTS, NOTIFICATION_TYPES } from '../domain/notifications.js';
import { Timestamp, described, idParam } from './shared.js';

export const NotificationType = described(z.enum(NOTIFICATION_TYPES), { id: 'NotificationType' });

export const Notification = described(
  z.object({
    id: z.string(),
    type: NotificationType,
    title: z.string(),
    body: z.string(),
    subject: described(z.object({ kind: z.enum(NOTIFICATION_SUBJECTS), id: z.string() }), { description: 'What it is about, so a client can open it.' }),
    dueAt: described(z.optional(Timestamp), { description: 'The deadline it warns about.' }),
    createdAt: Timestamp,
    read: z.boolean(),
  }),
  { id: 'Notification' },
);

export const NotificationPage = described(
  z.object({
    items: z.array(Notification),
    unreadCount: described(z.int(), { description: 'Notifications newer than the read marker, in the whole inbox.' }),
    nextCursor: z.nullable(z.string()),
  }),
  { id: 'NotificationPage' },
);

export const MarkNotificationsRead = described(z.strictObject({ upTo: described(idParam('ntf'), { description: 'This notification and every older one become read.' }) }), { id: 'MarkNotificationsRead' });

export const NotificationInbox = described(
  z.object({ readUpTo: described(z.nullable(z.string()), { description: 'The newest notification marked read.' }), unreadCount: z.int() }),
  { id: 'NotificationInbox' },
);
