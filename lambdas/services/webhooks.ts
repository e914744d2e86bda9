/**
 * A user's webhook (API.md "Notifications"): registered with a URL that may be called (checked against
 * every address its host resolves to: platform/outbound-http.ts), a fresh secret each time, and the
 * deliveries' recent history.
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { NotificationType } from '../domain/notifications.js';
import { subscribedTypes, type WebhookRegistration } from '../domain/webhooks.js';
import type { Principal } from '../platform/auth.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { checkWebhookUrl } from '../platform/outbound-http.js';
import { deleteWebhook, getWebhook, listDeliveries, putWebhook } from '../store/webhooks.js';
import { runCommand } from './command.js';

/** 32 random bytes, as text a receiver can paste (the HMAC key is the text's UTF-8 bytes). */
const newSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

export async function registerWebhook(principal: Principal, body: { url: string; events?: NotificationType[] | undefined }) {
  const checked = await checkWebhookUrl(body.url);
  if ('refused' in checked) throw new DomainError('WEBHOOK_URL_NOT_ALLOWED', `This webhook URL is not allowed: ${checked.refused}.`, [{ path: 'url', message: checked.refused }]);
  const registration = await runCommand({
    subject: 'webhook',
    load: () => getWebhook(principal.userId),
    decide: (existing, now) => {
      const next: WebhookRegistration = { userId: principal.userId, url: checked.target.url.href, events: subscribedTypes(body.events), secret: newSecret(), createdAt: existing?.createdAt ?? now, updatedAt: now };
      return { writes: [putWebhook(next)], result: next };
    },
  });
  return { url: registration.url, events: registration.events, secret: registration.secret };
}

/** Removing what is not there is no error: the answer is the same either way. */
export async function removeWebhook(principal: Principal): Promise<string> {
  await deleteWebhook(principal.userId);
  return '';
}

export async function myDeliveries(principal: Principal, query: { limit: number; cursor?: string | undefined }) {
  const scope = `webhook-deliveries:${principal.userId}`;
  const { deliveries, lastKey } = await listDeliveries(principal.userId, query.limit, decodeCursor(query.cursor, scope));
  return {
    items: deliveries.map(({ notificationId, attempts, lastStatus, nextAttemptAt, state }) => ({ notificationId, attempts, lastStatus, nextAttemptAt, state })),
    nextCursor: encodeCursor(lastKey, scope),
  };
}
