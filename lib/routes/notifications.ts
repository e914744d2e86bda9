/**
 * The notifications function's routes (API.md "Notifications"). lib/manifest.ts gathers every group; the
 * function imports only its own, so its bundle carries only the schemas it validates.
 */
import * as notifications from '../../lambdas/contract/notifications.js';
import { ListQuery } from '../../lambdas/contract/shared.js';
import { parties } from './roles.js';
import type { RouteSpec } from './spec.js';

export const notificationRoutes = {
  'GET /v1/me/notifications': { fn: 'notifications', tag: 'Notifications', summary: 'My notifications, newest first, with the unread count', auth: 'required', roles: parties, query: ListQuery, success: { status: 200, body: notifications.NotificationPage } },
  'POST /v1/me/notifications/read': {
    fn: 'notifications',
    tag: 'Notifications',
    summary: 'Mark a notification of mine and every older one read',
    auth: 'required',
    roles: parties,
    body: notifications.MarkNotificationsRead,
    success: { status: 200, body: notifications.NotificationInbox },
  },
} as const satisfies Record<string, RouteSpec>;
