/**
 * Notifications (DOMAIN.md "Notifications"): whoever must act on something, or loses something by not
 * acting, is told — in the inbox, and by a signed webhook if they registered one. Pure: what a
 * notification is and when it counts as read. Who is told what, in which words, is in
 * domain/notification-texts.ts; each use case writes those drafts in the transaction that causes them.
 */

/** Every kind of notification; a webhook registration may subscribe to some of them (API.md). */
export const NOTIFICATION_TYPES = [
  'ORDER_SHIPPED',
  'ORDER_DELIVERED',
  'ORDER_AUTO_CANCELLED',
  'PROTECTION_ENDING',
  'DISPUTE_OPENED',
  'DISPUTE_COUNTER_OFFER',
  'DISPUTE_DECIDED',
  'DISPUTE_APPEALED',
  'REFUND_STATUS',
  'DEADLINE_REMINDER',
  'REVIEW_PUBLISHED',
  'REVIEW_REJECTED',
  'SELLER_REPLIED',
  'NEW_MESSAGE',
  'VERIFICATION_DECIDED',
  'LISTING_DECIDED',
  'PENALTY_POINTS',
  'SELLER_RESTRICTED',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** What a notification is about, so a client can open it. */
export const NOTIFICATION_SUBJECTS = ['order', 'dispute', 'refund', 'review', 'conversation', 'product', 'seller'] as const;
export type NotificationSubject = { kind: (typeof NOTIFICATION_SUBJECTS)[number]; id: string };

export interface Notification {
  /** The recipient: the inbox it lands in. */
  userId: string;
  /** Time-ordered (a ULID): newest first is descending id order, and "read up to" is an id. */
  notificationId: string;
  type: NotificationType;
  title: string;
  /** Plain words for the recipient; never another user's private data (a seller is not told who reviewed). */
  body: string;
  subject: NotificationSubject;
  /** The deadline it warns about, if any. */
  dueAt: string | null;
  createdAt: string;
}

/** What a use case decides to tell someone; the id and the time are given when it is written. */
export type NotificationDraft = Omit<Notification, 'notificationId' | 'createdAt'>;

/** Read once the recipient marked it or a newer one as read (`POST /v1/me/notifications/read { upTo }`). */
export const isRead = (notification: Pick<Notification, 'notificationId'>, readUpTo: string | null): boolean =>
  readUpTo !== null && notification.notificationId <= readUpTo;

/**
 * The unread count, when a page of the inbox (newest first) tells it: the page reaches the read marker,
 * or it is the whole inbox. Otherwise undefined: unread notifications lie beyond the page and are counted.
 */
export function unreadFromPage(page: readonly Pick<Notification, 'notificationId'>[], readUpTo: string | null, isWholeInbox: boolean): number | undefined {
  const unread = page.filter((notification) => !isRead(notification, readUpTo)).length;
  return unread < page.length || isWholeInbox ? unread : undefined;
}

/** Marking `upTo` read moves the marker forward only: marking an older one changes nothing. */
export const newReadMarker = (readUpTo: string | null, upTo: string): string | null => (readUpTo !== null && readUpTo >= upTo ? null : upTo);
