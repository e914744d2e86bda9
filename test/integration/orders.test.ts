import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { documentClient, recordDynamoCalls } from '../../lambdas/store/client.js';
import '../../lambdas/store/orders.js';
import { ConflictError, guarded, putNew, transact } from '../../lambdas/store/transactions.js';
import { aListing, anOrder, aShipment, uniqueId, useLocalApi, type Actor } from '../support/local-api.js';

const local = useLocalApi();

type Money = { amount: number; currency: string };
interface OrderBody {
  orderId: string;
  status: string;
  total: Money;
  escrow: { held: Money; released: Money; refunded: Money };
  protectionEndsAt: string | null;
  protectionExtended: boolean;
  shipment: { shippedAt: string; late: boolean } | null;
  completedBy: string | null;
  paymentReference?: string;
  shippingAddress?: unknown;
}
interface LedgerBody {
  items: { seq: number; type: string; amount: Money; reason: string }[];
}

afterEach(async () => {
  await local.api.resetClock();
});

describe('placing an order', () => {
  it('creates it AWAITING_SHIPMENT with a price snapshot, a Location, and the total held in escrow', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing({ price: { amount: 1250, currency: 'EUR' } });
    const buyer = await api.actor('buyer');
    const placed = await api.post<OrderBody>('/v1/orders', buyer, anOrder(productId, 3));
    expect(placed.status).toBe(201);
    expect(placed.headers.get('location')).toBe(`/v1/orders/${placed.body.orderId}`);
    expect(placed.body.orderId).toMatch(/^ord_[0-9A-Z]{26}$/);
    expect(placed.body).toMatchObject({ status: 'AWAITING_SHIPMENT', total: { amount: 3750, currency: 'EUR' }, escrow: { held: { amount: 3750 }, released: { amount: 0 }, refunded: { amount: 0 } } });
    const ledger = await api.get<LedgerBody>(`/v1/orders/${placed.body.orderId}/ledger`, buyer);
    expect(ledger.body.items).toMatchObject([{ seq: 1, type: 'HOLD', amount: { amount: 3750, currency: 'EUR' } }]);
    await api.expectEscrowBalanced(placed.body.orderId, buyer);
  });

  it('keeps the price it was sold at when the listing changes later', async () => {
    const { api } = local;
    const { seller, productId, orderId, buyer } = await api.placedOrder();
    expect((await api.put(`/v1/products/${productId}`, seller, aListing({ images: [await api.listingImage(seller)], price: { amount: 9999, currency: 'USD' } }))).status).toBe(200);
    await api.drainQueues();
    expect((await api.get<{ price: { amount: number } }>(`/v1/products/${productId}`)).body.price.amount).toBe(9999);
    const order = await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer);
    expect(order.body.total.amount).toBe(2450);
  });

  it('refuses a product that does not exist with PRODUCT_NOT_AVAILABLE, writing nothing', async () => {
    const { api } = local;
    const buyer = await api.actor('buyer');
    const refused = await api.post('/v1/orders', buyer, anOrder('prd_01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('PRODUCT_NOT_AVAILABLE');
    expect((await api.get<{ items: unknown[] }>('/v1/orders', buyer)).body.items).toEqual([]);
  });

  it('refuses lines from two shops with MIXED_SELLERS', async () => {
    const { api } = local;
    const first = await api.sellerWithListing();
    const second = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const refused = await api.post('/v1/orders', buyer, { ...anOrder(first.productId), items: [{ productId: first.productId, quantity: 1 }, { productId: second.productId, quantity: 1 }] });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('MIXED_SELLERS');
  });

  it('refuses a shop that is frozen by penalties with SELLER_RESTRICTED', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    // Penalties (a later capability) set this; the order path must already honour it.
    await documentClient().send(
      new UpdateCommand({ TableName: process.env.TABLE_NAME, Key: { PK: `SELLER#${seller.userId}`, SK: 'PROFILE' }, UpdateExpression: 'SET ordersBlockedUntil = :until', ExpressionAttributeValues: { ':until': '2999-01-01T00:00:00.000Z' } }),
    );
    const refused = await api.post('/v1/orders', await api.actor('buyer'), anOrder(productId));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('SELLER_RESTRICTED');
  });

  it('refuses a second order paid with the same payment reference with PAYMENT_ALREADY_USED', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const body = anOrder(productId);
    expect((await api.post('/v1/orders', buyer, body)).status).toBe(201);
    const again = await api.post('/v1/orders', buyer, body);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('PAYMENT_ALREADY_USED');
    expect((await api.get<{ items: unknown[] }>('/v1/orders', buyer)).body.items).toHaveLength(1);
  });

  it("keeps the buyer's payment reference out of what the seller sees, the ledger included", async () => {
    const { api } = local;
    const { seller, orderId, order } = await api.placedOrder();
    const reference = String(order.paymentReference);
    for (const path of [`/v1/orders/${orderId}`, `/v1/orders/${orderId}/ledger`, '/v1/orders']) expect((await api.get(path, seller)).text).not.toContain(reference);
  });

  it('replays the first response for a retry with the same Idempotency-Key, creating one order', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const body = anOrder(productId);
    const first = await api.post<OrderBody>('/v1/orders', buyer, body, { 'idempotency-key': 'checkout-1' });
    const retry = await api.post<OrderBody>('/v1/orders', buyer, body, { 'idempotency-key': 'checkout-1' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.orderId).toBe(first.body.orderId);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.get<{ items: unknown[] }>('/v1/orders', buyer)).body.items).toHaveLength(1);
  });

  it('refuses the same Idempotency-Key with another body with IDEMPOTENCY_KEY_REUSED', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    expect((await api.post('/v1/orders', buyer, anOrder(productId, 1), { 'idempotency-key': 'checkout-2' })).status).toBe(201);
    const reused = await api.post('/v1/orders', buyer, anOrder(productId, 2), { 'idempotency-key': 'checkout-2' });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('scopes Idempotency-Keys to the user: two buyers may use the same key', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const [a, b] = [await api.actor('buyer'), await api.actor('buyer')];
    const first = await api.post<OrderBody>('/v1/orders', a, anOrder(productId), { 'idempotency-key': 'shared' });
    const second = await api.post<OrderBody>('/v1/orders', b, anOrder(productId), { 'idempotency-key': 'shared' });
    expect(second.status).toBe(201);
    expect(second.body.orderId).not.toBe(first.body.orderId);
  });

  it('creates exactly one order when the same idempotent request arrives 5 times at once, and answers every one with it', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const body = anOrder(productId);
    const responses = await Promise.all(Array.from({ length: 5 }, () => api.post<OrderBody>('/v1/orders', buyer, body, { 'idempotency-key': 'double-click' })));
    // The losers of the race find the winner's key record (written with its order) and replay its answer.
    expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(responses.map((response) => response.body.orderId)).size).toBe(1);
    expect(responses.filter((response) => response.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    expect((await api.get<{ items: unknown[] }>('/v1/orders', buyer)).body.items).toHaveLength(1);
  });

  it("places an order with an Idempotency-Key in two calls, the key's record read with the listings and written in the order's transaction", async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const body = anOrder(productId);
    const recording = recordDynamoCalls();
    const first = await api.post<OrderBody>('/v1/orders', buyer, body, { 'idempotency-key': 'two-calls' });
    const placing = recording.stop().map((call) => call.operation);
    const replaying = recordDynamoCalls();
    const retry = await api.post<OrderBody>('/v1/orders', buyer, body, { 'idempotency-key': 'two-calls' });
    expect(first.status).toBe(201);
    // The simulated provider's binding of the payment travels in the order's transaction: no call of its own.
    expect(placing).toEqual(['BatchGetItem', 'TransactWriteItems']);
    expect(retry.body.orderId).toBe(first.body.orderId);
    expect(replaying.stop().map((call) => call.operation)).toEqual(['BatchGetItem']);
  });

  it('keeps no record of a key whose order was refused, so the same key may carry the corrected request', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const paid = anOrder(productId);
    expect((await api.post('/v1/orders', buyer, paid)).status).toBe(201);
    const refused = await api.post('/v1/orders', buyer, paid, { 'idempotency-key': 'fix-and-retry' });
    expect(refused.body.code).toBe('PAYMENT_ALREADY_USED');
    const corrected = await api.post<OrderBody>('/v1/orders', buyer, anOrder(productId), { 'idempotency-key': 'fix-and-retry' });
    expect(corrected.status).toBe(201);
  });
});

