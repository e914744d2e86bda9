/**
 * Buyer–seller messaging through the API (DOMAIN.md "Messaging", API.md "Messaging"): one conversation
 * per subject, messages newest first with cursors, unread counts that follow read markers, refused
 * messages with their reasons, attachments checked by their bytes, escalation to support after 24 h,
 * and who may read what.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { batchGetItems } from '../../lambdas/store/batch.js';
import { sellerStatsShards } from '../../lambdas/store/sellers.js';
import { PNG_BYTES, useLocalApi, type Actor, type ApiResponse } from '../support/local-api.js';
import type { Problem } from '../support/routes.js';

const local = useLocalApi();

interface ConversationBody {
  conversationId: string;
  buyerId: string;
  sellerId: string;
  subject: { kind: string; id: string };
  lastActivityAt: string;
  lastMessage: { from: string; preview: string } | null;
  messageCount: number;
  unreadCount: number;
  readMarkers: { buyer: string | null; seller: string | null };
  awaitingSellerSince: string | null;
  escalationOpensAt: string | null;
  escalatedAt: string | null;
}
interface MessageBody {
  messageId: string;
  from: string;
  text: string;
  attachments: { uploadId: string; contentType: string; url: string }[];
  sentAt: string;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const PDF_BYTES = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n');
const messagesOf = (conversationId: string) => `/v1/conversations/${conversationId}/messages`;
const at = (conversationId: string, action: 'read' | 'escalate') => `/v1/conversations/${conversationId}/${action}`;

function expectRefused(response: ApiResponse<unknown>, status: number, code: string): Problem {
  expect(response.status, response.text).toBe(status);
  expect((response.body as Problem).code).toBe(code);
  return response.body as Problem;
}

afterEach(async () => {
  await local.api.resetClock();
});

/** A buyer who contacted the seller of a listing: the conversation, both parties and the listing. */
async function aConversation() {
  const { api } = local;
  const { seller, productId } = await api.sellerWithListing();
  const buyer = await api.actor('buyer');
  const started = await api.post<ConversationBody>('/v1/conversations', buyer, { sellerId: seller.userId, productId });
  expect(started.status, started.text).toBe(201);
  return { buyer, seller, productId, conversationId: started.body.conversationId, conversation: started.body };
}

async function send(conversationId: string, as: Actor, text: string, attachments: string[] = []): Promise<MessageBody> {
  const sent = await local.api.post<MessageBody>(messagesOf(conversationId), as, { text, attachments });
  expect(sent.status, sent.text).toBe(201);
  return sent.body;
}

const myConversations = async (as: Actor) => (await local.api.get<Page<ConversationBody>>('/v1/conversations?limit=100', as)).body.items;
const unreadOf = async (as: Actor, conversationId: string) => (await myConversations(as)).find((item) => item.conversationId === conversationId)?.unreadCount;

