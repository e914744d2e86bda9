/**
 * Messaging use cases: start a conversation, send, read, mark read, escalate to support, and the admins'
 * queue. Each change is one command of the kernel (services/command.ts). Only the two participants see a
 * conversation (anyone else gets the same 404 as for one that does not exist); admins read an escalated
 * one, and an order's conversation while its dispute is with them.
 */
import * as conversations from '../domain/conversations.js';
import type { Attachment, Conversation, Message, Side, Subject } from '../domain/conversations.js';
import { notFound } from '../domain/errors.js';
import { newMessageNotification } from '../domain/notification-texts.js';
import type { Principal } from '../platform/auth.js';
import { decodeCursor, encodeCursor } from '../platform/cursor.js';
import { newId } from '../platform/ids.js';
import * as store from '../store/conversations.js';
import { presignDownload } from '../store/files.js';
import { keyRecordWrites, replayFor, type IdempotentCreate, type StoredResponse } from '../store/idempotency.js';
import { getOrder } from '../store/orders.js';
import { claimUploads } from '../store/uploads.js';
import { runCommand } from './command.js';
import { notify } from './notifications.js';
import { claimRefusals, resolveUploads } from './uploads.js';

const ATTACHMENTS_PATH = 'body.attachments';
/** Two people typing at once both land: a lost race on the message count is decided again, with jitter. */
const BUSY_CONVERSATION_ATTEMPTS = 10;

const isAdmin = (principal: Principal): boolean => principal.roles.includes('admin');

/** The conversation as a participant sees it: their own unread count. */
function participantView(conversation: Conversation, side: Side) {
  return { ...sharedView(conversation), unreadCount: side === 'buyer' ? conversation.buyerUnread : conversation.sellerUnread };
}

function sharedView(conversation: Conversation) {
  return {
    conversationId: conversation.conversationId,
    buyerId: conversation.buyerId,
    sellerId: conversation.sellerId,
    subject: conversation.subject,
    createdAt: conversation.createdAt,
    lastActivityAt: conversation.lastActivityAt,
    lastMessage: conversation.lastMessage,
    messageCount: conversation.messageCount,
    readMarkers: { buyer: conversation.buyerReadAt, seller: conversation.sellerReadAt },
    awaitingSellerSince: conversation.awaitingSellerSince,
    escalationOpensAt: conversation.escalatedAt === null ? conversations.escalationOpensAt(conversation) : null,
    escalatedAt: conversation.escalatedAt,
  };
}

async function messageView(message: Message) {
  return {
    messageId: message.messageId,
    conversationId: message.conversationId,
    from: message.from,
    text: message.text,
    attachments: await Promise.all(message.attachments.map(async (attachment) => ({ uploadId: attachment.uploadId, contentType: attachment.contentType, url: await presignDownload(attachment.key) }))),
    sentAt: message.sentAt,
  };
}

/** The conversation and the caller's side in it; 404 for anyone else, as for one that does not exist. */
async function asParticipant(principal: Principal, conversationId: string): Promise<{ conversation: Conversation; side: Side }> {
  return participantIn(principal, conversationId, await store.getConversation(conversationId));
}

function participantIn(principal: Principal, conversationId: string, conversation: Conversation | undefined): { conversation: Conversation; side: Side } {
  const side = conversation && conversations.sideOf(conversation, principal);
  if (!conversation || !side) throw notFound('Conversation', conversationId);
  return { conversation, side };
}

export type ParticipantConversationView = ReturnType<typeof participantView>;

type StartRequest = { sellerId: string; productId?: string | undefined; orderId?: string | undefined };

/**
 * What a new conversation is about, checked against the seller named: the buyer's own order with that
 * seller, or an approved listing of that seller. Anything else is 404, so ids cannot be probed.
 */
