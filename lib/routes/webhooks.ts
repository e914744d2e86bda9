/**
 * The webhooks function's routes (API.md "Notifications"): a user's one webhook and its deliveries.
 * lib/manifest.ts gathers every group; the function imports only its own.
 */
import * as webhooks from '../../lambdas/contract/webhooks.js';
import { ListQuery } from '../../lambdas/contract/shared.js';
import { parties } from './roles.js';
import type { RouteSpec } from './spec.js';

export const webhookRoutes = {
  'PUT /v1/me/webhook': { fn: 'webhooks', tag: 'Notifications', summary: 'Register my webhook (or replace it, rotating its secret); the secret is shown only here', auth: 'required', roles: parties, body: webhooks.RegisterWebhook, success: { status: 200, body: webhooks.Webhook } },
  'DELETE /v1/me/webhook': { fn: 'webhooks', tag: 'Notifications', summary: 'Remove my webhook', auth: 'required', roles: parties, success: { status: 204, body: null } },
  'GET /v1/me/webhook/deliveries': { fn: 'webhooks', tag: 'Notifications', summary: 'Recent deliveries to my webhook, newest first, with their attempts and state', auth: 'required', roles: parties, query: ListQuery, success: { status: 200, body: webhooks.WebhookDeliveryPage } },
} as const satisfies Record<string, RouteSpec>;
