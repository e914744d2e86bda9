/**
 * A notification for every event DOMAIN.md "Notifications" lists, written in the transaction that causes
 * it: it lands in the inbox of whoever must act or loses something, and in no other — the other party's
 * and a third user's inboxes are checked too — with the deadline when there is one, and no other user's
 * private data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { anAddress, aReview, aShipment, aTrackingNumber, PNG_BYTES, useLocalApi, type Actor, type Api } from '../support/local-api.js';
import { noticesOf, type NotificationItem } from '../support/notifications.js';

const local = useLocalApi();

const usd = (amount: number) => ({ amount, currency: 'USD' });
const aDispute = () => ({ reason: 'DAMAGED', request: { type: 'REFUND', amount: usd(1000) }, description: 'The lid arrived cracked in two places.', evidence: [] });
const aCounterOffer = (amount: number) => ({ action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: usd(amount) }, message: 'We can refund part of it.', evidence: [] });
const aDecision = (amount: number) => ({ refundAmount: usd(amount), returnRequired: false, rationale: 'The photos show the damage clearly.' });

/**
 * The timer sweep remembers how far each shard was swept, so a test that runs it starts later than any
 * sweep before it (and leaves the clock there): what it sets due is then read by its own sweeps.
 */
let nextStart = Date.now() + 86_400_000;
async function startLater(): Promise<void> {
  nextStart += 30 * 86_400_000;
  await local.api.setClock(new Date(nextStart).toISOString());
}

let stranger: Actor;
beforeAll(async () => {
  stranger = await local.api.actor('buyer');
});

/** Exactly one notification of `type` about the subject in each recipient's inbox, none in the others'. */
async function expectToldOnly(api: Api, type: string, subjectId: string, recipients: Actor[], others: Actor[]): Promise<NotificationItem[]> {
  const told = [];
  for (const recipient of recipients) {
    const notices = await noticesOf(api, recipient, type, subjectId);
    expect(notices, `${type} for ${recipient.userId}`).toHaveLength(1);
    told.push(notices[0] as NotificationItem);
  }
  for (const other of [...others, stranger]) expect(await noticesOf(api, other, type, subjectId), `${type} must not reach ${other.userId}`).toEqual([]);
  return told;
}

describe('orders', () => {
  it('tells the buyer (only) that the order shipped, naming the carrier and tracking number', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    const [shipped] = await expectToldOnly(api, 'ORDER_SHIPPED', orderId, [buyer], [seller]);
    expect(shipped).toMatchObject({ read: false, subject: { kind: 'order', id: orderId } });
    expect(shipped?.body).toContain('UPS');
    expect(shipped).not.toHaveProperty('dueAt');
  });

  it('tells the buyer (only) of a delivery an admin proves, with the end of protection as the deadline', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    const claimed = await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'DELIVERED', occurredAt: new Date().toISOString() });
    expect(claimed.status, claimed.text).toBe(201);
    // The seller's own DELIVERED is a claim, not proof: nobody is told.
    expect(await noticesOf(api, buyer, 'ORDER_DELIVERED', orderId)).toEqual([]);
    const proven = await api.post(`/v1/orders/${orderId}/tracking-events`, await api.actor('admin'), { status: 'DELIVERED', occurredAt: new Date().toISOString() });
    expect(proven.status, proven.text).toBe(201);
    const order = await api.get<{ protectionEndsAt: string }>(`/v1/orders/${orderId}`, buyer);
    const [delivered] = await expectToldOnly(api, 'ORDER_DELIVERED', orderId, [buyer], [seller]);
    expect(delivered?.dueAt).toBe(order.body.protectionEndsAt);
  });

  it('tells the buyer of a delivery the carrier proves', async () => {
    const { api } = local;
    const trackingNumber = aTrackingNumber('1Z');
    const placed = await api.placedOrder();
    expect((await api.post(`/v1/orders/${placed.orderId}/shipment`, placed.seller, { ...aShipment(), carrier: 'UPS', trackingNumber })).status).toBe(200);
    const event = { eventId: `evt-${trackingNumber}`, trackingNumber, status: 'DELIVERED', occurredAt: new Date().toISOString(), signedBy: 'J. Doe' };
    expect((await api.carrierEvents('ups', { events: [event] })).body).toMatchObject({ matched: 1 });
    // The carrier sends it again: told once.
    await api.carrierEvents('ups', { events: [event] });
    await expectToldOnly(api, 'ORDER_DELIVERED', placed.orderId, [placed.buyer], [placed.seller]);
  });

  it('tells both parties when the platform cancels an unshipped order, and the buyer of the refund, and nobody of a party cancelling', async () => {
    const { api } = local;
    await startLater();
    const late = await api.placedOrder();
    await api.setClock(String(late.order.shipBy));
    await api.runJob('timers');
    const order = await api.get<{ status: string; cancellation: { refundId: string } }>(`/v1/orders/${late.orderId}`, late.buyer);
    expect(order.body.status).toBe('CANCELLED');
    const [toBuyer, toSeller] = await expectToldOnly(api, 'ORDER_AUTO_CANCELLED', late.orderId, [late.buyer, late.seller], []);
    expect(toBuyer?.body).not.toEqual(toSeller?.body);
    await expectToldOnly(api, 'REFUND_STATUS', order.body.cancellation.refundId, [late.buyer], [late.seller]);

    const cancelled = await api.placedOrder();
    expect((await api.post(`/v1/orders/${cancelled.orderId}/cancel`, cancelled.seller, { reason: 'Out of stock' })).status).toBe(200);
    expect(await noticesOf(api, cancelled.buyer, 'ORDER_AUTO_CANCELLED', cancelled.orderId)).toEqual([]);
  });
});

