/** The messaging rules of lambdas/domain/conversations.ts, without I/O (DOMAIN.md "Messaging"). */
import { describe, expect, it } from 'vitest';
import * as conversations from '../../lambdas/domain/conversations.js';
import type { Conversation, Side } from '../../lambdas/domain/conversations.js';
import { DomainError } from '../../lambdas/domain/errors.js';
import { screenMessage, screenText } from '../../lambdas/domain/moderation.js';
import { refusal } from './refusal.js';

const T0 = '2026-03-02T09:00:00.000Z';
const after = (hours: number, from = T0): string => new Date(Date.parse(from) + hours * 3600 * 1000).toISOString();

/** A conversation about an order, built by the rules themselves: opened, then the messages given in order. */
function aConversation(messages: [Side, number][] = [], kind: 'order' | 'product' = 'order'): Conversation {
  let conversation = conversations.openConversation({ conversationId: 'cnv_01ARZ3NDEKTSV4RRFFQ69G5FAV', buyerId: 'buyer-1', sellerId: 'seller-1', subject: { kind, id: 'ord_01ARZ3NDEKTSV4RRFFQ69G5FB0' }, now: T0 });
  for (const [index, [from, hours]] of messages.entries()) {
    conversation = conversations.postMessage(conversation, { messageId: `msg_${index}`, from, senderId: `${from}-1`, text: 'Hello there', attachments: [], now: after(hours) }).conversation;
  }
  return conversation;
}

const post = (conversation: Conversation, from: Side, hours: number, text = 'A plain question') =>
  conversations.postMessage(conversation, { messageId: 'msg_next', from, senderId: `${from}-1`, text, attachments: [], now: after(hours) });

describe('who is in a conversation', () => {
  const conversation = aConversation();

  it.each([
    ['its buyer', { userId: 'buyer-1', roles: ['buyer'] }, 'buyer'],
    ['its seller', { userId: 'seller-1', roles: ['seller'] }, 'seller'],
    ['another buyer', { userId: 'buyer-2', roles: ['buyer'] }, undefined],
    ["the buyer's id with a seller token", { userId: 'buyer-1', roles: ['seller'] }, undefined],
    ['an admin', { userId: 'admin-1', roles: ['admin'] }, undefined],
  ])('places %s on side %s', (_who, caller, side) => {
    expect(conversations.sideOf(conversation, caller)).toBe(side);
  });

  it.each([
    ['ESCALATED', true],
    ['APPEALED', true],
    ['AWAITING_SELLER', false],
    ['RESOLVED', false],
    [null, false],
  ])("lets admins read an order's conversation while its dispute is %s: %s", (status, readable) => {
    expect(conversations.adminMayRead(conversation, status)).toBe(readable);
  });

  it('lets admins read an escalated support conversation, whatever its subject', () => {
    const escalated = { ...aConversation([], 'product'), escalatedAt: after(30) };
    expect(conversations.adminMayRead(escalated, undefined)).toBe(true);
    expect(conversations.adminMayRead(aConversation([], 'product'), 'ESCALATED')).toBe(false);
  });
});

