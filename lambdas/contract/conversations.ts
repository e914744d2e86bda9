import * as z from 'zod/mini';
import { MESSAGE_MAX_ATTACHMENTS, MESSAGE_MAX_CHARS, SUBJECT_KINDS } from '../domain/conversations.js';
import { ListQuery, Timestamp, UserId, described, idParam, page, text } from './shared.js';

export const StartConversation = described(
  z
    .strictObject({ sellerId: UserId, productId: z.optional(idParam('prd')), orderId: z.optional(idParam('ord')) })
    .check(z.refine((body) => (body.productId === undefined) !== (body.orderId === undefined), { message: 'name exactly one of productId (a listing) or orderId (your order)', path: ['productId'] })),
  { id: 'StartConversation' },
);

export const SendMessage = described(
  z.strictObject({
    text: text(1, MESSAGE_MAX_CHARS),
    attachments: described(z._default(z.array(idParam('upl')).check(z.maxLength(MESSAGE_MAX_ATTACHMENTS)), []), { description: 'message-attachment uploads: images or PDF, checked by their bytes.' }),
  }),
  { id: 'SendMessage' },
);

export const ConversationPathParams = z.strictObject({ conversationId: idParam('cnv') });

const Side = described(z.enum(['buyer', 'seller']), { id: 'ConversationSide' });

const conversationFields = {
  conversationId: z.string(),
  buyerId: z.string(),
  sellerId: z.string(),
  subject: z.object({ kind: z.enum(SUBJECT_KINDS), id: z.string() }),
  createdAt: Timestamp,
  lastActivityAt: Timestamp,
  lastMessage: z.nullable(z.object({ from: Side, preview: z.string(), sentAt: Timestamp })),
  messageCount: z.int(),
  readMarkers: described(z.object({ buyer: z.nullable(Timestamp), seller: z.nullable(Timestamp) }), { description: 'When each side last marked the conversation read.' }),
  awaitingSellerSince: described(z.nullable(Timestamp), { description: 'The oldest buyer message the seller has not answered.' }),
  escalationOpensAt: described(z.nullable(Timestamp), { description: 'From when the buyer may escalate to support (24 h without a seller reply).' }),
  escalatedAt: z.nullable(Timestamp),
};

export const Conversation = described(z.object({ ...conversationFields, unreadCount: described(z.int(), { description: "Messages from the other side since the caller's read marker." }) }), {
  id: 'Conversation',
});
export const SupportConversation = described(z.object(conversationFields), { id: 'SupportConversation' });

export const Message = described(
  z.object({
    messageId: z.string(),
    conversationId: z.string(),
    from: Side,
    text: z.string(),
    attachments: z.array(z.object({ uploadId: z.string(), contentType: z.string(), url: described(z.string(), { description: 'Short-lived download link.' }) })),
    sentAt: Timestamp,
  }),
  { id: 'Message' },
);

export const ConversationPage = page(Conversation, 'ConversationPage');
export const SupportConversationPage = page(SupportConversation, 'SupportConversationPage');
export const MessagePage = page(Message, 'MessagePage');

export const SupportQueueQuery = z.extend(ListQuery, {
  escalated: described(z._default(z.literal('true'), 'true'), { description: 'The support queue: escalated conversations, oldest first.' }),
});
