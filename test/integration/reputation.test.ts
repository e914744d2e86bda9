import { afterEach, describe, expect, it } from 'vitest';
import { anAddress, aReview, aShipment, useLocalApi, type Actor } from '../support/local-api.js';
import type { PositiveRate } from '../../lambdas/domain/reputation.js';

const local = useLocalApi();

afterEach(async () => {
  await local.api.resetClock();
});

interface PublicShop {
  badges: { code: string; reason: string }[];
  reputation: {
    feedback: PositiveRate;
    sellerRatings: { count: number; itemAsDescribed: number | null; communication: number | null; shippingSpeed: number | null };
    responses: { conversations: number; responseRate: number | null; medianFirstResponse: string | null };
    disputes: { orders: number; disputed: number; disputeRate: number | null };
    shipping: { shipments: number; onTime: number; onTimeRate: number | null };
    history: PositiveRate[];
  };
}

/** One completed order of `seller` for the given products (one of each), by a new buyer. */
async function completedOrderOf(seller: Actor, productIds: string[]): Promise<{ buyer: Actor; orderId: string }> {
  const { api } = local;
  const buyer = await api.actor('buyer');
  const placed = await api.post('/v1/orders', buyer, { items: productIds.map((productId) => ({ productId, quantity: 1 })), shippingAddress: anAddress(), paymentReference: `pay_${buyer.userId}` });
  expect(placed.status, placed.text).toBe(201);
  const orderId = String(placed.body.orderId);
  expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
  expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
  return { buyer, orderId };
}

async function review(buyer: Actor, orderId: string, productId: string, rating: number, sellerRatings = { itemAsDescribed: 5, communication: 4, shippingSpeed: 5 }): Promise<string> {
  const { api } = local;
  const created = await api.post<{ reviewId: string }>(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, { rating, sellerRatings }));
  expect(created.status, created.text).toBe(201);
  await api.drainQueues();
  const read = await api.get<{ status: string }>(`/v1/reviews/${created.body.reviewId}`, buyer);
  expect(read.body.status).toBe('PUBLISHED');
  return created.body.reviewId;
}

const shopOf = async (seller: Actor): Promise<PublicShop> => {
  const shop = await local.api.get<PublicShop>(`/v1/sellers/${seller.userId}`);
  expect(shop.status, shop.text).toBe(200);
  return shop.body;
};

describe('feedback, one per order', () => {
  it('shows a positive rate of 66.7 % from 2 positive, 1 neutral and 1 negative order, the lowest line deciding an order', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const { productId: second } = await api.reviewedListing(seller);
    // Two lines rated 5 and 2: one negative order, not one positive and one negative.
    const mixed = await completedOrderOf(seller, [productId, second]);
    await review(mixed.buyer, mixed.orderId, productId, 5, { itemAsDescribed: 4, communication: 4, shippingSpeed: 4 });
    await review(mixed.buyer, mixed.orderId, second, 2, { itemAsDescribed: 1, communication: 1, shippingSpeed: 1 });
    for (const rating of [5, 4, 3]) {
      const order = await completedOrderOf(seller, [productId]);
      await review(order.buyer, order.orderId, productId, rating, { itemAsDescribed: 5, communication: 5, shippingSpeed: 5 });
    }

    const { reputation } = await shopOf(seller);
    expect(reputation.feedback).toEqual({ months: 6, positiveRate: 66.7, positive: 2, neutral: 1, negative: 1, count: 4 });
    // The detailed ratings of each order's first published review: (4 + 5 + 5 + 5) / 4.
    expect(reputation.sellerRatings).toEqual({ count: 4, itemAsDescribed: 4.75, communication: 4.75, shippingSpeed: 4.75 });
    expect(reputation.history.map((window) => [window.months, window.count, window.positiveRate])).toEqual([
      [1, 4, 66.7],
      [3, 4, 66.7],
      [6, 4, 66.7],
      [12, 4, 66.7],
    ]);
    expect(reputation.shipping).toMatchObject({ shipments: 4, onTime: 4, onTimeRate: 100 });
  });

  it('moves an order’s class once when its lowest line is taken down', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const { productId: second } = await api.reviewedListing(seller);
    const order = await completedOrderOf(seller, [productId, second]);
    await review(order.buyer, order.orderId, productId, 5);
    const low = await review(order.buyer, order.orderId, second, 1);
    expect((await shopOf(seller)).reputation.feedback).toMatchObject({ positive: 0, negative: 1, count: 1 });

    const admin = await api.actor('admin');
    expect((await api.post(`/v1/admin/reviews/${low}/decision`, admin, { decision: 'REMOVE', reason: 'Written for a competitor.' })).status).toBe(200);
    expect((await shopOf(seller)).reputation.feedback).toMatchObject({ positive: 1, negative: 0, count: 1, positiveRate: 100 });
  });
});

