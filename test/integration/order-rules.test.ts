/**
 * Order rules that keep the guarantee from being gamed (issue 8): protection never ends before the
 * delivery promise, unshipped orders are cancelled and refunded, and nobody deals with its own store.
 * Through the HTTP API on the local host, the timers job fired by moving the platform clock.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { documentClient } from '../../lambdas/store/client.js';
import { logLines } from '../support/log-lines.js';
import { anOrder, aReview, aShipment, useLocalApi } from '../support/local-api.js';

const local = useLocalApi();
const DAY_MS = 86_400_000;
const plus = (iso: string, ms: number): string => new Date(new Date(iso).getTime() + ms).toISOString();

interface OrderBody {
  orderId: string;
  status: string;
  protectionEndsAt: string | null;
  shipment: { shippedAt: string; estimatedDeliveryAt: string } | null;
  completedBy: string | null;
}
interface LedgerBody {
  items: { type: string; amount: { amount: number } }[];
}

// Sweeps never move their progress back, so tests that sweep run in the order of how far they move the clock.
afterEach(async () => {
  await local.api.resetClock();
});

interface CancelledBody extends OrderBody {
  shipBy: string;
  createdAt: string;
  escrow: { held: { amount: number }; refunded: { amount: number } };
  cancellation: { by: string; reason: string; at: string; rule?: string; refundId?: string } | null;
}
interface RefundBody {
  refundId: string;
  orderId: string;
  disputeId: string | null;
  amount: { amount: number; currency: string };
  status: string;
  requestedAt: string;
  expectedBy: string;
}

/** Every refund record of an order, read straight from the table: the API has no list of them. */
async function refundRecordsOf(orderId: string): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: process.env.TABLE_NAME, FilterExpression: 'entity = :refund AND orderId = :orderId', ExpressionAttributeValues: { ':refund': 'refund', ':orderId': orderId }, ExclusiveStartKey: cursor }),
    );
    found.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return found;
}

