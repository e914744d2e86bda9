/**
 * Notifications in the single table: one partition per recipient, `N#<notificationId>` items (ULIDs, so
 * descending sort-key order is newest first). Each is a new item with its own key, written in the
 * transaction that causes it: notifying a busy seller never makes two unrelated use cases collide on a
 * shared item (an unread counter ADDed in every transaction would). The keys are in the entity
 * definition; docs/architecture.md lists them.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { NOTIFICATION_SUBJECTS, NOTIFICATION_TYPES, type Notification } from '../domain/notifications.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import { defineEntity, nullableString, schemaOf } from './entity.js';
import { guarded, put, putNew, type Write } from './transactions.js';

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

/** Consistent: the delivery worker reads it right after the transaction that wrote it commits. */
export async function getNotification(userId: string, notificationId: string): Promise<Notification | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: notificationEntity.key({ userId, notificationId }), ConsistentRead: true }));
  return Item ? notificationEntity.parse(Item) : undefined;
}

/**
 * The inbox's own state: how far its owner has read. It sorts after every `N#…` item, so the first page
 * of a descending Query reads it together with the newest notifications (one call). Written only by the
 * owner marking notifications read, never by the transactions that notify.
 */
const INBOX_STATE = 'STATE';

export interface InboxState {
  userId: string;
  /** The newest notification marked read: it and every older one are read. */
  readUpTo: string;
  updatedAt: string;
}

export const inboxStateEntity = defineEntity({
  name: 'notificationInbox',
  schema: schemaOf<InboxState>()(z.object({ userId: z.string(), readUpTo: z.string(), updatedAt: z.string() })),
  patterns: { PK: 'USER#<userId>#NOTIFICATIONS', SK: 'STATE' },
  key: ({ userId }: { userId: string }) => ({ PK: inboxPartition(userId), SK: INBOX_STATE }),
});

declare module './transactions.js' {
  interface Guards {
    /** The read marker is still behind the one being set (a newer mark since it was read wins). */
    readMarkerBehind: true;
  }
}

/** Moves the read marker forward only: a concurrent mark of a newer notification is never undone. */
export const readMarkerWrite = (state: InboxState): Write =>
  guarded('readMarkerBehind', put(inboxStateEntity.item(state), { expression: 'attribute_not_exists(readUpTo) OR readUpTo < :readUpTo', values: { ':readUpTo': state.readUpTo } }));

type Key = Record<string, unknown>;

export interface InboxPage {
  notifications: Notification[];
  /** Read with the first page; a later page reads it with its own GetItem. */
  readUpTo: string | null;
  lastKey?: Key;
}

/**
 * One page of the inbox, newest first. The first page reads from the state item down (one Query, one
 * more item than asked so the state does not take a notification's place); a later page resumes after
 * its cursor and reads the state alongside.
 */
export async function inboxPage(userId: string, limit: number, startKey?: Key): Promise<InboxPage> {
  const first = startKey === undefined;
  const query = documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': inboxPartition(userId), ':from': NOTIFICATION_PREFIX, ':to': first ? INBOX_STATE : NOTIFICATIONS_END },
      ScanIndexForward: false,
      Limit: first ? limit + 1 : limit,
      ExclusiveStartKey: startKey,
    }),
  );
  if (!first) {
    const [page, state] = await Promise.all([query, getInboxState(userId)]);
    return { notifications: (page.Items ?? []).map(notificationEntity.parse), readUpTo: state?.readUpTo ?? null, ...(page.LastEvaluatedKey && { lastKey: page.LastEvaluatedKey }) };
  }
  const page = await query;
  const items = page.Items ?? [];
  const state = items[0]?.SK === INBOX_STATE ? inboxStateEntity.parse(items[0]) : undefined;
  const notifications = (state ? items.slice(1) : items).map(notificationEntity.parse);
  // No state item: the extra item is a notification of the next page, which starts after the last one kept.
  const kept = notifications.slice(0, limit);
  const last = kept.at(-1);
  const lastKey = notifications.length > limit && last ? notificationEntity.key(last) : page.LastEvaluatedKey;
  return { notifications: kept, readUpTo: state?.readUpTo ?? null, ...(lastKey && { lastKey }) };
}

const NOTIFICATIONS_END = `${NOTIFICATION_PREFIX}~`;

export async function getInboxState(userId: string): Promise<InboxState | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: inboxStateEntity.key({ userId }), ConsistentRead: true }));
  return Item ? inboxStateEntity.parse(Item) : undefined;
}

/**
 * How many notifications are newer than `readUpTo` (all of them when null): a COUNT Query of the ids
 * after it, reading only the unread items. Ids have one length, so `<readUpTo>~` sorts after it and
 * before every newer id.
 */
export async function countUnread(userId: string, readUpTo: string | null): Promise<number> {
  let count = 0;
  let cursor: Key | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': inboxPartition(userId), ':from': readUpTo === null ? NOTIFICATION_PREFIX : `${NOTIFICATION_PREFIX}${readUpTo}~`, ':to': NOTIFICATIONS_END },
        Select: 'COUNT',
        ExclusiveStartKey: cursor,
      }),
    );
    count += page.Count ?? 0;
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return count;
}
