/**
 * The order's conversation as a dispute's case file carries it (services/case-files.ts). Apart from the
 * messaging use cases so the case-file worker bundles no download signing.
 */
import * as store from '../store/conversations.js';

/** How many of an order's latest messages a dispute's case file carries (the admin reads the rest in the conversation). */
export const CASE_FILE_MESSAGES = 50;

/**
 * The order's conversation for a dispute's case file: its latest messages, oldest first, and how many it
 * has in all. None when the buyer and seller never wrote about the order.
 */
export async function orderConversationExcerpt(order: { orderId: string; buyerId: string; sellerId: string }) {
  const conversationId = await store.findConversationId({ buyerId: order.buyerId, sellerId: order.sellerId, subject: { kind: 'order', id: order.orderId } });
  if (conversationId === undefined) return { conversationId: null, messageCount: 0, messages: [] };
  const { conversation, messages: latest } = await store.listMessages(conversationId, CASE_FILE_MESSAGES);
  const messages = latest.reverse().map((message) => ({
    messageId: message.messageId,
    from: message.from,
    text: message.text,
    attachments: message.attachments.map(({ uploadId, contentType }) => ({ uploadId, contentType })),
    sentAt: message.sentAt,
  }));
  return { conversationId, messageCount: conversation?.messageCount ?? messages.length, messages };
}

