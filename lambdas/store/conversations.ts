/**
 * Conversations in the single table. A conversation's partition holds its messages and, sorted after
 * them, the conversation itself (`SUMMARY`): the first page of messages, newest first, is one Query
 * that reads the conversation with them (who may read it), whatever the number of messages. The
 * conversation item sits in both participants' lists by last activity (GSI1 buyer, GSI2 seller) and,
 * once escalated, in the support queue (GSI3, sparse). A key record per (buyer, seller, subject) makes
 * the conversation one. The keys are in the entity definitions below; docs/architecture.md lists them.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { SUBJECT_KINDS, type Conversation, type Message, type MessagePosted, type Side, type Subject } from '../domain/conversations.js';
import { tableName } from '../platform/config.js';
import { documentClient } from './client.js';
import type { Order } from '../domain/orders.js';
import type { Product } from '../domain/products.js';
import { batchGetItems } from './batch.js';
import { defineEntity, nullableString, schemaOf } from './entity.js';
import { idempotencyEntity, type IdempotencyRecord, type IdempotentRequest } from './idempotency.js';
import { orderEntity } from './orders.js';
import { productEntity, productFromItem, productKey } from './products.js';
import { indexPage } from './reads.js';
import { countForSeller } from './sellers.js';
import { guarded, putNew, update, type Write } from './transactions.js';

declare module './transactions.js' {
  interface Guards {
    /** No conversation of this buyer with this seller about this subject exists yet. */
    conversationKeyFree: true;
    /** The conversation has the message count the decision read: no message landed meanwhile. */
    conversationMessages: true;
    /** Neither escalated yet nor answered by the seller since the escalation was decided. */
    conversationEscalatable: true;
  }
}

const SideSchema = z.enum(['buyer', 'seller']);
const AttachmentSchema = z.object({ uploadId: z.string(), key: z.string(), contentType: z.string() });

const ConversationSchema = schemaOf<Conversation>()(
  z.object({
    conversationId: z.string(),
    buyerId: z.string(),
    sellerId: z.string(),
    subject: z.object({ kind: z.enum(SUBJECT_KINDS), id: z.string() }),
    createdAt: z.string(),
    lastActivityAt: z.string(),
    lastMessage: z.nullable(z.object({ from: SideSchema, preview: z.string(), sentAt: z.string() })),
    messageCount: z.int(),
    buyerUnread: z.int(),
    sellerUnread: z.int(),
    buyerReadAt: nullableString,
    sellerReadAt: nullableString,
    firstBuyerMessageAt: nullableString,
    firstResponseAt: nullableString,
    awaitingSellerSince: nullableString,
    escalatedAt: nullableString,
  }),
);

const buyerList = (buyerId: string) => `BUYER#${buyerId}#CONVERSATIONS`;
const sellerList = (sellerId: string) => `SELLER#${sellerId}#CONVERSATIONS`;
const ESCALATED = 'CONVERSATIONS#ESCALATED';
const SUMMARY = 'SUMMARY';
const MESSAGES = 'MSG#';

export const conversationEntity = defineEntity({
  name: 'conversation',
  schema: ConversationSchema,
  patterns: {
    PK: 'CONVERSATION#<conversationId>',
    SK: 'SUMMARY',
    GSI1: 'BUYER#<buyerId>#CONVERSATIONS / <lastActivityAt>#<conversationId>',
    GSI2: 'SELLER#<sellerId>#CONVERSATIONS / <lastActivityAt>#<conversationId>',
    GSI3: 'CONVERSATIONS#ESCALATED / <escalatedAt>#<conversationId>',
  },
  // SUMMARY sorts after every MSG#…: a descending Query of the partition reads it first.
  key: ({ conversationId }: { conversationId: string }) => ({ PK: `CONVERSATION#${conversationId}`, SK: SUMMARY }),
  // GSI3 (the support queue) is sparse: only escalated conversations are in it.
  indexes: (conversation) => {
    const activity = `${conversation.lastActivityAt}#${conversation.conversationId}`;
    return {
      GSI1PK: buyerList(conversation.buyerId),
      GSI1SK: activity,
      GSI2PK: sellerList(conversation.sellerId),
      GSI2SK: activity,
      ...(conversation.escalatedAt !== null && { GSI3PK: ESCALATED, GSI3SK: `${conversation.escalatedAt}#${conversation.conversationId}` }),
    };
  },
});