describe('starting a conversation', () => {
  it('opens one per buyer, seller and listing: 201 the first time, 200 with the same one after', async () => {
    const { api } = local;
    const { buyer, seller, productId, conversationId, conversation } = await aConversation();
    expect(conversation).toMatchObject({ buyerId: buyer.userId, sellerId: seller.userId, subject: { kind: 'product', id: productId }, messageCount: 0, unreadCount: 0, escalatedAt: null });
    const again = await api.post<ConversationBody>('/v1/conversations', buyer, { sellerId: seller.userId, productId });
    expect(again.status, again.text).toBe(200);
    expect(again.body.conversationId).toBe(conversationId);
    // Another buyer of the same listing has a conversation of their own.
    const other = await api.post<ConversationBody>('/v1/conversations', await api.actor('buyer'), { sellerId: seller.userId, productId });
    expect(other.status).toBe(201);
    expect(other.body.conversationId).not.toBe(conversationId);
  });

  it('replays a start retried with the same Idempotency-Key, and answers a new key with the existing conversation', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const body = { sellerId: seller.userId, productId };
    const first = await api.post<ConversationBody>('/v1/conversations', buyer, body, { 'idempotency-key': 'contact-1' });
    const retry = await api.post<ConversationBody>('/v1/conversations', buyer, body, { 'idempotency-key': 'contact-1' });
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.conversationId).toBe(first.body.conversationId);
    const another = await api.post<ConversationBody>('/v1/conversations', buyer, body, { 'idempotency-key': 'contact-2' });
    expect(another.status).toBe(200);
    expect(another.body.conversationId).toBe(first.body.conversationId);
    expect((await api.post('/v1/conversations', buyer, body, { 'idempotency-key': 'contact-2' })).status).toBe(200);
  });

  it('gives concurrent creates of the same conversation one id, created once', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const answers = await Promise.all(Array.from({ length: 6 }, () => api.post<ConversationBody>('/v1/conversations', buyer, { sellerId: seller.userId, productId })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((answer) => answer.body.conversationId)).size).toBe(1);
    expect(await myConversations(buyer)).toHaveLength(1);
  });

  it("opens one about the buyer's own order with its seller, separate from the listing's", async () => {
    const { api } = local;
    const { buyer, seller, orderId, productId } = await api.placedOrder();
    const aboutOrder = await api.post<ConversationBody>('/v1/conversations', buyer, { sellerId: seller.userId, orderId });
    expect(aboutOrder.status, aboutOrder.text).toBe(201);
    expect(aboutOrder.body.subject).toEqual({ kind: 'order', id: orderId });
    const aboutListing = await api.post<ConversationBody>('/v1/conversations', buyer, { sellerId: seller.userId, productId });
    expect(aboutListing.status).toBe(201);
    expect(aboutListing.body.conversationId).not.toBe(aboutOrder.body.conversationId);
  });

  it("answers 404 for another buyer's order, another seller's listing or a made-up one, alike", async () => {
    const { api } = local;
    const { seller, orderId, productId } = await api.placedOrder();
    const stranger = await api.actor('buyer');
    const otherShop = await api.sellerWithListing();
    const theirs = await api.post('/v1/conversations', stranger, { sellerId: seller.userId, orderId });
    const missing = await api.post('/v1/conversations', stranger, { sellerId: seller.userId, orderId: 'ord_01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    expectRefused(theirs, 404, 'ORDER_NOT_FOUND');
    expect(theirs.text.replace(orderId, '{id}')).toBe(missing.text.replace('ord_01ARZ3NDEKTSV4RRFFQ69G5FAV', '{id}'));
    expect(theirs.text).not.toContain(seller.userId);
    // The order's buyer naming another seller, and a listing named with the wrong seller.
    expectRefused(await api.post('/v1/conversations', stranger, { sellerId: otherShop.seller.userId, productId }), 404, 'PRODUCT_NOT_FOUND');
    expectRefused(await api.post('/v1/conversations', stranger, { sellerId: seller.userId, productId: otherShop.productId }), 404, 'PRODUCT_NOT_FOUND');
  });

  it('needs exactly one subject: a listing or an order', async () => {
    const { api } = local;
    const { buyer, seller, orderId, productId } = await api.placedOrder();
    expectRefused(await api.post('/v1/conversations', buyer, { sellerId: seller.userId }), 400, 'VALIDATION_FAILED');
    expectRefused(await api.post('/v1/conversations', buyer, { sellerId: seller.userId, productId, orderId }), 400, 'VALIDATION_FAILED');
  });
});

