import { notificationRoutes } from '../../lib/routes/notifications.js';
import { httpFunction } from '../platform/http.js';
import { markNotificationsRead, myNotifications } from '../services/notifications-inbox.js';

export const handler = httpFunction(notificationRoutes, {
  'GET /v1/me/notifications': async ({ principal, query }) => ({ body: await myNotifications(principal, query) }),
  'POST /v1/me/notifications/read': async ({ principal, body }) => ({ body: await markNotificationsRead(principal, body.upTo) }),
});