describe('messages', () => {
  it("counts a message as unread for the other side only, and the read marker clears the reader's side", () => {
    const conversation = aConversation([
      ['buyer', 1],
      ['buyer', 2],
      ['seller', 3],
    ]);
    expect(conversation).toMatchObject({ messageCount: 3, sellerUnread: 2, buyerUnread: 1, lastActivityAt: after(3), lastMessage: { from: 'seller', sentAt: after(3) } });
    const read = conversations.markRead(conversation, 'seller', after(4));
    expect(read).toMatchObject({ sellerUnread: 0, sellerReadAt: after(4), buyerUnread: 1, buyerReadAt: null });
  });

  it('keeps a short preview of the latest message for the lists', () => {
    const posted = post(aConversation(), 'buyer', 1, 'word '.repeat(100).trim());
    expect(posted.conversation.lastMessage?.preview).toHaveLength(120);
    expect(posted.conversation.lastMessage?.preview.endsWith('…')).toBe(true);
    expect(posted.message.text).toHaveLength(499);
  });

  it.each([
    ['an email address', 'mail me: jo@example.com', 'CONTACT_DETAILS'],
    ['a phone number', 'call +44 20 7946 0958', 'CONTACT_DETAILS'],
    ['a link', 'see www.example.org for more', 'EXTERNAL_LINK'],
    ['profanity', 'what a load of bullshit', 'OFFENSIVE_LANGUAGE'],
  ])('refuses %s with MESSAGE_NOT_ALLOWED naming the reason', (_what, text, code) => {
    let caught: unknown;
    try {
      post(aConversation(), 'seller', 1, text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe('MESSAGE_NOT_ALLOWED');
    expect((caught as DomainError).errors?.map((error) => error.message.split(':')[0])).toEqual([code]);
  });

  it('names every reason at once', () => {
    expect(screenMessage('f u c k, write to jo@example.com or visit shop-outlet.com').map((reason) => reason.code)).toEqual(['OFFENSIVE_LANGUAGE', 'EXTERNAL_LINK', 'CONTACT_DETAILS']);
  });

  it("uses the reviews' detectors, without their hold for a moderator: a suspected insult reaches the other side", () => {
    const text = 'This looks like fraud to me';
    expect(screenText(text).map((finding) => finding.code)).toEqual(['SUSPECTED_OFFENSIVE']);
    expect(screenMessage(text)).toEqual([]);
  });

  it('words the link reason for a private message, keeping the code', () => {
    const [reason] = screenMessage('buy it on https://example.com');
    expect(reason?.code).toBe('EXTERNAL_LINK');
    expect(reason?.message).toMatch(/attachments/);
    expect(reason?.message).not.toMatch(/shoppers/);
  });
});

describe('response counters for reputation', () => {
  it("times the seller's first reply from the buyer's first message, once", () => {
    const started = post(aConversation(), 'buyer', 0);
    expect(started.counters).toEqual({ buyerConversations: 1 });
    const followUp = post(started.conversation, 'buyer', 1);
    expect(followUp.counters).toEqual({});
    const reply = post(followUp.conversation, 'seller', 3);
    expect(reply.firstResponse).toBe(true);
    expect(reply.conversation.firstResponseAt).toBe(after(3));
    expect(reply.countedAt).toBe(after(0));
    expect(reply.counters).toEqual({ firstResponses: 1, firstResponsesWithin24h: 1, firstResponseMinutes: 180, firstResponsesWithin1h: 0, firstResponsesWithin4h: 1 });
    const second = post(reply.conversation, 'seller', 4);
    expect(second.firstResponse).toBe(false);
    expect(second.counters).toEqual({});
  });

  it('counts a reply after 24 hours as answered, but not within 24 hours', () => {
    const reply = post(aConversation([['buyer', 0]]), 'seller', 24.5);
    expect(reply.counters).toMatchObject({ firstResponses: 1, firstResponsesWithin24h: 0, firstResponseMinutes: 1470 });
    expect(post(aConversation([['buyer', 0]]), 'seller', 24).counters).toMatchObject({ firstResponsesWithin24h: 1 });
  });

  it('does not time a conversation the seller wrote first', () => {
    const sellerFirst = aConversation([['seller', 0]]);
    expect(post(sellerFirst, 'buyer', 1).counters).toEqual({});
    expect(post(post(sellerFirst, 'buyer', 1).conversation, 'seller', 2).counters).toEqual({});
  });
});

describe('escalation to support', () => {
  it('refuses with ESCALATION_NOT_ALLOWED_YET while no buyer message waits for a reply', () => {
    expect(refusal(() => conversations.escalate(aConversation(), after(100)))).toBe('ESCALATION_NOT_ALLOWED_YET');
    expect(
      refusal(() =>
        conversations.escalate(
          aConversation([
            ['buyer', 0],
            ['seller', 1],
          ]),
          after(100),
        ),
      ),
    ).toBe('ESCALATION_NOT_ALLOWED_YET');
  });

  it('opens 24 hours after the oldest unanswered buyer message, not the latest', () => {
    const waiting = aConversation([
      ['buyer', 0],
      ['buyer', 20],
    ]);
    expect(conversations.escalationOpensAt(waiting)).toBe(after(24));
    expect(refusal(() => conversations.escalate(waiting, after(23.99)))).toBe('ESCALATION_NOT_ALLOWED_YET');
    expect(conversations.escalate(waiting, after(24)).escalatedAt).toBe(after(24));
  });

  it('restarts the 24 hours after a seller reply', () => {
    const answered = aConversation([
      ['buyer', 0],
      ['seller', 10],
      ['buyer', 12],
    ]);
    expect(conversations.escalationOpensAt(answered)).toBe(after(36));
    expect(refusal(() => conversations.escalate(answered, after(30)))).toBe('ESCALATION_NOT_ALLOWED_YET');
  });

  it('refuses a second escalation with CONVERSATION_ALREADY_ESCALATED', () => {
    const escalated = conversations.escalate(aConversation([['buyer', 0]]), after(25));
    expect(refusal(() => conversations.escalate(escalated, after(26)))).toBe('CONVERSATION_ALREADY_ESCALATED');
  });
});
