/**
 * Buyer–seller messaging (DOMAIN.md "Messaging"): one conversation per (buyer, seller, product-or-order),
 * messages screened by the same rules as reviews, read markers per side, and escalation to support once
 * the seller has left a buyer waiting 24 h. Pure rules: plain data in, plain data or a DomainError out.
 */
import { DomainError, type FieldError } from './errors.js';
import { screenMessage } from './moderation.js';

export type Side = 'buyer' | 'seller';
export const SUBJECT_KINDS = ['product', 'order'] as const;
/** What the conversation is about: a listing (pre-sale, "Contact now") or an order ("Message center"). */
export interface Subject {
  kind: (typeof SUBJECT_KINDS)[number];
  id: string;
}

export const MESSAGE_MAX_CHARS = 2000;
export const MESSAGE_MAX_ATTACHMENTS = 5;
/** DOMAIN.md: the buyer may escalate after 24 h without a seller reply. */
export const ESCALATION_AFTER_MS = 24 * 60 * 60 * 1000;
/** A reply within this long counts towards the seller's response rate (DOMAIN.md "Seller reputation"). */
export const RESPONSE_WINDOW_MS = 24 * 60 * 60 * 1000;
/** What a conversation list shows of the latest message. */
const PREVIEW_CHARS = 120;
/** Dispute states in which an admin reads the order's conversation (API.md "Messaging"). */
const ADMIN_READABLE_DISPUTES = new Set(['ESCALATED', 'APPEALED']);

export interface Attachment {
  uploadId: string;
  /** The platform's checked copy (owned/…), never the uploader's form key. */
  key: string;
  contentType: string;
}

export interface Message {
  messageId: string;
  conversationId: string;
  from: Side;
  senderId: string;
  text: string;
  attachments: Attachment[];
  sentAt: string;
}

export interface Conversation {
  conversationId: string;
  buyerId: string;
  sellerId: string;
  subject: Subject;
  createdAt: string;
  /** Sort key of both participants' lists: the creation, then each message. */
  lastActivityAt: string;
  lastMessage: { from: Side; preview: string; sentAt: string } | null;
  messageCount: number;
  /** Messages the side has not read: ADDed by each message of the other side, zeroed by its read marker. */
  buyerUnread: number;
  sellerUnread: number;
  buyerReadAt: string | null;
  sellerReadAt: string | null;
  /** The buyer's first message: a conversation the buyer started, whose first seller reply is timed. */
  firstBuyerMessageAt: string | null;
  /** The seller's first reply after the buyer's first message (reputation's response rate and time). */
  firstResponseAt: string | null;
  /** The oldest buyer message the seller has not answered yet; null once the seller has replied. */
  awaitingSellerSince: string | null;
  escalatedAt: string | null;
}

/** Which side of the conversation a caller is on, or undefined when not a participant. */
export function sideOf(conversation: Pick<Conversation, 'buyerId' | 'sellerId'>, caller: { userId: string; roles: readonly string[] }): Side | undefined {
  if (caller.roles.includes('buyer') && caller.userId === conversation.buyerId) return 'buyer';
  if (caller.roles.includes('seller') && caller.userId === conversation.sellerId) return 'seller';
  return undefined;
}

/**
 * Admins read an escalated support conversation, and an order's conversation while its dispute is
 * escalated or appealed (`orderDisputeStatus`: the order's, read by the caller only for order conversations).
 */
export const adminMayRead = (conversation: Pick<Conversation, 'escalatedAt' | 'subject'>, orderDisputeStatus: string | null | undefined): boolean =>
  conversation.escalatedAt !== null || (conversation.subject.kind === 'order' && orderDisputeStatus != null && ADMIN_READABLE_DISPUTES.has(orderDisputeStatus));

export function openConversation(input: { conversationId: string; buyerId: string; sellerId: string; subject: Subject; now: string }): Conversation {
  return {
    conversationId: input.conversationId,
    buyerId: input.buyerId,
    sellerId: input.sellerId,
    subject: input.subject,
    createdAt: input.now,
    lastActivityAt: input.now,
    lastMessage: null,
    messageCount: 0,
    buyerUnread: 0,
    sellerUnread: 0,
    buyerReadAt: null,
    sellerReadAt: null,
    firstBuyerMessageAt: null,
    firstResponseAt: null,
    awaitingSellerSince: null,
    escalatedAt: null,
  };
}

/** What the seller's monthly counters get for a conversation (store/sellers.ts countForSeller). */
export interface ResponseCounters {
  /** Conversations whose buyer wrote first, in the month of that first message. */
  buyerConversations: number;
  /** Of those, the ones the seller answered, and answered within 24 h (counted in the same month). */
  firstResponses: number;
  firstResponsesWithin24h: number;
  /** Sum of first-response times in minutes, and how many took ≤ 1 h / ≤ 4 h: enough to bound a median. */
  firstResponseMinutes: number;
  firstResponsesWithin1h: number;
  firstResponsesWithin4h: number;
}

