/**
 * The inbox (API.md "Notifications"): my notifications newest first with the unread count, and marking
 * them read. Apart from services/notifications.ts, which every notifying use case and the delivery
 * worker bundle: none of them needs the inbox's reads.
 */
import { notFound } from '../domain/errors.js';
import { isRead, newReadMarker, unreadFromPage, type Notification } from '../domain/notifications.js';
import { webhookPayload } from '../domain/webhooks.js';
import type { Principal } from '../platform/auth.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { countUnread, getInboxState, getNotification, inboxPage, readMarkerWrite } from '../store/notifications.js';
import { runCommand } from './command.js';

/** A notification as the inbox lists it: what a webhook delivery POSTs, and whether it is read. */
export const notificationView = (notification: Notification, readUpTo: string | null) => ({ ...webhookPayload(notification), read: isRead(notification, readUpTo) });

/**
 * My notifications, newest first, with the unread count. The first page is one Query (the inbox's state
 * comes with it); the count costs a COUNT Query of the unread ids only when they reach past the page.
 */
export async function myNotifications(principal: Principal, query: { limit: number; cursor?: string | undefined }) {
  const scope = `notifications:${principal.userId}`;
  const page = await inboxPage(principal.userId, query.limit, decodeCursor(query.cursor, scope));
  const firstPageTells = query.cursor === undefined ? unreadFromPage(page.notifications, page.readUpTo, page.lastKey === undefined) : undefined;
  const unreadCount = firstPageTells ?? (await countUnread(principal.userId, page.readUpTo));
  return { items: page.notifications.map((notification) => notificationView(notification, page.readUpTo)), unreadCount, nextCursor: encodeCursor(page.lastKey, scope) };
}

/**
 * Marks `upTo` and every older notification read. An id not in the caller's inbox — unknown, or another
 * user's — is 404, the same answer either way. Marking one older than the marker changes nothing.
 */
export async function markNotificationsRead(principal: Principal, upTo: string) {
  const { userId } = principal;
  const readUpTo = await runCommand({
    subject: 'inbox',
    load: async () => {
      const [notification, state] = await Promise.all([getNotification(userId, upTo), getInboxState(userId)]);
      if (!notification) throw notFound('Notification', upTo);
      return state?.readUpTo ?? null;
    },
    decide: (current: string | null, now) => {
      const marker = newReadMarker(current, upTo);
      return marker === null ? { writes: [], result: current } : { writes: [readMarkerWrite({ userId, readUpTo: marker, updatedAt: now })], result: marker };
    },
    // A newer notification was marked meanwhile: deciding again keeps that one.
    refusals: { readMarkerBehind: () => 'retry' as const },
  });
  return { readUpTo, unreadCount: await countUnread(userId, readUpTo) };
}
