/**
 * The conversations function's routes (API.md "Messaging"). lib/manifest.ts gathers every group; the
 * function imports only its own, so its bundle carries only the schemas it validates.
 */
import * as conversations from '../../lambdas/contract/conversations.js';
import { ListQuery } from '../../lambdas/contract/shared.js';
import { admin, buyer, parties } from './roles.js';
import type { RouteSpec } from './spec.js';

/** Buyers and sellers: the two sides of a conversation (admins read, never write). */
const participants = ['buyer', 'seller'] as const;

export const messagingRoutes = {
  'POST /v1/conversations': {
    fn: 'conversations',
    tag: 'Messaging',
    summary: 'Contact a seller about a listing or my order (one conversation each)',
    auth: 'required',
    roles: buyer,
    body: conversations.StartConversation,
    idempotent: true,
    success: { status: 201, body: conversations.Conversation, existing: { status: 200, description: 'The conversation already exists: this is it' } },
  },
  'GET /v1/conversations': { fn: 'conversations', tag: 'Messaging', summary: 'My conversations, newest activity first, with unread counts', auth: 'required', roles: participants, query: ListQuery, success: { status: 200, body: conversations.ConversationPage } },
  'GET /v1/conversations/{conversationId}/messages': {
    fn: 'conversations',
    tag: 'Messaging',
    summary: "A conversation's messages, newest first (participants; admins while it is with support or its order's dispute is with them)",
    auth: 'required',
    roles: parties,
    path: conversations.ConversationPathParams,
    query: ListQuery,
    success: { status: 200, body: conversations.MessagePage },
  },
  'POST /v1/conversations/{conversationId}/messages': {
    fn: 'conversations',
    tag: 'Messaging',
    summary: 'Send a message (contact details, links and offensive language are refused with the reason)',
    auth: 'required',
    roles: participants,
    path: conversations.ConversationPathParams,
    body: conversations.SendMessage,
    idempotent: true,
    success: { status: 201, body: conversations.Message },
  },
  'POST /v1/conversations/{conversationId}/read': { fn: 'conversations', tag: 'Messaging', summary: 'Mark the conversation read up to now', auth: 'required', roles: participants, path: conversations.ConversationPathParams, success: { status: 200, body: conversations.Conversation } },
  'POST /v1/conversations/{conversationId}/escalate': { fn: 'conversations', tag: 'Messaging', summary: 'Ask support to step in after 24 h without a seller reply', auth: 'required', roles: buyer, path: conversations.ConversationPathParams, success: { status: 200, body: conversations.Conversation } },
  'GET /v1/admin/conversations': { fn: 'conversations', tag: 'Admin', summary: 'The support queue: escalated conversations, oldest first', auth: 'required', roles: admin, query: conversations.SupportQueueQuery, success: { status: 200, body: conversations.SupportConversationPage } },
} as const satisfies Record<string, RouteSpec>;
