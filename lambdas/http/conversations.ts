import { messagingRoutes } from '../../lib/routes/messaging.js';
import { httpFunction } from '../platform/http.js';
import { idempotencyStore } from '../store/idempotency.js';
import * as conversations from '../services/conversations.js';

export const handler = httpFunction(messagingRoutes, {
  'POST /v1/conversations': async ({ principal, body }) => {
    const { conversation, created } = await conversations.startConversation(principal, body);
    return { body: conversation, status: created ? 201 : 200, location: `/v1/conversations/${conversation.conversationId}/messages` };
  },
  'GET /v1/conversations': async ({ principal, query }) => ({ body: await conversations.myConversations(principal, query) }),
  'GET /v1/conversations/{conversationId}/messages': async ({ principal, path, query }) => ({ body: await conversations.readMessages(principal, path.conversationId, query) }),
  'POST /v1/conversations/{conversationId}/messages': async ({ principal, path, body }) => ({ body: await conversations.sendMessage(principal, path.conversationId, body), location: `/v1/conversations/${path.conversationId}/messages` }),
  'POST /v1/conversations/{conversationId}/read': async ({ principal, path }) => ({ body: await conversations.markRead(principal, path.conversationId) }),
  'POST /v1/conversations/{conversationId}/escalate': async ({ principal, path }) => ({ body: await conversations.escalateConversation(principal, path.conversationId) }),
  'GET /v1/admin/conversations': async ({ query }) => ({ body: await conversations.supportQueue(query) }),
}, { idempotency: idempotencyStore });