describe('named guards on the real engine', () => {
  const key = (id: string) => ({ PK: `GUARDTEST#${id}`, SK: 'GUARDTEST' });

  it('reports which named guard refused a transaction, whatever its position', async () => {
    const taken = key(uniqueId('taken'));
    await transact([putNew(taken)]);
    for (const writes of [
      [guarded('paymentUnused', putNew(taken)), guarded('orderVersion', putNew(key(uniqueId('free'))))],
      [guarded('orderVersion', putNew(key(uniqueId('free')))), guarded('paymentUnused', putNew(taken))],
    ]) {
      const error = await transact(writes).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConflictError);
      expect([...(error as ConflictError).failedGuards]).toEqual(['paymentUnused']);
    }
  });

  it('reports the guard of a single conditional write, sent as one PutItem', async () => {
    const taken = key(uniqueId('taken'));
    await transact([putNew(taken)]);
    const recording = recordDynamoCalls();
    const error = await transact([guarded('paymentUnused', putNew(taken))]).catch((caught: unknown) => caught);
    expect(recording.stop().map((call) => call.operation)).toEqual(['PutItem']);
    expect([...(error as ConflictError).failedGuards]).toEqual(['paymentUnused']);
  });
});

describe('listing orders', () => {
  it('pages a buyer’s orders newest first with signed cursors, and filters by status', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await api.post<OrderBody>('/v1/orders', buyer, anOrder(productId))).body.orderId);
    await api.post(`/v1/orders/${ids[0]}/cancel`, buyer, { reason: 'duplicate' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: OrderBody[]; nextCursor: string | null } } = await api.get(`/v1/orders?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, buyer);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((order) => order.orderId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const cancelled = await api.get<{ items: OrderBody[] }>('/v1/orders?status=CANCELLED', buyer);
    expect(cancelled.body.items.map((order) => order.orderId)).toEqual([ids[0]]);
  });

  it("shows a seller their shop's orders without buyers' payment references", async () => {
    const { api } = local;
    const { seller, orderId } = await api.placedOrder();
    const list = await api.get<{ items: OrderBody[] }>('/v1/orders', seller);
    expect(list.body.items.map((order) => order.orderId)).toEqual([orderId]);
    expect(list.body.items[0]).not.toHaveProperty('paymentReference');
  });
});

describe('cancelling', () => {
  it('refunds the buyer in full when the buyer cancels before shipment', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.placedOrder({ quantity: 2 });
    const cancelled = await api.post<OrderBody>(`/v1/orders/${orderId}/cancel`, buyer, { reason: 'changed my mind' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', escrow: { held: { amount: 0 }, refunded: { amount: 4900 } } });
    expect(await api.expectEscrowBalanced(orderId, buyer)).toMatchObject({ refunded: 4900, held: 0 });
  });

  it("counts a seller's cancellation against the shop", async () => {
    const { api } = local;
    const { seller, orderId } = await api.placedOrder();
    expect((await api.post(`/v1/orders/${orderId}/cancel`, seller, { reason: 'out of stock' })).status).toBe(200);
    const me = await api.get<{ stats: Record<string, number> }>('/v1/sellers/me', seller);
    expect(me.body.stats).toMatchObject({ ordersPlaced: 1, sellerCancellations: 1 });
    await api.expectEscrowBalanced(orderId, seller);
  });

  it('refuses to cancel a shipped order with ORDER_NOT_CANCELLABLE', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const refused = await api.post(`/v1/orders/${orderId}/cancel`, buyer, { reason: 'too slow' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ORDER_NOT_CANCELLABLE');
    await api.expectEscrowBalanced(orderId, buyer);
  });
});

describe('shipping and tracking', () => {
  it('starts a 60-day protection period at shipment and refuses a second shipment', async () => {
    const { api } = local;
    const { seller, orderId, order } = await api.shippedOrder();
    const shipped = order as unknown as OrderBody;
    expect(shipped.status).toBe('SHIPPED');
    expect(new Date(shipped.protectionEndsAt as string).getTime() - new Date(shipped.shipment?.shippedAt as string).getTime()).toBe(60 * 86_400_000);
    expect(shipped.shipment?.late).toBe(false);
    const again = await api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment());
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORDER_NOT_SHIPPABLE');
  });

  it('uses the listing’s own protection period', async () => {
    const { api } = local;
    const { order } = await api.shippedOrder({ listing: { guarantee: { returnable: false, protectionDays: 90 } } });
    const shipped = order as unknown as OrderBody;
    expect(new Date(shipped.protectionEndsAt as string).getTime() - new Date(shipped.shipment?.shippedAt as string).getTime()).toBe(90 * 86_400_000);
  });

  it('still ships after the handling time, counted as a late shipment', async () => {
    const { api } = local;
    const { seller, orderId } = await api.placedOrder();
    await api.moveClock('P7DT1S');
    const shipped = await api.post<OrderBody>(`/v1/orders/${orderId}/shipment`, seller, aShipment());
    expect(shipped.body.shipment?.late).toBe(true);
    const me = await api.get<{ stats: Record<string, number> }>('/v1/sellers/me', seller);
    expect(me.body.stats).toMatchObject({ shipments: 1, lateShipments: 1 });
  });

  it("records tracking events oldest first; the seller's DELIVERED is a claim, an admin's moves the order to DELIVERED", async () => {
    const { api } = local;
    const { seller, buyer, orderId } = await api.shippedOrder();
    const admin = await api.actor('admin');
    const start = Date.now();
    const t = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
    const second = await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'OUT_FOR_DELIVERY', location: 'Springfield', occurredAt: t(2) });
    const first = await api.post(`/v1/orders/${orderId}/tracking-events`, admin, { status: 'IN_TRANSIT', occurredAt: t(1) });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body).toMatchObject({ status: 'IN_TRANSIT', source: 'admin', location: null });
    expect((await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'DELIVERED', occurredAt: t(3) })).status).toBe(201);
    // The seller's own DELIVERED is shown to the buyer as a claim and moves nothing (issue 8, hole 1).
    const claimed = (await api.get<OrderBody & { deliveryClaimedAt: string | null; deliveredAt: string | null }>(`/v1/orders/${orderId}`, buyer)).body;
    expect(claimed).toMatchObject({ status: 'SHIPPED', deliveryClaimedAt: t(3), deliveredAt: null });
    expect((await api.post(`/v1/orders/${orderId}/extend-protection`, buyer)).status).toBe(200);
    expect((await api.post(`/v1/orders/${orderId}/tracking-events`, admin, { status: 'DELIVERED', occurredAt: t(4) })).status).toBe(201);
    const tracking = await api.get<{ items: { status: string; source: string }[] }>(`/v1/orders/${orderId}/tracking`, buyer);
    expect(tracking.body.items.map((event) => `${event.status} ${event.source}`)).toEqual(['IN_TRANSIT admin', 'OUT_FOR_DELIVERY seller', 'DELIVERED seller', 'DELIVERED admin']);
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, buyer)).body).toMatchObject({ status: 'DELIVERED', deliveredAt: t(4) });
    const late = await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'IN_TRANSIT', occurredAt: t(5) });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('ORDER_NOT_IN_TRANSIT');
  });

  it('refuses tracking events before shipment with ORDER_NOT_IN_TRANSIT', async () => {
    const { api } = local;
    const { seller, orderId } = await api.placedOrder();
    const refused = await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'IN_TRANSIT', occurredAt: new Date().toISOString() });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ORDER_NOT_IN_TRANSIT');
  });
});

describe('confirming receipt', () => {
  it('completes the order and releases the escrow to the seller', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder({ quantity: 2 });
    const confirmed = await api.post<OrderBody>(`/v1/orders/${orderId}/confirm-receipt`, buyer);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'COMPLETED', completedBy: 'buyer', escrow: { held: { amount: 0 }, released: { amount: 4900 } } });
    const ledger = await api.get<LedgerBody>(`/v1/orders/${orderId}/ledger`, seller);
    expect(ledger.body.items.map((entry) => entry.type)).toEqual(['HOLD', 'RELEASE']);
    await api.expectEscrowBalanced(orderId, seller);
  });

  it('confirms after delivery too, and refuses a second confirmation with ORDER_NOT_CONFIRMABLE', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    await api.post(`/v1/orders/${orderId}/tracking-events`, seller, { status: 'DELIVERED', occurredAt: new Date().toISOString() });
    expect((await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)).status).toBe(200);
    const again = await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORDER_NOT_CONFIRMABLE');
  });

  it('refuses an order that has not shipped with ORDER_NOT_CONFIRMABLE', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.placedOrder();
    const refused = await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ORDER_NOT_CONFIRMABLE');
  });

  it('releases the money exactly once when the buyer confirms 5 times at once', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.shippedOrder();
    const responses = await Promise.all(Array.from({ length: 5 }, () => api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer)));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 200)) expect(response.body.code).toBe('ORDER_NOT_CONFIRMABLE');
    const ledger = await api.get<LedgerBody>(`/v1/orders/${orderId}/ledger`, buyer);
    expect(ledger.body.items.filter((entry) => entry.type === 'RELEASE')).toHaveLength(1);
    await api.expectEscrowBalanced(orderId, buyer);
  });

  it('lets exactly one of a concurrent cancel and ship win, with money conserved', async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.placedOrder();
    const [cancel, ship] = await Promise.all([api.post(`/v1/orders/${orderId}/cancel`, buyer, { reason: 'race' }), api.post(`/v1/orders/${orderId}/shipment`, seller, aShipment())]);
    expect([cancel.status, ship.status].sort()).toEqual([200, 409]);
    await api.expectEscrowBalanced(orderId, buyer);
  });
});

describe('extending protection', () => {
  it('adds 15 days once', async () => {
    const { api } = local;
    const { buyer, orderId, order } = await api.shippedOrder();
    const before = new Date((order as unknown as OrderBody).protectionEndsAt as string).getTime();
    const extended = await api.post<OrderBody>(`/v1/orders/${orderId}/extend-protection`, buyer);
    expect(extended.status).toBe(200);
    expect(extended.body.protectionExtended).toBe(true);
    expect(new Date(extended.body.protectionEndsAt as string).getTime() - before).toBe(15 * 86_400_000);
    const again = await api.post(`/v1/orders/${orderId}/extend-protection`, buyer);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('PROTECTION_ALREADY_EXTENDED');
  });

  it('refuses an order that has not shipped', async () => {
    const { api } = local;
    const { buyer, orderId } = await api.placedOrder();
    const refused = await api.post(`/v1/orders/${orderId}/extend-protection`, buyer);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ORDER_NOT_IN_TRANSIT');
  });
});

describe('who sees an order', () => {
  const parties = async () => {
    const { api } = local;
    const placed = await api.placedOrder();
    return { ...placed, admin: await api.actor('admin'), stranger: await api.actor('buyer'), otherSeller: await api.actor('seller') };
  };

  it('shows the buyer, the seller and admins; strangers get 404 ORDER_NOT_FOUND', async () => {
    const { api } = local;
    const { buyer, seller, admin, stranger, otherSeller, orderId } = await parties();
    for (const who of [buyer, seller, admin] as Actor[]) expect((await api.get(`/v1/orders/${orderId}`, who)).status).toBe(200);
    for (const who of [stranger, otherSeller]) {
      const hidden = await api.get(`/v1/orders/${orderId}`, who);
      expect(hidden.status).toBe(404);
      expect(hidden.body.code).toBe('ORDER_NOT_FOUND');
    }
  });

  it("hides the buyer's address from the seller once the order is closed", async () => {
    const { api } = local;
    const { buyer, seller, orderId } = await api.shippedOrder();
    expect((await api.get<OrderBody>(`/v1/orders/${orderId}`, seller)).body.shippingAddress).toBeDefined();
    await api.post(`/v1/orders/${orderId}/confirm-receipt`, buyer);
    const closed = await api.get<OrderBody>(`/v1/orders/${orderId}`, seller);
    expect(closed.body.shippingAddress).toBeUndefined();
    expect(closed.body.paymentReference).toBeUndefined();
  });
});
