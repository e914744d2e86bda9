/**
 * A user's webhook in the single table: its registration and its deliveries share one partition, so
 * "my recent deliveries" is one Query (delivery ids are notification ids, ULIDs: descending is newest
 * first) and the registration is one GetItem. Deliveries expire (TTL) a month after their notification.
 *
 *   USER#<userId>#WEBHOOK / WEBHOOK             the registration (url, events, secret)
 *   USER#<userId>#WEBHOOK / D#<notificationId>  one delivery (state, attempts, lastStatus, nextAttemptAt)
 */
import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { NOTIFICATION_TYPES } from '../domain/notifications.js';
import { DELIVERY_STATES, type WebhookDelivery, type WebhookRegistration } from '../domain/webhooks.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, nullableString, schemaOf } from './entity.js';
import { guarded, put, putNew, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** No delivery of this notification exists yet: a redelivered queue message finds the first one's. */
    deliveryNew: true;
    /** The delivery is still as it was read (state and attempts): no other worker recorded an attempt meanwhile. */
    deliveryUnchanged: true;
  }
}

const webhookPartition = (userId: string) => `USER#${userId}#WEBHOOK`;
const DELIVERY_PREFIX = 'D#';
/** Deliveries are listed for a month; the table's TTL removes them after that. */
const DELIVERY_TTL_SECONDS = 30 * 24 * 60 * 60;

export const webhookEntity = defineEntity({
  name: 'webhook registration',
  schema: schemaOf<WebhookRegistration>()(
    z.object({ userId: z.string(), url: z.string(), events: z.array(z.enum(NOTIFICATION_TYPES)), secret: z.string(), createdAt: z.string(), updatedAt: z.string() }),
  ),
  patterns: { PK: 'USER#<userId>#WEBHOOK', SK: 'WEBHOOK' },
  key: ({ userId }: { userId: string }) => ({ PK: webhookPartition(userId), SK: 'WEBHOOK' }),
});

export const deliveryEntity = defineEntity({
  name: 'webhook delivery',
  schema: schemaOf<WebhookDelivery>()(
    z.object({
      userId: z.string(),
      notificationId: z.string(),
      state: z.enum(DELIVERY_STATES),
      attempts: z.int(),
      lastStatus: z.nullable(z.int()),
      nextAttemptAt: nullableString,
      firstAttemptAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
  patterns: { PK: 'USER#<userId>#WEBHOOK', SK: 'D#<notificationId>' },
  key: ({ userId, notificationId }: { userId: string; notificationId: string }) => ({ PK: webhookPartition(userId), SK: `${DELIVERY_PREFIX}${notificationId}` }),
});

export async function getWebhook(userId: string): Promise<WebhookRegistration | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: webhookEntity.key({ userId }), ConsistentRead: true }));
  return Item ? webhookEntity.parse(Item) : undefined;
}

/** Registers, or replaces the registration whole (a new URL, events and secret). */
export const putWebhook = (registration: WebhookRegistration): Write => put(webhookEntity.item(registration));

/** Removes the registration; pending deliveries find none at their next attempt and stop. */
export async function deleteWebhook(userId: string): Promise<void> {
  await documentClient().send(new DeleteCommand({ TableName: tableName(), Key: webhookEntity.key({ userId }) }));
}

export async function getDelivery(userId: string, notificationId: string): Promise<WebhookDelivery | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: deliveryEntity.key({ userId, notificationId }), ConsistentRead: true }));
  return Item ? deliveryEntity.parse(Item) : undefined;
}

const expiresAt = (delivery: WebhookDelivery): number => Math.floor(new Date(delivery.firstAttemptAt).getTime() / 1000) + DELIVERY_TTL_SECONDS;
const deliveryItem = (delivery: WebhookDelivery) => ({ ...deliveryEntity.item(delivery), expiresAt: expiresAt(delivery) });

/** The first record of a notification's delivery; refused (`deliveryNew`) if a redelivered message made it already. */
export const createDelivery = (delivery: WebhookDelivery): Write => guarded('deliveryNew', putNew(deliveryItem(delivery)));

/** A pending delivery's next state, only over the one that was read (`deliveryUnchanged`). */
export const updateDelivery = (next: WebhookDelivery, read: { state: 'PENDING'; attempts: number; nextAttemptAt: string }): Write =>
  guarded(
    'deliveryUnchanged',
    put(deliveryItem(next), {
      expression: '#state = :state AND attempts = :attempts AND nextAttemptAt = :next',
      names: { '#state': 'state' },
      values: { ':state': read.state, ':attempts': read.attempts, ':next': read.nextAttemptAt },
    }),
  );

/** One page of a user's deliveries, newest first: one Query. */
export async function listDeliveries(userId: string, limit: number, startKey: Record<string, unknown> | undefined): Promise<{ deliveries: WebhookDelivery[]; lastKey: Record<string, unknown> | undefined }> {
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': webhookPartition(userId), ':prefix': DELIVERY_PREFIX },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { deliveries: (page.Items ?? []).map(deliveryEntity.parse), lastKey: page.LastEvaluatedKey };
}