describe('messages', () => {
  it('pages messages newest first with cursors', async () => {
    const { api } = local;
    const { buyer, seller, conversationId } = await aConversation();
    const texts = ['Is the dripper dishwasher safe?', 'Yes, the glaze is dishwasher safe.', 'Great, and does it fit a size two filter?', 'It does, standard size two filters fit.', 'Thanks, ordering now.'];
    for (const [index, text] of texts.entries()) await send(conversationId, index % 2 === 0 ? buyer : seller, text);
    const seen: MessageBody[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await api.get<Page<MessageBody>>(`${messagesOf(conversationId)}${query}`, buyer);
      expect(page.status, page.text).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.map((message) => message.text)).toEqual([...texts].reverse());
    expect(seen.map((message) => message.from)).toEqual(['buyer', 'seller', 'buyer', 'seller', 'buyer']);
    // A cursor of this conversation does not read another one.
    const first = await api.get<Page<MessageBody>>(`${messagesOf(conversationId)}?limit=2`, buyer);
    const other = await aConversation();
    expectRefused(await api.get(`${messagesOf(other.conversationId)}?cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`, other.buyer), 400, 'INVALID_CURSOR');
  });

  it('keeps unread counts per side that follow the read markers', async () => {
    const { api } = local;
    const { buyer, seller, conversationId } = await aConversation();
    await send(conversationId, buyer, 'Hello, is this still available?');
    await send(conversationId, buyer, 'I would like two of them.');
    expect(await unreadOf(seller, conversationId)).toBe(2);
    expect(await unreadOf(buyer, conversationId)).toBe(0);

    const read = await api.post<ConversationBody>(at(conversationId, 'read'), seller);
    expect(read.status, read.text).toBe(200);
    expect(read.body.unreadCount).toBe(0);
    expect(read.body.readMarkers.seller).not.toBeNull();
    expect(await unreadOf(seller, conversationId)).toBe(0);

    await send(conversationId, seller, 'Yes, two are in stock.');
    await send(conversationId, buyer, 'Thank you.');
    expect(await unreadOf(buyer, conversationId)).toBe(1);
    expect(await unreadOf(seller, conversationId)).toBe(1);
    expect((await api.post<ConversationBody>(at(conversationId, 'read'), buyer)).body.unreadCount).toBe(0);
    expect(await unreadOf(buyer, conversationId)).toBe(0);
    expect(await unreadOf(seller, conversationId)).toBe(1);
  });

  it('counts every message of a burst from both sides once', async () => {
    const { api } = local;
    const { buyer, seller, conversationId } = await aConversation();
    const sent = await Promise.all(Array.from({ length: 6 }, (_, index) => api.post(messagesOf(conversationId), index % 2 === 0 ? buyer : seller, { text: `Message number ${['one', 'two', 'three', 'four', 'five', 'six'][index]}` })));
    expect(sent.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect((await api.get<Page<MessageBody>>(messagesOf(conversationId), buyer)).body.items).toHaveLength(6);
    const [forBuyer] = (await myConversations(buyer)).filter((item) => item.conversationId === conversationId);
    expect(forBuyer).toMatchObject({ messageCount: 6, unreadCount: 3 });
    expect(await unreadOf(seller, conversationId)).toBe(3);
  });

  it('lists conversations by newest activity, with the latest message', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const second = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const first = (await api.post<ConversationBody>('/v1/conversations', buyer, { sellerId: seller.userId, productId })).body;
    const other = (await api.post<ConversationBody>('/v1/conversations', buyer, { sellerId: second.seller.userId, productId: second.productId })).body;
    expect((await myConversations(buyer)).map((item) => item.conversationId)).toEqual([other.conversationId, first.conversationId]);
    await send(first.conversationId, buyer, 'Does it come gift wrapped?');
    const listed = await myConversations(buyer);
    expect(listed.map((item) => item.conversationId)).toEqual([first.conversationId, other.conversationId]);
    expect(listed[0]?.lastMessage).toMatchObject({ from: 'buyer', preview: 'Does it come gift wrapped?' });
    // Each seller sees only their own.
    expect((await myConversations(seller)).map((item) => item.conversationId)).toEqual([first.conversationId]);
  });

  it('replays a retried send with the same Idempotency-Key instead of sending twice', async () => {
    const { api } = local;
    const { buyer, conversationId } = await aConversation();
    const body = { text: 'Please ship it in a sturdy box.' };
    const first = await api.post<MessageBody>(messagesOf(conversationId), buyer, body, { 'idempotency-key': 'send-1' });
    const retry = await api.post<MessageBody>(messagesOf(conversationId), buyer, body, { 'idempotency-key': 'send-1' });
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.messageId).toBe(first.body.messageId);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.get<Page<MessageBody>>(messagesOf(conversationId), buyer)).body.items).toHaveLength(1);
    expectRefused(await api.post(messagesOf(conversationId), buyer, { text: 'Something else entirely.' }, { 'idempotency-key': 'send-1' }), 409, 'IDEMPOTENCY_KEY_REUSED');
  });

  it.each([
    ['an email address', 'Write to me at jordan.buyer@example.com instead', 'CONTACT_DETAILS'],
    ['a phone number', 'Call me on +1 555 123 4567 to settle it', 'CONTACT_DETAILS'],
    ['a messenger handle', 'Contact me on telegram @cheap_dripper', 'CONTACT_DETAILS'],
    ['a link', 'It is cheaper at https://elsewhere.example', 'EXTERNAL_LINK'],
    ['a bare web address', 'Order it from dripper-outlet.com and pay there', 'EXTERNAL_LINK'],
    ['offensive language', 'This is shit and you know it', 'OFFENSIVE_LANGUAGE'],
  ])('refuses a message with %s, naming the reason', async (_what, text, reason) => {
    const { api } = local;
    const { buyer, seller, conversationId } = await aConversation();
    const problem = expectRefused(await api.post(messagesOf(conversationId), buyer, { text }), 400, 'MESSAGE_NOT_ALLOWED');
    expect(problem.errors).toContainEqual({ path: 'body.text', message: expect.stringMatching(new RegExp(`^${reason}: `)) });
    expect((await api.get<Page<MessageBody>>(messagesOf(conversationId), seller)).body.items).toEqual([]);
    expect(await unreadOf(seller, conversationId)).toBe(0);
  });

  it('lets an ordinary message through, numbers and all', async () => {
    const { buyer, conversationId } = await aConversation();
    const sent = await send(conversationId, buyer, 'Order #1234567 arrived on 2026-05-12; the 10x20 cm box was dented. Is that a fraud risk?');
    expect(sent.from).toBe('buyer');
  });

  it('refuses empty and over-long text, and more than 5 attachments', async () => {
    const { api } = local;
    const { buyer, conversationId } = await aConversation();
    expectRefused(await api.post(messagesOf(conversationId), buyer, { text: '   ' }), 400, 'VALIDATION_FAILED');
    expectRefused(await api.post(messagesOf(conversationId), buyer, { text: 'a'.repeat(2001) }), 400, 'VALIDATION_FAILED');
    expect((await api.post(messagesOf(conversationId), buyer, { text: 'long '.repeat(400) })).status).toBe(201);
    const six = Array.from({ length: 6 }, () => 'upl_01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expectRefused(await api.post(messagesOf(conversationId), buyer, { text: 'Six files', attachments: six }), 400, 'VALIDATION_FAILED');
  });

  it('sends images and PDFs checked by their bytes, each with a download link', async () => {
    const { api } = local;
    const { buyer, seller, conversationId } = await aConversation();
    const photo = await api.upload(buyer, PNG_BYTES, { purpose: 'message-attachment', contentType: 'image/png' });
    const invoice = await api.upload(buyer, PDF_BYTES, { purpose: 'message-attachment', contentType: 'application/pdf' });
    const sent = await send(conversationId, buyer, 'Here is the photo and the invoice.', [photo, invoice]);
    expect(sent.attachments.map((attachment) => [attachment.uploadId, attachment.contentType])).toEqual([
      [photo, 'image/png'],
      [invoice, 'application/pdf'],
    ]);
    const [received] = (await api.get<Page<MessageBody>>(messagesOf(conversationId), seller)).body.items;
    const download = await fetch(received?.attachments[0]?.url ?? '');
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(PNG_BYTES);
  });

  it('refuses an attachment that is not an image or PDF by its bytes, and one used by another message', async () => {
    const { api } = local;
    const { buyer, conversationId } = await aConversation();
    const fake = await api.upload(buyer, new TextEncoder().encode('MZ this is an executable, not a picture'), { purpose: 'message-attachment', contentType: 'image/png' });
    const refused = expectRefused(await api.post(messagesOf(conversationId), buyer, { text: 'See the picture', attachments: [fake] }), 400, 'UPLOAD_NOT_USABLE');
    expect(refused.errors?.[0]?.path).toBe('body.attachments.0');
    expect((await api.get<Page<MessageBody>>(messagesOf(conversationId), buyer)).body.items).toEqual([]);

    const photo = await api.upload(buyer, PNG_BYTES, { purpose: 'message-attachment', contentType: 'image/png' });
    await send(conversationId, buyer, 'First use of the photo.', [photo]);
    expectRefused(await api.post(messagesOf(conversationId), buyer, { text: 'Second use of the photo.', attachments: [photo] }), 400, 'UPLOAD_NOT_USABLE');
    // An upload made for reviews is not a message attachment.
    const reviewPhoto = await api.upload(buyer, PNG_BYTES, { purpose: 'review-media', contentType: 'image/png' });
    expectRefused(await api.post(messagesOf(conversationId), buyer, { text: 'A review photo.', attachments: [reviewPhoto] }), 400, 'UPLOAD_NOT_USABLE');
  });

  it("records the seller's first reply to a buyer-started conversation on the seller's monthly counters", async () => {
    const { api } = local;
    const { buyer, seller, conversationId } = await aConversation();
    const first = await send(conversationId, buyer, 'Is it in stock?');
    await api.moveClock('PT2H');
    await send(conversationId, seller, 'Yes, it ships tomorrow.');
    await send(conversationId, seller, 'I added a spare filter.');
    // The month's counters are write-sharded (store/sharded-counter.ts): read every shard and add them up.
    const shards = await batchGetItems(sellerStatsShards.keys({ sellerId: seller.userId, month: first.sentAt.slice(0, 7) }));
    expect(sellerStatsShards.sum(shards)).toMatchObject({ buyerConversations: 1, firstResponses: 1, firstResponsesWithin24h: 1, firstResponsesWithin4h: 1, firstResponseMinutes: 120, firstResponsesWithin1h: 0 });
    // Counters that did not move are not written (the second reply is not a first response).
    for (const shard of shards) expect(shard).not.toHaveProperty('firstResponsesWithin1h');
  });
});