function checkSubject(buyer: Principal, request: StartRequest, read: Awaited<ReturnType<typeof store.readForStart>>): void {
  if (request.orderId !== undefined) {
    const { order } = read;
    if (!order || order.buyerId !== buyer.userId || order.sellerId !== request.sellerId) throw notFound('Order', request.orderId);
    return;
  }
  const { product } = read;
  if (!product || product.status !== 'APPROVED' || product.sellerId !== request.sellerId) throw notFound('Product', request.productId ?? '');
}

export interface StartedConversation {
  conversation: ParticipantConversationView;
  /** False when the conversation existed: the answer is 200 instead of 201. */
  created: boolean;
}

/**
 * Opens the conversation, or answers the one that exists (`created: false`): one per buyer, seller and
 * subject. The subject, the conversation's key record and the Idempotency-Key's record are read together;
 * a concurrent create that won the key record is answered on the next attempt. With an Idempotency-Key,
 * the answer is recorded in the same transaction (a retry is that one read).
 */
export async function startConversation(buyer: Principal, request: StartRequest, idempotency?: IdempotentCreate<StartedConversation>): Promise<StartedConversation | { replay: StoredResponse }> {
  const subject: Subject = request.orderId !== undefined ? { kind: 'order', id: request.orderId } : { kind: 'product', id: request.productId ?? '' };
  const key = { buyerId: buyer.userId, sellerId: request.sellerId, subject };
  const conversationId = newId('cnv');
  return runCommand<{ existing?: Conversation | undefined; replay?: StoredResponse | undefined }, StartedConversation | { replay: StoredResponse }>({
    subject: 'conversation',
    load: async () => {
      const read = await store.readForStart(key, idempotency?.request);
      const replay = idempotency && replayFor(idempotency.request, read.record);
      if (replay) return { replay };
      checkSubject(buyer, request, read);
      return { existing: read.conversationId === undefined ? undefined : await store.getConversation(read.conversationId) };
    },
    decide: ({ existing, replay }, now) => {
      if (replay) return { writes: [], result: { replay } };
      if (existing) {
        const answer = { conversation: participantView(existing, 'buyer'), created: false };
        return { writes: keyRecordWrites(idempotency, answer), result: answer };
      }
      const conversation = conversations.openConversation({ conversationId, ...key, now });
      const answer = { conversation: participantView(conversation, 'buyer'), created: true };
      return { writes: [...store.newConversationWrites(conversation), ...keyRecordWrites(idempotency, answer)], result: answer };
    },
    refusals: { conversationKeyFree: () => 'retry' as const, idempotencyKeyUnused: () => 'retry' as const },
  });
}

export async function myConversations(principal: Principal, query: { limit: number; cursor?: string | undefined }) {
  const side: Side = principal.roles.includes('seller') ? 'seller' : 'buyer';
  const scope = `conversations:${side}:${principal.userId}`;
  const { conversations: page, lastKey } = await store.listConversations({ side, userId: principal.userId }, query.limit, decodeCursor(query.cursor, scope));
  return { items: page.map((conversation) => participantView(conversation, side)), nextCursor: encodeCursor(lastKey, scope) };
}

/** The support queue: escalated conversations, oldest escalation first. */
export async function supportQueue(query: { limit: number; cursor?: string | undefined }) {
  const scope = 'conversations:support';
  const { conversations: page, lastKey } = await store.listConversations({ side: 'support' }, query.limit, decodeCursor(query.cursor, scope));
  return { items: page.map(sharedView), nextCursor: encodeCursor(lastKey, scope) };
}

/** Participants read their conversation; an admin only what is with support or in a dispute with admins. */
async function mayRead(principal: Principal, conversation: Conversation | undefined): Promise<boolean> {
  if (!conversation) return false;
  if (conversations.sideOf(conversation, principal)) return true;
  if (!isAdmin(principal)) return false;
  const disputeStatus = conversation.escalatedAt === null && conversation.subject.kind === 'order' ? (await getOrder(conversation.subject.id))?.disputeStatus : undefined;
  return conversations.adminMayRead(conversation, disputeStatus);
}

/**
 * A page of messages, newest first. The first page reads the conversation with the messages (one Query)
 * and answers only whoever may read it; its cursor is signed for that reader and conversation, so a
 * participant's next pages are one Query too (participants never change). An admin's access depends on
 * the order's dispute, so each of their pages checks it again.
 */