describe('a dispute the buyer lost in arbitration', () => {
  it('takes the order’s feedback out of the counts and keeps it out; the review still shows; the order counts in the dispute rate', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const { productId: second } = await api.reviewedListing(seller);
    const { buyer, orderId } = await completedOrderOf(seller, [productId, second]);
    const reviewId = await review(buyer, orderId, productId, 1);
    expect((await shopOf(seller)).reputation.feedback).toMatchObject({ negative: 1, count: 1 });

    const opened = await api.post<{ disputeId: string }>(`/v1/orders/${orderId}/disputes`, buyer, {
      reason: 'DAMAGED',
      request: { type: 'REFUND', amount: { amount: 1000, currency: 'USD' } },
      description: 'The lid arrived cracked in two places.',
      evidence: [],
    });
    expect(opened.status, opened.text).toBe(201);
    const disputeId = opened.body.disputeId;
    const countered = await api.post(`/v1/disputes/${disputeId}/response`, seller, { action: 'COUNTER_OFFER', counterOffer: { type: 'REFUND', amount: { amount: 500, currency: 'USD' } }, message: 'We can refund part of it.', evidence: [] });
    expect(countered.status, countered.text).toBe(200);
    expect((await api.post(`/v1/disputes/${disputeId}/escalate`, buyer, { message: 'We cannot agree; please decide.' })).status).toBe(200);
    const admin = await api.actor('admin');
    const decided = await api.post<{ status: string; resolution: { outcome: string } }>(`/v1/admin/disputes/${disputeId}/decision`, admin, {
      refundAmount: { amount: 0, currency: 'USD' },
      returnRequired: false,
      rationale: 'The photos show a lid that was intact on delivery.',
    });
    expect(decided.status, decided.text).toBe(200);
    expect(decided.body).toMatchObject({ status: 'RESOLVED', resolution: { outcome: 'NO_REFUND' } });
    await api.runJob('timers');

    const { reputation } = await shopOf(seller);
    expect(reputation.feedback).toMatchObject({ positive: 0, neutral: 0, negative: 0, count: 0 });
    expect(reputation.sellerRatings.count).toBe(0);
    expect(reputation.disputes).toEqual({ orders: 1, disputed: 1, disputeRate: 100 });
    expect((await api.get(`/v1/reviews/${reviewId}`)).status).toBe(200);

    // A review of the order's other line published later does not count either.
    await review(buyer, orderId, second, 5);
    expect((await shopOf(seller)).reputation.feedback).toMatchObject({ positive: 0, count: 0 });
  });
});

describe('the store’s reviews', () => {
  it('lists its published reviews newest first, in cursor pages, with the reviewer masked and no reviewer or order id', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const first = await completedOrderOf(seller, [productId]);
    const older = await review(first.buyer, first.orderId, productId, 4);
    await api.moveClock('PT1H');
    const second = await completedOrderOf(seller, [productId]);
    const newer = await review(second.buyer, second.orderId, productId, 2);
    // Another shop's review stays out of this one's list.
    const other = await api.completedOrder();
    await review(other.buyer, other.orderId, other.productId, 5);

    const page1 = await api.get<{ items: { reviewId: string; reviewer: { displayName: string } }[]; nextCursor: string | null }>(`/v1/sellers/${seller.userId}/reviews?limit=1`);
    expect(page1.status, page1.text).toBe(200);
    expect(page1.body.items.map((item) => item.reviewId)).toEqual([newer]);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await api.get<{ items: { reviewId: string }[]; nextCursor: string | null }>(`/v1/sellers/${seller.userId}/reviews?limit=1&cursor=${encodeURIComponent(String(page1.body.nextCursor))}`);
    expect(page2.body.items.map((item) => item.reviewId)).toEqual([older]);

    const text = page1.text + page2.text;
    for (const secret of [first.buyer.userId, second.buyer.userId, first.orderId, second.orderId]) expect(text).not.toContain(secret);
    expect(page1.body.items[0]?.reviewer.displayName).toMatch(/\*\*\*/);
  });
});

describe('response rate and the RESPONSIVE badge', () => {
  async function buyerWrites(seller: Actor, productId: string): Promise<string> {
    const { api } = local;
    const buyer = await api.actor('buyer');
    const started = await api.post<{ conversationId: string }>('/v1/conversations', buyer, { sellerId: seller.userId, productId });
    expect(started.status, started.text).toBe(201);
    const sent = await api.post(`/v1/conversations/${started.body.conversationId}/messages`, buyer, { text: 'Does the kettle work on induction?', attachments: [] });
    expect(sent.status, sent.text).toBe(201);
    return started.body.conversationId;
  }
  const sellerReplies = async (seller: Actor, conversationId: string) => {
    const sent = await local.api.post(`/v1/conversations/${conversationId}/messages`, seller, { text: 'Yes, it does.', attachments: [] });
    expect(sent.status, sent.text).toBe(201);
  };

  it('counts only replies within 24 h, and grants RESPONSIVE with its reason while the rate is at least 90 %', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const quick = await buyerWrites(seller, productId);
    await api.moveClock('PT2H');
    await sellerReplies(seller, quick);
    // Badges are the daily job's: none before it runs.
    expect((await shopOf(seller)).badges.map((badge) => badge.code)).not.toContain('RESPONSIVE');
    await api.runJob('badges');
    const answered = await shopOf(seller);
    expect(answered.reputation.responses).toEqual({ conversations: 1, responseRate: 100, medianFirstResponse: 'PT4H' });
    expect(answered.badges).toContainEqual({ code: 'RESPONSIVE', reason: 'answered 100 % of 1 buyer conversations within 24 h' });

    const slow = await buyerWrites(seller, productId);
    await api.moveClock('PT25H');
    await sellerReplies(seller, slow);
    await api.runJob('badges');
    const late = await shopOf(seller);
    expect(late.reputation.responses).toMatchObject({ conversations: 2, responseRate: 50 });
    expect(late.badges.map((badge) => badge.code)).not.toContain('RESPONSIVE');
  });
});