export const messageEntity = defineEntity({
  name: 'message',
  schema: schemaOf<Message>()(
    z.object({
      messageId: z.string(),
      conversationId: z.string(),
      from: SideSchema,
      senderId: z.string(),
      text: z.string(),
      attachments: z.array(AttachmentSchema),
      sentAt: z.string(),
    }),
  ),
  patterns: { PK: 'CONVERSATION#<conversationId>', SK: 'MSG#<sentAt>#<messageId>' },
  key: ({ conversationId, sentAt, messageId }: { conversationId: string; sentAt: string; messageId: string }) => ({ PK: `CONVERSATION#${conversationId}`, SK: `${MESSAGES}${sentAt}#${messageId}` }),
});

export interface ConversationKey {
  buyerId: string;
  sellerId: string;
  subject: Subject;
}

/** One conversation per (buyer, seller, product-or-order): written with it, it refuses a second. */
export const conversationKeyEntity = defineEntity({
  name: 'conversationKey',
  schema: schemaOf<{ conversationId: string }>()(z.object({ conversationId: z.string() })),
  patterns: { PK: 'CONVERSATIONKEY#<buyerId>#<sellerId>#<kind>#<subjectId>', SK: 'CONVERSATIONKEY' },
  key: ({ buyerId, sellerId, subject }: ConversationKey) => ({ PK: `CONVERSATIONKEY#${buyerId}#${sellerId}#${subject.kind}#${subject.id}`, SK: 'CONVERSATIONKEY' }),
});

// ---- Writes ----

/** A new conversation and its key record; a concurrent create of the same one fails `conversationKeyFree`. */
export const newConversationWrites = (conversation: Conversation): Write[] => [
  putNew(conversationEntity.item(conversation)),
  guarded('conversationKeyFree', putNew(conversationKeyEntity.item({ conversationId: conversation.conversationId }, conversation))),
];

const unreadOf = (side: Side) => (side === 'buyer' ? 'buyerUnread' : 'sellerUnread');
const other = (side: Side): Side => (side === 'buyer' ? 'seller' : 'buyer');

/**
 * A message and what it changes on the conversation, for one transaction. The recipient's unread count
 * is ADDed, so a read marker set meanwhile is never overwritten; the rest (activity, the list's sort
 * keys, waiting since, first response) follows the decision, guarded by the message count it read.
 */
export function messageWrites({ message, conversation: next, counters, countedAt }: MessagePosted, before: Pick<Conversation, 'messageCount' | 'sellerId'>): Write[] {
  const indexes = conversationEntity.indexes(next);
  const set: Record<string, unknown> = {
    lastActivityAt: next.lastActivityAt,
    lastMessage: next.lastMessage,
    firstBuyerMessageAt: next.firstBuyerMessageAt,
    firstResponseAt: next.firstResponseAt,
    awaitingSellerSince: next.awaitingSellerSince,
    GSI1SK: indexes.GSI1SK,
    GSI2SK: indexes.GSI2SK,
  };
  const names = Object.fromEntries(Object.keys(set).map((name, index) => [`#s${index}`, name]));
  const values = Object.fromEntries(Object.values(set).map((value, index) => [`:s${index}`, value]));
  const assignments = Object.keys(set).map((_, index) => `#s${index} = :s${index}`);
  return [
    putNew(messageEntity.item(message)),
    guarded(
      'conversationMessages',
      update(
        conversationEntity.key(next),
        `SET ${assignments.join(', ')} ADD messageCount :one, #unread :one`,
        { ...names, '#unread': unreadOf(other(message.from)) },
        { ...values, ':one': 1 },
        { expression: 'messageCount = :count', values: { ':count': before.messageCount } },
      ),
    ),
    ...countForSeller(before.sellerId, countedAt, counters),
  ];
}

/** The side's read marker: its unread count zeroed and the time it read up to; no read needed first. */
export const readMarkerWrite = (conversationId: string, side: Side, now: string): Write =>
  update(
    conversationEntity.key({ conversationId }),
    `SET #unread = :zero, #readAt = :now`,
    { '#unread': unreadOf(side), '#readAt': side === 'buyer' ? 'buyerReadAt' : 'sellerReadAt' },
    { ':zero': 0, ':now': now },
    { expression: 'attribute_exists(PK)' },
  );

/** Puts the conversation in the support queue, only while it is as the decision read it (unanswered, not escalated). */
export function escalationWrite(before: Pick<Conversation, 'awaitingSellerSince'>, next: Conversation): Write {
  const indexes = conversationEntity.indexes(next);
  return guarded(
    'conversationEscalatable',
    update(
      conversationEntity.key(next),
      'SET escalatedAt = :at, GSI3PK = :pk, GSI3SK = :sk',
      undefined,
      { ':at': next.escalatedAt, ':pk': indexes.GSI3PK, ':sk': indexes.GSI3SK },
      { expression: 'attribute_type(escalatedAt, :null) AND awaitingSellerSince = :since', values: { ':null': 'NULL', ':since': before.awaitingSellerSince } },
    ),
  );
}