describe('disputes', () => {
  async function opened() {
    const { api } = local;
    const deal = await api.shippedOrder();
    const dispute = await api.post<{ disputeId: string; deadlines: Record<string, string> }>(`/v1/orders/${deal.orderId}/disputes`, deal.buyer, aDispute());
    expect(dispute.status, dispute.text).toBe(201);
    return { ...deal, disputeId: dispute.body.disputeId, deadlines: dispute.body.deadlines };
  }

  it('tells the seller (only) of a new dispute with the response deadline, without the buyer\'s details', async () => {
    const { api } = local;
    const { buyer, seller, disputeId, deadlines } = await opened();
    const [notice] = await expectToldOnly(api, 'DISPUTE_OPENED', disputeId, [seller], [buyer]);
    expect(notice?.dueAt).toBe(deadlines.sellerResponse);
    for (const secret of [buyer.userId, anAddress().name, anAddress().line1]) expect(JSON.stringify(notice)).not.toContain(secret);
  });

  it('tells the buyer (only) of a counter-offer with the answer deadline', async () => {
    const { api } = local;
    const { buyer, seller, disputeId } = await opened();
    const countered = await api.post<{ deadlines: Record<string, string> }>(`/v1/disputes/${disputeId}/response`, seller, aCounterOffer(500));
    expect(countered.status, countered.text).toBe(200);
    const [notice] = await expectToldOnly(api, 'DISPUTE_COUNTER_OFFER', disputeId, [buyer], [seller]);
    expect(notice?.dueAt).toBe(countered.body.deadlines.buyerResponse);
    expect(notice?.body).toContain('$5.00');
  });

  it("tells both parties of the platform's decision, the buyer of its refund, and the other party of an appeal", async () => {
    const { api } = local;
    const { buyer, seller, disputeId } = await opened();
    expect((await api.post(`/v1/disputes/${disputeId}/response`, seller, aCounterOffer(500))).status).toBe(200);
    expect((await api.post(`/v1/disputes/${disputeId}/escalate`, buyer, { message: 'We cannot agree; please decide.' })).status).toBe(200);
    const decided = await api.post<{ resolution: { refundId: string } }>(`/v1/admin/disputes/${disputeId}/decision`, await api.actor('admin'), aDecision(800));
    expect(decided.status, decided.text).toBe(200);
    await expectToldOnly(api, 'DISPUTE_DECIDED', disputeId, [buyer, seller], []);
    await expectToldOnly(api, 'REFUND_STATUS', decided.body.resolution.refundId, [buyer], [seller]);

    const appealed = await api.post(`/v1/disputes/${disputeId}/appeal`, seller, { statement: 'Please look at this decision again.', evidence: [await api.upload(seller, PNG_BYTES, { purpose: 'dispute-evidence' })] });
    expect(appealed.status, appealed.text).toBe(200);
    await expectToldOnly(api, 'DISPUTE_APPEALED', disputeId, [buyer], [seller]);
  });

  it('tells the buyer when the seller accepts, not the seller who did', async () => {
    const { api } = local;
    const { buyer, seller, disputeId } = await opened();
    expect((await api.post(`/v1/disputes/${disputeId}/response`, seller, { action: 'ACCEPT', message: 'Sorry about that, refund approved.', evidence: [] })).status).toBe(200);
    const [settled] = await expectToldOnly(api, 'DISPUTE_DECIDED', disputeId, [buyer], [seller]);
    expect(settled?.body).toContain('$10.00');
  });
});

