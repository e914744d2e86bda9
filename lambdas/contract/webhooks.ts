import * as z from 'zod/mini';
import { NOTIFICATION_TYPES } from '../domain/notifications.js';
import { NotificationType } from './notifications.js';
import { DELIVERY_STATES } from '../domain/webhooks.js';
import { WEBHOOK_URL_MAX_LENGTH } from '../domain/webhook-targets.js';
import { described, page, Timestamp } from './shared.js';

export const RegisterWebhook = described(
  z.strictObject({
    url: described(z.string().check(z.trim(), z.minLength(1), z.maxLength(WEBHOOK_URL_MAX_LENGTH)), {
      description: 'https URL without credentials whose host resolves only to public addresses (the local host also allows http://127.0.0.1 and localhost).',
      example: 'https://hooks.example.com/aftersale',
    }),
    events: z.optional(described(z.array(NotificationType).check(z.maxLength(NOTIFICATION_TYPES.length)), { description: 'The types delivered; all of them when absent or empty.' })),
  }),
  { id: 'RegisterWebhook' },
);

export const Webhook = described(
  z.object({
    url: z.string(),
    events: z.array(NotificationType),
    secret: described(z.string(), { description: 'The signing secret (HMAC-SHA256 key: its UTF-8 bytes), shown only in this answer; registering again rotates it.' }),
  }),
  { id: 'Webhook' },
);

export const WebhookDelivery = described(
  z.object({
    notificationId: z.string(),
    attempts: z.int(),
    lastStatus: described(z.nullable(z.int()), { description: "The last attempt's HTTP status; null before one, or when it got no answer (refused address, timeout)." }),
    nextAttemptAt: z.nullable(Timestamp),
    state: z.enum(DELIVERY_STATES),
  }),
  { id: 'WebhookDelivery' },
);

export const WebhookDeliveryPage = page(WebhookDelivery, 'WebhookDeliveryPage');