// ---- Reads ----

export async function getConversation(conversationId: string): Promise<Conversation | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: conversationEntity.key({ conversationId }), ConsistentRead: true }));
  return Item ? conversationEntity.parse(Item) : undefined;
}

/** The id of the conversation of this buyer with this seller about this subject, if there is one. */
export async function findConversationId(key: ConversationKey): Promise<string | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: conversationKeyEntity.key(key), ConsistentRead: true }));
  return Item ? conversationKeyEntity.parse(Item).conversationId : undefined;
}

/** The live-or-not record of an Idempotency-Key among the items of a batch read, when the request carried one. */
const recordIn = (items: Record<string, unknown>[], idempotency: IdempotentRequest | undefined): IdempotencyRecord | undefined => {
  if (!idempotency) return undefined;
  const key = idempotencyEntity.key(idempotency);
  const item = items.find((candidate) => candidate.PK === key.PK && candidate.SK === key.SK);
  return item && idempotencyEntity.parse(item);
};

/**
 * What starting a conversation reads, in one BatchGetItem: its subject (the order or the listing), the
 * key record of the conversation if it exists already, and the Idempotency-Key's record if any.
 */
export async function readForStart(key: ConversationKey, idempotency?: IdempotentRequest): Promise<{ order?: Order; product?: Product; conversationId?: string; record?: IdempotencyRecord }> {
  const subjectKey = key.subject.kind === 'order' ? orderEntity.key({ orderId: key.subject.id }) : productKey(key.subject.id);
  const items = await batchGetItems([subjectKey, conversationKeyEntity.key(key), ...(idempotency ? [idempotencyEntity.key(idempotency)] : [])], { consistent: true });
  const found = (entity: string) => items.find((item) => item.entity === entity);
  const [order, product, existing, record] = [found(orderEntity.name), found(productEntity.name), found(conversationKeyEntity.name), recordIn(items, idempotency)];
  return {
    ...(order && { order: orderEntity.parse(order) }),
    ...(product && { product: productFromItem(product) }),
    ...(existing && { conversationId: conversationKeyEntity.parse(existing).conversationId }),
    ...(record && { record }),
  };
}

/** The conversation a message goes to, with the Idempotency-Key's record in the same read when there is one. */
export async function readForSend(conversationId: string, idempotency?: IdempotentRequest): Promise<{ conversation?: Conversation; record?: IdempotencyRecord }> {
  if (!idempotency) {
    const conversation = await getConversation(conversationId);
    return conversation ? { conversation } : {};
  }
  const key = conversationEntity.key({ conversationId });
  const items = await batchGetItems([key, idempotencyEntity.key(idempotency)], { consistent: true });
  const conversation = items.find((item) => item.PK === key.PK && item.SK === key.SK);
  const record = recordIn(items, idempotency);
  return { ...(conversation && { conversation: conversationEntity.parse(conversation) }), ...(record && { record }) };
}

/**
 * One page of a conversation's messages, newest first: one Query however long the conversation is. The
 * first page (no `startKey`) also reads the conversation, which sorts after the messages; later pages
 * read messages only.
 */
export async function listMessages(conversationId: string, limit: number, startKey?: Record<string, unknown>): Promise<{ conversation?: Conversation; messages: Message[]; lastKey?: Record<string, unknown> }> {
  const first = startKey === undefined;
  const page = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': conversationEntity.key({ conversationId }).PK, ':from': MESSAGES, ':to': first ? SUMMARY : `${MESSAGES}~` },
      ScanIndexForward: false,
      Limit: first ? limit + 1 : limit,
      ExclusiveStartKey: startKey,
    }),
  );
  const items = page.Items ?? [];
  const summary = first && items[0]?.SK === SUMMARY ? items[0] : undefined;
  const messages = (summary ? items.slice(1) : items).map(messageEntity.parse);
  return { ...(summary && { conversation: conversationEntity.parse(summary) }), messages, ...(page.LastEvaluatedKey && { lastKey: page.LastEvaluatedKey }) };
}

/** A participant's conversations, newest activity first; or the support queue, oldest escalation first. */
export type ConversationList = { side: Side; userId: string } | { side: 'support' };

export async function listConversations(list: ConversationList, limit: number, startKey: Record<string, unknown> | undefined) {
  const { index, partition } =
    list.side === 'support' ? { index: 'GSI3' as const, partition: ESCALATED } : list.side === 'buyer' ? { index: 'GSI1' as const, partition: buyerList(list.userId) } : { index: 'GSI2' as const, partition: sellerList(list.userId) };
  const { items, lastKey } = await indexPage({ index, partition, limit, startKey, oldestFirst: list.side === 'support' });
  return { conversations: items.map(conversationEntity.parse), lastKey };
}
