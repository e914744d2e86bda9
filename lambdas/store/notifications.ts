/**
 * Notifications in the single table: one partition per recipient, `N#<notificationId>` items (ULIDs, so
 * descending sort-key order is newest first). Each is a new item with its own key, written in the
 * transaction that causes it: notifying a busy seller never makes two unrelated use cases collide on a
 * shared item (an unread counter ADDed in every transaction would). The keys are in the entity
 * definition; docs/architecture.md lists them.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { NOTIFICATION_SUBJECTS, NOTIFICATION_TYPES, type Notification } from '../domain/notifications.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, nullableString, schemaOf } from './entity.js';
import { putNew, type Write } from './transactions.js';

/** The recipient's partition: their notifications and, sorted after them, the inbox's own state. */
export const inboxPartition = (userId: string) => `USER#${userId}#NOTIFICATIONS`;
export const NOTIFICATION_PREFIX = 'N#';

export const notificationEntity = defineEntity({
  name: 'notification',
  schema: schemaOf<Notification>()(
    z.object({
      userId: z.string(),
      notificationId: z.string(),
      type: z.enum(NOTIFICATION_TYPES),
      title: z.string(),
      body: z.string(),
      subject: z.object({ kind: z.enum(NOTIFICATION_SUBJECTS), id: z.string() }),
      dueAt: nullableString,
      createdAt: z.string(),
    }),
  ),
  patterns: { PK: 'USER#<userId>#NOTIFICATIONS', SK: 'N#<notificationId>' },
  key: ({ userId, notificationId }: { userId: string; notificationId: string }) => ({ PK: inboxPartition(userId), SK: `${NOTIFICATION_PREFIX}${notificationId}` }),
});

/** New notifications, for the transaction that causes them (their ids are new: nothing to collide with). */
export const notificationWrites = (notifications: readonly Notification[]): Write[] => notifications.map((notification) => putNew(notificationEntity.item(notification)));

export async function getNotification(userId: string, notificationId: string): Promise<Notification | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: notificationEntity.key({ userId, notificationId }) }));
  return Item ? notificationEntity.parse(Item) : undefined;
}