describe('auto-cancel of an order never shipped', () => {
  it('shows shipBy = placement + handling days + 3 days and cancels then, refunding in full as a tracked refund', async () => {
    const { api } = local;
    const { seller, buyer, orderId, order } = await api.placedOrder({ listing: { handlingDays: 5 }, quantity: 2 });
    const placed = order as unknown as CancelledBody;
    expect(placed.shipBy).toBe(plus(placed.createdAt, 8 * DAY_MS));

    await api.setClock(plus(placed.shipBy, -1000));
    await api.runJob('timers');
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body.status).toBe('AWAITING_SHIPMENT');

    await api.setClock(placed.shipBy);
    await api.runJob('timers');
    const cancelled = (await api.get<CancelledBody>(`/v1/orders/${orderId}`, buyer)).body;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', escrow: { held: { amount: 0 }, refunded: { amount: 4900 } } });
    expect(cancelled.cancellation).toMatchObject({ by: 'system', rule: 'AUTO_CANCEL_NOT_SHIPPED' });
    expect(cancelled.cancellation?.reason).toContain(placed.shipBy);
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ held: 0, refunded: 4900, released: 0 });

    // The refund is tracked like a dispute's: the buyer can follow it until the money is back.
    const refundId = cancelled.cancellation?.refundId as string;
    const refund = await api.get<RefundBody>(`/v1/refunds/${refundId}`, buyer);
    expect(refund.status, refund.text).toBe(200);
    expect(refund.body).toMatchObject({ orderId, disputeId: null, amount: { amount: 4900, currency: 'USD' } });
    expect(refund.body.expectedBy > refund.body.requestedAt).toBe(true);
    await api.runJob('timers');
    expect((await api.get<RefundBody>(`/v1/refunds/${refundId}`, buyer)).body.status).toBe('PROCESSING');
    await api.moveClock('P4D');
    await api.runJob('timers');
    expect((await api.get<RefundBody>(`/v1/refunds/${refundId}`, buyer)).body.status).toBe('COMPLETED');

    // It counts against the shop like a cancellation of the seller's own.
    const me = await api.get<{ stats: Record<string, number> }>('/v1/sellers/me', seller);
    expect(me.body.stats).toMatchObject({ ordersPlaced: 1, sellerCancellations: 1 });
  });

  it('leaves an order that shipped in time alone, and its timer is gone with the shipment', async () => {
    const { api } = local;
    const { seller, buyer, orderId, order } = await api.placedOrder();
    const placed = order as unknown as CancelledBody;
    expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
    await api.runJob('timers');
    await api.setClock(plus(placed.shipBy, 1000));
    const { lines } = await logLines(() => api.runJob('timers'));
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body.status).toBe('SHIPPED');
    expect(lines.filter((line) => JSON.stringify(line).includes(orderId))).toEqual([]);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('refunds exactly once when the buyer cancels as the auto-cancel fires', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const placed = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const response = await api.post<CancelledBody>('/v1/orders', buyer, anOrder(productId));
        expect(response.status, response.text).toBe(201);
        return response.body;
      }),
    );
    const latestShipBy = placed.map((order) => order.shipBy).sort().at(-1) as string;
    await api.setClock(latestShipBy);
    const cancels = await Promise.all([...placed.map((order) => api.post(`/v1/orders/${order.orderId}/cancel`, buyer, { reason: 'too slow' })), api.runJob('timers')]);
    for (const answer of cancels.slice(0, placed.length) as { status: number; body: { code?: string } }[]) {
      // Either the buyer cancelled first, or found the platform had.
      expect([200, 409]).toContain(answer.status);
      if (answer.status === 409) expect(answer.body.code).toBe('ORDER_NOT_CANCELLABLE');
    }
    for (const { orderId } of placed) {
      const order = (await api.get<CancelledBody>(`/v1/orders/${orderId}`, buyer)).body;
      expect(order.status).toBe('CANCELLED');
      const ledger = (await api.get<LedgerBody>(`/v1/orders/${orderId}/ledger`, buyer)).body.items.map((entry) => entry.type);
      expect(ledger).toEqual(['HOLD', 'REFUND']);
      expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ held: 0, refunded: 2450 });
      const records = await refundRecordsOf(orderId);
      expect(records.map((record) => record.refundId)).toEqual([order.cancellation?.refundId]);
    }
    // Only the platform's cancellations count against the shop, however the races went.
    const byPlatform = (await Promise.all(placed.map(async ({ orderId }) => (await api.get<CancelledBody>(`/v1/orders/${orderId}`, buyer)).body.cancellation?.by))).filter((by) => by === 'system').length;
    const me = await api.get<{ stats: Record<string, number> }>('/v1/sellers/me', seller);
    expect(me.body.stats.sellerCancellations ?? 0).toBe(byPlatform);
  });
});

describe('cancellations by a party are tracked refunds too', () => {
  it.each(['buyer', 'seller'] as const)('the %s cancels: one REFUND entry, and a refund record the buyer can follow', async (side) => {
    const { api } = local;
    const { seller, buyer, orderId } = await api.placedOrder();
    const cancelled = await api.post<CancelledBody>(`/v1/orders/${orderId}/cancel`, side === 'buyer' ? buyer : seller, { reason: 'changed plans' });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body.cancellation).toMatchObject({ by: side, reason: 'changed plans' });
    expect(cancelled.body.cancellation?.rule).toBeUndefined();
    const refund = await api.get<RefundBody>(`/v1/refunds/${cancelled.body.cancellation?.refundId}`, buyer);
    expect(refund.status, refund.text).toBe(200);
    expect(refund.body).toMatchObject({ orderId, disputeId: null, status: 'REQUESTED', amount: { amount: 2450 } });
    expect(await refundRecordsOf(orderId)).toHaveLength(1);
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ held: 0, refunded: 2450 });
    const me = await api.get<{ stats: Record<string, number> }>('/v1/sellers/me', seller);
    expect(me.body.stats.sellerCancellations ?? 0).toBe(side === 'seller' ? 1 : 0);
  });
});