/** What posting a message changes: the message, the conversation after it, and the seller counters it moves. */
export interface MessagePosted {
  message: Message;
  conversation: Conversation;
  /** True when this is the seller's first reply to a buyer-started conversation (written once, guarded). */
  firstResponse: boolean;
  /** Counted in the month of `countedAt` (the buyer's first message), empty when nothing moves. */
  counters: Partial<ResponseCounters>;
  countedAt: string;
}

const minutesBetween = (from: string, to: string): number => Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));

/**
 * Refuses text that moves trade off the platform or insults (the reviews' detectors, one implementation)
 * with every reason at once, so the sender fixes them in one edit.
 */
export function checkMessageText(text: string): void {
  const reasons = screenMessage(text);
  if (reasons.length === 0) return;
  const errors: FieldError[] = reasons.map((reason) => ({ path: 'body.text', message: `${reason.code}: ${reason.message}` }));
  throw new DomainError('MESSAGE_NOT_ALLOWED', `The message cannot be sent: ${reasons.map((reason) => reason.message).join(' ')}`, errors);
}

export function postMessage(conversation: Conversation, input: { messageId: string; from: Side; senderId: string; text: string; attachments: Attachment[]; now: string }): MessagePosted {
  checkMessageText(input.text);
  const { now, from } = input;
  const message: Message = { messageId: input.messageId, conversationId: conversation.conversationId, from, senderId: input.senderId, text: input.text, attachments: input.attachments, sentAt: now };
  const preview = input.text.length > PREVIEW_CHARS ? `${input.text.slice(0, PREVIEW_CHARS - 1)}…` : input.text;
  const base = { ...conversation, lastActivityAt: now, lastMessage: { from, preview, sentAt: now }, messageCount: conversation.messageCount + 1 };
  if (from === 'buyer') {
    const first = conversation.messageCount === 0;
    return {
      message,
      conversation: {
        ...base,
        sellerUnread: conversation.sellerUnread + 1,
        firstBuyerMessageAt: first ? now : conversation.firstBuyerMessageAt,
        awaitingSellerSince: conversation.awaitingSellerSince ?? now,
      },
      firstResponse: false,
      counters: first ? { buyerConversations: 1 } : {},
      countedAt: now,
    };
  }
  const started = conversation.firstBuyerMessageAt;
  const firstResponse = started !== null && conversation.firstResponseAt === null;
  const minutes = started === null ? 0 : minutesBetween(started, now);
  return {
    message,
    conversation: { ...base, buyerUnread: conversation.buyerUnread + 1, awaitingSellerSince: null, firstResponseAt: firstResponse ? now : conversation.firstResponseAt },
    firstResponse,
    counters: firstResponse
      ? {
          firstResponses: 1,
          firstResponsesWithin24h: minutes * 60_000 <= RESPONSE_WINDOW_MS ? 1 : 0,
          firstResponseMinutes: minutes,
          firstResponsesWithin1h: minutes <= 60 ? 1 : 0,
          firstResponsesWithin4h: minutes <= 240 ? 1 : 0,
        }
      : {},
    countedAt: started ?? now,
  };
}

/** The read marker of one side: everything up to now is read. */
export const markRead = (conversation: Conversation, side: Side, now: string): Conversation =>
  side === 'buyer' ? { ...conversation, buyerUnread: 0, buyerReadAt: now } : { ...conversation, sellerUnread: 0, sellerReadAt: now };

/** When the buyer may escalate: 24 h after the oldest unanswered buyer message; null while none waits. */
export const escalationOpensAt = (conversation: Pick<Conversation, 'awaitingSellerSince'>): string | null =>
  conversation.awaitingSellerSince === null ? null : new Date(Date.parse(conversation.awaitingSellerSince) + ESCALATION_AFTER_MS).toISOString();

export function escalate(conversation: Conversation, now: string): Conversation {
  if (conversation.escalatedAt !== null) throw new DomainError('CONVERSATION_ALREADY_ESCALATED', `Support has had this conversation since ${conversation.escalatedAt}.`);
  const opensAt = escalationOpensAt(conversation);
  if (opensAt === null) throw new DomainError('ESCALATION_NOT_ALLOWED_YET', 'There is no message waiting for a seller reply; support can be asked 24 hours after an unanswered message.');
  if (Date.parse(now) < Date.parse(opensAt)) throw new DomainError('ESCALATION_NOT_ALLOWED_YET', `The seller has 24 hours to reply; support can be asked from ${opensAt}.`);
  return { ...conversation, escalatedAt: now };
}