describe('who reads a conversation', () => {
  it('answers 404 to anyone but the two participants, as for one that does not exist', async () => {
    const { api } = local;
    const { buyer, seller, conversationId } = await aConversation();
    await send(conversationId, buyer, 'A private question about the size.');
    const missing = 'cnv_01ARZ3NDEKTSV4RRFFQ69G5FAV';
    for (const stranger of [await api.actor('buyer'), await api.actor('seller'), await api.actor('admin')]) {
      const read = await api.get(messagesOf(conversationId), stranger);
      expectRefused(read, 404, 'CONVERSATION_NOT_FOUND');
      expect(read.text).not.toContain('private question');
      expect(read.text.replace(conversationId, '{id}')).toBe((await api.get(messagesOf(missing), stranger)).text.replace(missing, '{id}'));
    }
    for (const stranger of [await api.actor('buyer'), await api.actor('seller')]) {
      expectRefused(await api.post(messagesOf(conversationId), stranger, { text: 'Butting in here.' }), 404, 'CONVERSATION_NOT_FOUND');
      expectRefused(await api.post(at(conversationId, 'read'), stranger), 404, 'CONVERSATION_NOT_FOUND');
      expect(await myConversations(stranger)).toEqual([]);
    }
    expectRefused(await api.post(at(conversationId, 'escalate'), await api.actor('buyer')), 404, 'CONVERSATION_NOT_FOUND');
    // None of it reached the conversation.
    expect(await unreadOf(seller, conversationId)).toBe(1);
    expect(await unreadOf(buyer, conversationId)).toBe(0);
  });

  it("lets an admin read an order's conversation while its dispute is escalated, and puts it in the case file", async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    const admin = await api.actor('admin');
    const { conversationId } = (await api.post<ConversationBody>('/v1/conversations', buyer, { sellerId: seller.userId, orderId })).body;
    await send(conversationId, buyer, 'The lid arrived cracked.');
    await send(conversationId, seller, 'Sorry to hear that; can you send a photo?');
    const opened = await api.post<{ disputeId: string }>(`/v1/orders/${orderId}/disputes`, buyer, { reason: 'DAMAGED', request: { type: 'REFUND', amount: { amount: 1000, currency: 'USD' } }, description: 'The lid arrived cracked in two places.', evidence: [] });
    expect(opened.status, opened.text).toBe(201);
    const { disputeId } = opened.body;
    // An open dispute that is still between the parties is not the admins' to read.
    expectRefused(await api.get(messagesOf(conversationId), admin), 404, 'CONVERSATION_NOT_FOUND');

    expect((await api.post(`/v1/disputes/${disputeId}/response`, seller, { action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: { amount: 500, currency: 'USD' } }, message: 'We can refund part of it.', evidence: [] })).status).toBe(200);
    expect((await api.post(`/v1/disputes/${disputeId}/escalate`, buyer, { message: 'We cannot agree; please decide.' })).status).toBe(200);
    const read = await api.get<Page<MessageBody>>(messagesOf(conversationId), admin);
    expect(read.status, read.text).toBe(200);
    expect(read.body.items.map((message) => message.from)).toEqual(['seller', 'buyer']);

    await api.drainQueues();
    const forAdmin = await api.get<{ caseFile: { conversation: unknown; messages: { from: string; text: string }[] } }>(`/v1/disputes/${disputeId}`, admin);
    expect(forAdmin.body.caseFile.conversation).toEqual({ conversationId, messageCount: 2 });
    expect(forAdmin.body.caseFile.messages.map((message) => [message.from, message.text])).toEqual([
      ['buyer', 'The lid arrived cracked.'],
      ['seller', 'Sorry to hear that; can you send a photo?'],
    ]);

    // Once decided, the dispute is no longer with the admins: not even a cursor handed out before reads on.
    const firstPage = await api.get<Page<MessageBody>>(`${messagesOf(conversationId)}?limit=1`, admin);
    const cursor = encodeURIComponent(firstPage.body.nextCursor ?? '');
    expect((await api.get(`${messagesOf(conversationId)}?limit=1&cursor=${cursor}`, admin)).status).toBe(200);
    const decided = await api.post(`/v1/admin/disputes/${disputeId}/decision`, admin, { refundAmount: { amount: 500, currency: 'USD' }, returnRequired: false, rationale: 'The photos show the damage clearly.' });
    expect(decided.status, decided.text).toBe(200);
    expectRefused(await api.get(`${messagesOf(conversationId)}?limit=1&cursor=${cursor}`, admin), 404, 'CONVERSATION_NOT_FOUND');
    expectRefused(await api.get(messagesOf(conversationId), admin), 404, 'CONVERSATION_NOT_FOUND');
    // The participants read on, and a participant's cursor is theirs alone.
    const buyerPage = await api.get<Page<MessageBody>>(`${messagesOf(conversationId)}?limit=1`, buyer);
    expect(buyerPage.status).toBe(200);
    expectRefused(await api.get(`${messagesOf(conversationId)}?limit=1&cursor=${encodeURIComponent(buyerPage.body.nextCursor ?? '')}`, seller), 400, 'INVALID_CURSOR');
  });

  it('gives a dispute without a conversation an empty one in its case file', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    const { disputeId } = (await api.post<{ disputeId: string }>(`/v1/orders/${orderId}/disputes`, buyer, { reason: 'DAMAGED', request: { type: 'REFUND', amount: { amount: 1000, currency: 'USD' } }, description: 'The lid arrived cracked in two places.', evidence: [] })).body;
    expect((await api.post(`/v1/disputes/${disputeId}/response`, seller, { action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: { amount: 500, currency: 'USD' } }, message: 'We can refund part of it.', evidence: [] })).status).toBe(200);
    expect((await api.post(`/v1/disputes/${disputeId}/escalate`, buyer, { message: 'We cannot agree; please decide.' })).status).toBe(200);
    await api.drainQueues();
    const forAdmin = await api.get<{ caseFile: { conversation: unknown; messages: unknown[] } }>(`/v1/disputes/${disputeId}`, await api.actor('admin'));
    expect(forAdmin.body.caseFile).toMatchObject({ conversation: { conversationId: null, messageCount: 0 }, messages: [] });
  });
});