describe('refunds', () => {
  it('tells the buyer when the refund is paid', async () => {
    const { api } = local;
    await startLater();
    const placed = await api.placedOrder();
    const cancelled = await api.post<{ cancellation: { refundId: string } }>(`/v1/orders/${placed.orderId}/cancel`, placed.buyer, { reason: 'Changed my mind' });
    const { refundId } = cancelled.body.cancellation;
    await expectToldOnly(api, 'REFUND_STATUS', refundId, [placed.buyer], [placed.seller]);
    await api.runJob('timers');
    await api.moveClock('P4D');
    await api.runJob('timers');
    expect((await api.get<{ status: string }>(`/v1/refunds/${refundId}`, placed.buyer)).body.status).toBe('COMPLETED');
    const notices = await noticesOf(api, placed.buyer, 'REFUND_STATUS', refundId);
    expect(notices.map((notice) => notice.title)).toEqual(['Your refund was paid', 'A refund is on its way']);
    expect(await noticesOf(api, placed.seller, 'REFUND_STATUS', refundId)).toEqual([]);
  });
});

describe('refunds that fail', () => {
  it('tells the buyer when the refund fails for good (an admin takes it over), once', async () => {
    const { api } = local;
    await startLater();
    const placed = await api.placedOrder();
    const cancelled = await api.post<{ cancellation: { refundId: string } }>(`/v1/orders/${placed.orderId}/cancel`, placed.buyer, { reason: 'Changed my mind' });
    const { refundId } = cancelled.body.cancellation;
    expect((await api.request('POST', '/local/payments/failures', { body: { count: 4 } })).status).toBe(200);
    // Four attempts, each after the backoff of the one before (1 h, 4 h, 16 h), then one more sweep.
    await api.runJob('timers');
    for (const wait of ['PT1H1M', 'PT4H1M', 'PT16H1M', 'P1D']) {
      await api.moveClock(wait);
      await api.runJob('timers');
    }
    expect((await api.get<{ status: string }>(`/v1/refunds/${refundId}`, placed.buyer)).body.status).toBe('FAILED');
    const notices = await noticesOf(api, placed.buyer, 'REFUND_STATUS', refundId);
    expect(notices.map((notice) => notice.title)).toEqual(['Your refund is delayed', 'A refund is on its way']);
    expect(await noticesOf(api, placed.seller, 'REFUND_STATUS', refundId)).toEqual([]);
  });
});

