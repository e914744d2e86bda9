import { messagingRoutes } from '../../lib/routes/messaging.js';
import { httpFunction } from '../platform/http.js';
import { created, idempotentRequest, recordedByUseCase, replayed } from '../store/idempotency.js';
import * as conversations from '../services/conversations.js';

const messagesOf = (conversationId: string) => `/v1/conversations/${conversationId}/messages`;

export const handler = httpFunction(messagingRoutes, {
  'POST /v1/conversations': async ({ principal, body, event }) => {
    const request = idempotentRequest(event, principal.userId, 'POST /v1/conversations', undefined, body);
    const answer = (started: conversations.StartedConversation) => ({ ...created(started.conversation, messagesOf(started.conversation.conversationId)), statusCode: started.created ? 201 : 200 });
    const started = await conversations.startConversation(principal, body, request && { request, respond: answer });
    return 'replay' in started ? replayed(started.replay) : { body: started.conversation, status: started.created ? 201 : 200, location: messagesOf(started.conversation.conversationId) };
  },
  'GET /v1/conversations': async ({ principal, query }) => ({ body: await conversations.myConversations(principal, query) }),
  'GET /v1/conversations/{conversationId}/messages': async ({ principal, path, query }) => ({ body: await conversations.readMessages(principal, path.conversationId, query) }),
  'POST /v1/conversations/{conversationId}/messages': async ({ principal, path, body, event }) => {
    const request = idempotentRequest(event, principal.userId, 'POST /v1/conversations/{conversationId}/messages', path, body);
    const sent = await conversations.sendMessage(principal, path.conversationId, body, request && { request, respond: (message) => created(message, messagesOf(path.conversationId)) });
    return 'replay' in sent ? replayed(sent.replay) : { body: sent.message, location: messagesOf(path.conversationId) };
  },
  'POST /v1/conversations/{conversationId}/read': async ({ principal, path }) => ({ body: await conversations.markRead(principal, path.conversationId) }),
  'POST /v1/conversations/{conversationId}/escalate': async ({ principal, path }) => ({ body: await conversations.escalateConversation(principal, path.conversationId) }),
  'GET /v1/admin/conversations': async ({ query }) => ({ body: await conversations.supportQueue(query) }),
}, { idempotency: recordedByUseCase });