describe('escalation to support', () => {
  it('refuses escalation before the seller has had 24 hours, allows it after, and queues it for admins', async () => {
    const { api } = local;
    const { buyer, seller, conversationId } = await aConversation();
    const admin = await api.actor('admin');
    expectRefused(await api.post(at(conversationId, 'escalate'), buyer), 409, 'ESCALATION_NOT_ALLOWED_YET');
    await send(conversationId, buyer, 'Has my question reached you?');
    expectRefused(await api.post(at(conversationId, 'escalate'), buyer), 409, 'ESCALATION_NOT_ALLOWED_YET');
    await api.moveClock('PT23H');
    const early = expectRefused(await api.post(at(conversationId, 'escalate'), buyer), 409, 'ESCALATION_NOT_ALLOWED_YET');
    expect(early.detail).toMatch(/from \d{4}-/);
    // Before escalation the conversation is not the admins' to read.
    expectRefused(await api.get(messagesOf(conversationId), admin), 404, 'CONVERSATION_NOT_FOUND');

    await api.moveClock('PT1H1M');
    const escalated = await api.post<ConversationBody>(at(conversationId, 'escalate'), buyer);
    expect(escalated.status, escalated.text).toBe(200);
    expect(escalated.body.escalatedAt).not.toBeNull();
    expectRefused(await api.post(at(conversationId, 'escalate'), buyer), 409, 'CONVERSATION_ALREADY_ESCALATED');

    const queue = await api.get<Page<ConversationBody>>('/v1/admin/conversations?escalated=true&limit=100', admin);
    expect(queue.status, queue.text).toBe(200);
    expect(queue.body.items.map((item) => item.conversationId)).toContain(conversationId);
    expect(queue.body.items[0]).not.toHaveProperty('unreadCount');
    const read = await api.get<Page<MessageBody>>(messagesOf(conversationId), admin);
    expect(read.status, read.text).toBe(200);
    expect(read.body.items.map((message) => message.text)).toEqual(['Has my question reached you?']);
    // Admins read; they do not write into the conversation.
    expectRefused(await api.post(messagesOf(conversationId), admin, { text: 'Support here.' }), 403, 'FORBIDDEN_ROLE');
    expect(await unreadOf(seller, conversationId)).toBe(1);
  });

  it('starts the 24 hours again from the first buyer message after a seller reply', async () => {
    const { api } = local;
    const { buyer, seller, conversationId } = await aConversation();
    await send(conversationId, buyer, 'Is it in stock?');
    await api.moveClock('PT20H');
    await send(conversationId, seller, 'Yes, it is.');
    await send(conversationId, buyer, 'Can you ship today?');
    await api.moveClock('PT20H');
    expectRefused(await api.post(at(conversationId, 'escalate'), buyer), 409, 'ESCALATION_NOT_ALLOWED_YET');
    await api.moveClock('PT5H');
    expect((await api.post(at(conversationId, 'escalate'), buyer)).status).toBe(200);
  });

  it('lists the support queue oldest escalation first', async () => {
    const { api } = local;
    const admin = await api.actor('admin');
    const ids: string[] = [];
    for (let index = 0; index < 2; index += 1) {
      const { buyer, conversationId } = await aConversation();
      await send(conversationId, buyer, 'Anyone there?');
      await api.moveClock('PT25H');
      expect((await api.post(at(conversationId, 'escalate'), buyer)).status).toBe(200);
      ids.push(conversationId);
    }
    const queue = (await api.get<Page<ConversationBody>>('/v1/admin/conversations?limit=100', admin)).body.items.map((item) => item.conversationId);
    expect(queue.filter((id) => ids.includes(id))).toEqual(ids);
    expectRefused(await api.get('/v1/admin/conversations?escalated=false', admin), 400, 'VALIDATION_FAILED');
  });
});