describe('reviews and messages', () => {
  async function reviewed(text?: string) {
    const { api } = local;
    const { buyer, seller, orderId, productId } = await api.completedOrder();
    const review = await api.post<{ reviewId: string }>(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, text ? { text } : {}));
    expect(review.status, review.text).toBe(201);
    await api.drainQueues();
    return { buyer, seller, orderId, productId, reviewId: review.body.reviewId };
  }

  /** The seller is told of a review, never who wrote it: no reviewer name, buyer id or order. */
  const namesNoReviewer = async (notice: NotificationItem | undefined, { buyer, orderId, productId, reviewId }: { buyer: Actor; orderId: string; productId: string; reviewId: string }) => {
    const listed = await local.api.get<{ items: { reviewId: string; reviewer: { displayName: string } }[] }>(`/v1/products/${productId}/reviews`, buyer);
    const reviewerName = listed.body.items.find((item) => item.reviewId === reviewId)?.reviewer.displayName;
    expect(reviewerName).toBeTruthy();
    expect(notice).toBeDefined();
    for (const secret of [reviewerName, buyer.userId, orderId]) expect(JSON.stringify(notice)).not.toContain(secret);
  };

  it('tells the author and the seller that the review is published (the seller without who wrote it), then that the reply is', async () => {
    const { api } = local;
    const done = await reviewed();
    const { buyer, seller, reviewId } = done;
    const [, sellerNotice] = await expectToldOnly(api, 'REVIEW_PUBLISHED', reviewId, [buyer, seller], []);
    expect(sellerNotice).toMatchObject({ title: 'A buyer reviewed your product', subject: { kind: 'review', id: reviewId } });
    await namesNoReviewer(sellerNotice, done);
    expect((await api.put(`/v1/reviews/${reviewId}/reply`, seller, { text: 'Thank you for the kind words!' })).status).toBe(200);
    await api.drainQueues();
    const [toBuyer, toSeller] = await expectToldOnly(api, 'SELLER_REPLIED', reviewId, [buyer, seller], []);
    expect([toBuyer?.title, toSeller?.title]).toEqual(['The seller replied to your review', 'Your reply is published']);
    await namesNoReviewer(toSeller, done);
  });

  it('tells the seller (only) that their reply was not published, and why', async () => {
    const { api } = local;
    const done = await reviewed();
    const { buyer, seller, reviewId } = done;
    const reply = await api.put<{ status: string }>(`/v1/reviews/${reviewId}/reply`, seller, { text: 'Buy it cheaper at https://cheap-knockoffs.example.com instead' });
    expect(reply.status, reply.text).toBe(200);
    await api.drainQueues();
    const [rejected] = await expectToldOnly(api, 'REVIEW_REJECTED', reviewId, [seller], [buyer]);
    expect(rejected?.title).toBe('Your reply was not published');
    await namesNoReviewer(rejected, done);
  });

  it('tells the author (only) that the review was rejected, and why', async () => {
    const { api } = local;
    const { buyer, seller, reviewId } = await reviewed('Much cheaper at https://cheap-knockoffs.example.com, buy there');
    const [rejected] = await expectToldOnly(api, 'REVIEW_REJECTED', reviewId, [buyer], [seller]);
    expect(rejected?.body.length).toBeGreaterThan('Your review was not published.'.length);
  });

  it('tells the other participant (only) of a new message', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const started = await api.post<{ conversationId: string }>('/v1/conversations', buyer, { sellerId: seller.userId, productId });
    const path = `/v1/conversations/${started.body.conversationId}/messages`;
    expect((await api.post(path, buyer, { text: 'Is this still available?' })).status).toBe(201);
    await expectToldOnly(api, 'NEW_MESSAGE', started.body.conversationId, [seller], [buyer]);
    expect((await api.post(path, seller, { text: 'Yes, it ships tomorrow.' })).status).toBe(201);
    await expectToldOnly(api, 'NEW_MESSAGE', started.body.conversationId, [buyer], []);
  });
});

describe('sellers', () => {
  it('tells the seller of the verification and listing decisions', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    await expectToldOnly(api, 'VERIFICATION_DECIDED', seller.userId, [seller], [buyer]);
    const [approved] = await expectToldOnly(api, 'LISTING_DECIDED', productId, [seller], [buyer]);
    expect(approved?.title).toBe('Your listing is approved');
  });

  it('tells the seller of penalty points and of the restriction they start', async () => {
    const { api } = local;
    const seller = await api.verifiedSeller();
    const added = await api.post(`/v1/admin/sellers/${seller.userId}/penalties`, await api.actor('admin'), { points: 12, reason: 'Misleading listing photos.' });
    expect(added.status, added.text).toBe(200);
    const [points] = await expectToldOnly(api, 'PENALTY_POINTS', seller.userId, [seller], []);
    expect(points?.body).toContain('Misleading listing photos.');
    const [restricted] = await expectToldOnly(api, 'SELLER_RESTRICTED', seller.userId, [seller], []);
    expect(restricted?.body).toContain('cannot create new listings');
  });
});
