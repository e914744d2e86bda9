import { webhookRoutes } from '../../lib/routes/webhooks.js';
import { httpFunction } from '../platform/http.js';
import * as webhooks from '../services/webhooks.js';

export const handler = httpFunction(webhookRoutes, {
  'PUT /v1/me/webhook': async ({ principal, body }) => ({ body: await webhooks.registerWebhook(principal, body) }),
  'DELETE /v1/me/webhook': async ({ principal }) => ({ body: await webhooks.removeWebhook(principal) }),
  'GET /v1/me/webhook/deliveries': async ({ principal, query }) => ({ body: await webhooks.myDeliveries(principal, query) }),
});