describe('no self-dealing', () => {
  it('refuses a shop buying its own listing with a buyer token of its own user id (403 OWN_PRODUCT), writing nothing', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const sameUserAsBuyer = await api.actor('buyer', seller.userId);
    const refused = await api.post<{ code: string }>('/v1/orders', sameUserAsBuyer, anOrder(productId));
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.code).toBe('OWN_PRODUCT');
    expect((await api.get<{ items: unknown[] }>('/v1/orders', sameUserAsBuyer)).body.items).toEqual([]);
    const me = await api.get<{ stats: Record<string, number> }>('/v1/sellers/me', seller);
    expect(me.body.stats.ordersPlaced ?? 0).toBe(0);
  });

  it("refuses the product's seller a helpful vote or an abuse report on its reviews (403 OWN_PRODUCT), with any token of its id", async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const placed = await api.post<{ orderId: string }>('/v1/orders', buyer, anOrder(productId));
    expect(placed.status, placed.text).toBe(201);
    const { orderId } = placed.body;
    expect((await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())).status).toBe(200);
    expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
    const written = await api.post<{ reviewId: string }>(`/v1/orders/${orderId}/reviews`, buyer, aReview(productId, { rating: 1 }));
    expect(written.status, written.text).toBe(201);
    await api.drainQueues();
    const { reviewId } = written.body;
    expect((await api.get<{ status: string }>(`/v1/reviews/${reviewId}`, buyer)).body.status).toBe('PUBLISHED');

    for (const as of [seller, await api.actor('buyer', seller.userId)]) {
      const voted = await api.put<{ code: string }>(`/v1/reviews/${reviewId}/vote`, as, { helpful: true });
      expect(voted.status, voted.text).toBe(403);
      expect(voted.body.code).toBe('OWN_PRODUCT');
      const reported = await api.post<{ code: string }>(`/v1/reviews/${reviewId}/reports`, as, { reason: 'SPAM' });
      expect(reported.status, reported.text).toBe(403);
      expect(reported.body.code).toBe('OWN_PRODUCT');
    }
    // Two reports by others and the seller's refused ones: the review stays published, unvoted.
    for (const other of [await api.actor('buyer'), await api.actor('buyer')]) expect((await api.post(`/v1/reviews/${reviewId}/reports`, other, { reason: 'SPAM' })).status).toBe(201);
    const after = await api.get<{ status: string }>(`/v1/reviews/${reviewId}`, buyer);
    expect(after.body.status).toBe('PUBLISHED');
    expect((await api.get<{ helpfulCount: number }>(`/v1/reviews/${reviewId}`)).body.helpfulCount).toBe(0);
  });
});

describe('protection is never shorter than the delivery promise', () => {
  it('15 protection days with an 80-day estimate: not released on day 15, released 15 days after the estimate', async () => {
    const { api } = local;
    const { seller, buyer, orderId } = await api.placedOrder({ listing: { guarantee: { returnable: true, protectionDays: 15 } } });
    const now = await api.moveClock('PT1M');
    const estimate = plus(now, 80 * DAY_MS);
    const shipped = await api.post<OrderBody>(`/v1/orders/${orderId}/shipment`, seller, aShipment(estimate));
    expect(shipped.status, shipped.text).toBe(200);
    expect(shipped.body.protectionEndsAt).toBe(plus(estimate, 15 * DAY_MS));

    await api.setClock(plus(shipped.body.shipment!.shippedAt, 15 * DAY_MS + 1000));
    await api.runJob('timers');
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body.status).toBe('SHIPPED');
    expect((await api.get<LedgerBody>(`/v1/orders/${orderId}/ledger`, buyer)).body.items.map((entry) => entry.type)).toEqual(['HOLD']);

    await api.setClock(shipped.body.protectionEndsAt!);
    await api.runJob('timers');
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body).toMatchObject({ status: 'COMPLETED', completedBy: 'system' });
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ held: 0, released: 2450 });
  });
});