export async function readMessages(principal: Principal, conversationId: string, query: { limit: number; cursor?: string | undefined }) {
  const scope = `messages:${conversationId}:${principal.userId}:${principal.roles.join(',')}`;
  const startKey = decodeCursor(query.cursor, scope);
  const page = await store.listMessages(conversationId, query.limit, startKey);
  const recheck = startKey !== undefined && isAdmin(principal);
  const conversation = recheck ? await store.getConversation(conversationId) : page.conversation;
  if (startKey === undefined || recheck) {
    if (!(await mayRead(principal, conversation))) throw notFound('Conversation', conversationId);
  }
  return { items: await Promise.all(page.messages.map(messageView)), nextCursor: encodeCursor(page.lastKey, scope) };
}

export type MessageView = Awaited<ReturnType<typeof messageView>>;

/**
 * Sends a message: the conversation (with the Idempotency-Key's record, if any) in one read, then the
 * message, the conversation's counters, the upload claims and the key's record in one transaction.
 */
export async function sendMessage(sender: Principal, conversationId: string, body: { text: string; attachments: string[] }, idempotency?: IdempotentCreate<MessageView>): Promise<{ message: MessageView } | { replay: StoredResponse }> {
  // One id for every attempt: the attachments are adopted and claimed for this message.
  const messageId = newId('msg');
  const claim = { writes: claimUploads(body.attachments, messageId), refusals: claimRefusals(body.attachments, messageId, ATTACHMENTS_PATH, ['conversationMessages']) };
  return runCommand<{ conversation: Conversation; side: Side; attachments: Attachment[]; replay?: StoredResponse | undefined }, { message: MessageView } | { replay: StoredResponse }>({
    subject: 'conversation',
    load: async () => {
      const read = await store.readForSend(conversationId, idempotency?.request);
      const { conversation, side } = participantIn(sender, conversationId, read.conversation);
      const replay = idempotency && replayFor(idempotency.request, read.record);
      if (replay) return { conversation, side, attachments: [], replay };
      // Refused text is answered before any file is copied.
      conversations.checkMessageText(body.text);
      const attachments = await resolveUploads(sender.userId, body.attachments, 'message-attachment', ATTACHMENTS_PATH, messageId);
      return { conversation, side, attachments };
    },
    decide: async ({ conversation, side, attachments, replay }, now) => {
      if (replay) return { writes: [], result: { replay } };
      const posted = conversations.postMessage(conversation, { messageId, from: side, senderId: sender.userId, text: body.text, attachments, now });
      const view = await messageView(posted.message);
      // The other participant is told (a new item in their inbox: a busy seller's messages never collide on it).
      const told = notify([newMessageNotification(conversation, side)], now);
      return { writes: [...store.messageWrites(posted, conversation), ...claim.writes, ...keyRecordWrites(idempotency, view), ...told.writes], result: { message: view }, afterCommit: told.afterCommit };
    },
    refusals: { idempotencyKeyUnused: () => 'retry' as const, ...claim.refusals },
    maxAttempts: BUSY_CONVERSATION_ATTEMPTS,
  });
}

export async function markRead(reader: Principal, conversationId: string) {
  return runCommand({
    subject: 'conversation',
    load: () => asParticipant(reader, conversationId),
    decide: ({ conversation, side }, now) => ({ writes: [store.readMarkerWrite(conversationId, side, now)], result: participantView(conversations.markRead(conversation, side, now), side) }),
  });
}

export async function escalateConversation(buyer: Principal, conversationId: string) {
  return runCommand({
    subject: 'conversation',
    load: () => asParticipant(buyer, conversationId),
    decide: ({ conversation, side }, now) => {
      if (side !== 'buyer') throw notFound('Conversation', conversationId);
      const next = conversations.escalate(conversation, now);
      return { writes: [store.escalationWrite(conversation, next)], result: participantView(next, side) };
    },
  });
}
