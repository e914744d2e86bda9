import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '../../lambdas/store/client.js';
import type { Money } from '../../lambdas/domain/money.js';
import { simulatedPaymentEntity } from '../../lambdas/store/payments.js';
import { anOrder, aShipment, uniqueId, useLocalApi, type Actor } from '../support/local-api.js';

const local = useLocalApi();

afterEach(async () => {
  await local.api.resetClock();
});

type Problem = { status: number; code: string; detail: string };
const problemOf = (response: { status: number; body: Record<string, unknown> }): Problem => ({ status: response.status, code: String(response.body.code), detail: String(response.body.detail) });

async function ordersOf(buyer: Actor): Promise<unknown[]> {
  return (await local.api.get<{ items: unknown[] }>('/v1/orders', buyer)).body.items;
}

async function blockOrders(sellerId: string, until: string | null): Promise<void> {
  const key = { PK: `SELLER#${sellerId}`, SK: 'PROFILE' };
  await documentClient().send(
    until === null
      ? new UpdateCommand({ TableName: process.env.TABLE_NAME, Key: key, UpdateExpression: 'REMOVE ordersBlockedUntil' })
      : new UpdateCommand({ TableName: process.env.TABLE_NAME, Key: key, UpdateExpression: 'SET ordersBlockedUntil = :until', ExpressionAttributeValues: { ':until': until } }),
  );
}

/** The simulated provider's record of a payment reference (its own table item), if it has one. */
async function bindingOf(reference: string): Promise<Record<string, unknown> | undefined> {
  return (await documentClient().send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: simulatedPaymentEntity.key({ reference }), ConsistentRead: true }))).Item;
}

describe('placing an order verifies its payment with the provider', () => {
  it('refuses a made-up reference with 402 PAYMENT_NOT_VERIFIED and holds nothing', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const refused = await api.post('/v1/orders', buyer, { ...anOrder(productId), paymentReference: 'x' });
    expect(problemOf(refused)).toMatchObject({ status: 402, code: 'PAYMENT_NOT_VERIFIED' });
    expect(await ordersOf(buyer)).toEqual([]);
  });

  it("answers another buyer's reference exactly like a made-up one, and holds nothing for them", async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const owner = await api.actor('buyer');
    const body = anOrder(productId);
    expect((await api.post('/v1/orders', owner, body)).status).toBe(201);
    const thief = await api.actor('buyer');
    const stolen = await api.post('/v1/orders', thief, { ...anOrder(productId), paymentReference: body.paymentReference });
    const madeUp = await api.post('/v1/orders', thief, { ...anOrder(productId), paymentReference: 'x' });
    expect(problemOf(stolen)).toEqual(problemOf(madeUp));
    expect(stolen.text).not.toContain(body.paymentReference);
    expect(await ordersOf(thief)).toEqual([]);
  });

  it("does not let another buyer's attempt block the reference's owner (single use is checked with the binding, in one write)", async () => {
    const { api } = local;
    const { productId, product } = await api.sellerWithListing();
    const owner = await api.actor('buyer');
    const body = anOrder(productId);
    // The provider holds the owner's payment (as a real one would, from its checkout) and no order has used it yet.
    await documentClient().send(
      new PutCommand({
        TableName: process.env.TABLE_NAME,
        Item: simulatedPaymentEntity.item({ reference: body.paymentReference, buyerId: owner.userId, amount: product.price as Money, authorizedAt: new Date().toISOString() }),
      }),
    );
    const thief = await api.actor('buyer');
    expect((await api.post('/v1/orders', thief, { ...anOrder(productId), paymentReference: body.paymentReference })).body.code).toBe('PAYMENT_NOT_VERIFIED');
    const placed = await api.post<{ orderId: string }>('/v1/orders', owner, body);
    expect(placed.status).toBe(201);
    await api.expectEscrowBalanced(placed.body.orderId, owner);
  });

  it('binds a simulated payment only with the order that commits: a refused placement leaves it unbound', async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const body = anOrder(productId);
    await blockOrders(seller.userId, '2999-01-01T00:00:00.000Z');
    expect((await api.post('/v1/orders', buyer, body)).body.code).toBe('SELLER_RESTRICTED');
    expect(await bindingOf(body.paymentReference)).toBeUndefined();
    await blockOrders(seller.userId, null);
    const placed = await api.post<{ orderId: string; total: unknown }>('/v1/orders', buyer, body);
    expect(placed.status).toBe(201);
    expect(await bindingOf(body.paymentReference)).toMatchObject({ buyerId: buyer.userId, amount: placed.body.total });
  });

  it('places one order when one buyer sends two placements with the same reference at once; the other is PAYMENT_ALREADY_USED', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const body = anOrder(productId);
    const answers = await Promise.all([api.post('/v1/orders', buyer, body), api.post('/v1/orders', buyer, body)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body.code).toBe('PAYMENT_ALREADY_USED');
    expect(await ordersOf(buyer)).toHaveLength(1);
  });

  it('places one order when two buyers race with the same reference; the loser gets the answer of a made-up reference', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const [first, second] = [await api.actor('buyer'), await api.actor('buyer')];
    const reference = anOrder(productId).paymentReference;
    const answers = await Promise.all([first, second].map((buyer) => api.post('/v1/orders', buyer, { ...anOrder(productId), paymentReference: reference })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 402]);
    const loser = answers.findIndex((answer) => answer.status === 402);
    const madeUp = await api.post('/v1/orders', [first, second][loser] as Actor, { ...anOrder(productId), paymentReference: 'x' });
    expect(problemOf(answers[loser] as (typeof answers)[number])).toEqual(problemOf(madeUp));
    expect((await ordersOf(first)).length + (await ordersOf(second)).length).toBe(1);
    expect(await bindingOf(reference)).toMatchObject({ buyerId: [first, second][1 - loser]?.userId });
  });

  it('refuses a reference authorized for another amount with PAYMENT_NOT_VERIFIED, not as already used', async () => {
    const { api } = local;
    const cheap = await api.sellerWithListing({ price: { amount: 500, currency: 'USD' } });
    const dear = await api.sellerWithListing({ price: { amount: 90_000, currency: 'USD' } });
    const buyer = await api.actor('buyer');
    const body = anOrder(cheap.productId);
    expect((await api.post('/v1/orders', buyer, body)).status).toBe(201);
    const refused = await api.post('/v1/orders', buyer, { ...anOrder(dear.productId), paymentReference: body.paymentReference });
    expect(problemOf(refused)).toMatchObject({ status: 402, code: 'PAYMENT_NOT_VERIFIED' });
    expect(await ordersOf(buyer)).toHaveLength(1);
  });

  it('refuses a declined payment with 402 PAYMENT_DECLINED and holds nothing', async () => {
    const { api } = local;
    const { productId } = await api.sellerWithListing();
    const buyer = await api.actor('buyer');
    const refused = await api.post('/v1/orders', buyer, { ...anOrder(productId), paymentReference: `pay_declined_${uniqueId('card')}` });
    expect(problemOf(refused)).toMatchObject({ status: 402, code: 'PAYMENT_DECLINED' });
    expect(await ordersOf(buyer)).toEqual([]);
  });
});

type RefundBody = { refundId: string; status: string; attempts: number; expectedBy: string; history: { status: string }[] };
type AdminRefundBody = RefundBody & { lastFailure: string | null; paidManually: { reference: string; by: string } | null };

async function failNextRefundAttempts(count: number): Promise<void> {
  expect((await local.api.request('POST', '/local/payments/failures', { body: { count } })).status).toBe(200);
}

/** A cancelled order, its tracked refund, and how to read both. */
async function cancelledOrder() {
  const { api } = local;
  const placed = await api.placedOrder();
  const cancelled = await api.post<{ cancellation: { refundId: string } }>(`/v1/orders/${placed.orderId}/cancel`, placed.buyer, { reason: 'changed my mind' });
  expect(cancelled.status).toBe(200);
  const refundId = cancelled.body.cancellation.refundId;
  expect(refundId).toMatch(/^rfd_/);
  return { ...placed, refundId, refund: async () => (await api.get<RefundBody>(`/v1/refunds/${refundId}`, placed.buyer)).body };
}

async function ledgerTypes(orderId: string, as: Actor): Promise<string[]> {
  return (await local.api.get<{ items: { type: string }[] }>(`/v1/orders/${orderId}/ledger`, as)).body.items.map((entry) => entry.type);
}

/** Four sweeps, each after the backoff of the attempt before: 1 h, 4 h, 16 h. */
async function sweepFourAttempts(): Promise<void> {
  const { api } = local;
  await api.runJob('timers');
  for (const wait of ['PT1H1M', 'PT4H1M', 'PT16H1M']) {
    await api.moveClock(wait);
    await api.runJob('timers');
  }
}

async function failedQueue(admin: Actor): Promise<AdminRefundBody[]> {
  const queue = await local.api.get<{ items: AdminRefundBody[] }>('/v1/admin/refunds?status=FAILED&limit=100', admin);
  expect(queue.status).toBe(200);
  return queue.body.items;
}

/**
 * The timer sweep remembers how far each shard was swept, so a test that moved the clock forward must
 * not be followed by one that sweeps at an earlier time: each refund test starts later than the last.
 * What earlier tests left due (auto-cancels and their refunds) is swept first, with no failures owed,
 * so it cannot take the failures a test asks for.
 */
let nextStart = Date.now() + 86_400_000;
async function startLater(): Promise<void> {
  nextStart += 10 * 86_400_000;
  await failNextRefundAttempts(0);
  await local.api.setClock(new Date(nextStart).toISOString());
  await local.api.runJob('timers');
  await local.api.runJob('timers');
}

describe('refunds go through the payment provider', () => {
  beforeEach(startLater);

  it('retries a failing refund with backoff, ends FAILED after 4 attempts with one ledger entry, and an admin retry completes it', async () => {
    const { api } = local;
    const order = await cancelledOrder();
    const admin = await api.actor('admin');
    expect(await order.refund()).toMatchObject({ status: 'REQUESTED', attempts: 0 });
    await failNextRefundAttempts(4);

    await api.runJob('timers');
    expect(await order.refund()).toMatchObject({ status: 'PROCESSING', attempts: 1 });
    // Not before its backoff: a sweep 59 minutes later does not try again.
    await api.moveClock('PT59M');
    await api.runJob('timers');
    expect((await order.refund()).attempts).toBe(1);
    await api.moveClock('PT2M');
    await api.runJob('timers');
    expect((await order.refund()).attempts).toBe(2);
    for (const wait of ['PT4H1M', 'PT16H1M']) {
      await api.moveClock(wait);
      await api.runJob('timers');
    }
    const failed = await order.refund();
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 4 });
    expect(failed.history.map((step) => step.status)).toEqual(['REQUESTED', 'PROCESSING', 'FAILED']);
    const queued = (await failedQueue(admin)).find((refund) => refund.refundId === order.refundId);
    expect(queued).toMatchObject({ status: 'FAILED', attempts: 4, lastFailure: expect.stringContaining('simulated failure') });
    // Sweeping on changes nothing: a FAILED refund waits for a person.
    await api.moveClock('P2D');
    await api.runJob('timers');
    expect(await order.refund()).toEqual(failed);
    expect(await ledgerTypes(order.orderId, order.buyer)).toEqual(['HOLD', 'REFUND']);
    await api.expectEscrowBalanced(order.orderId, order.buyer);

    const retried = await api.post<AdminRefundBody>(`/v1/admin/refunds/${order.refundId}/retry`, admin, {});
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'PROCESSING', attempts: 4 });
    expect((await failedQueue(admin)).map((refund) => refund.refundId)).not.toContain(order.refundId);
    await api.runJob('timers');
    expect(await order.refund()).toMatchObject({ status: 'PROCESSING', attempts: 5 });
    // Settles after one business day (a weekend may lie between).
    await api.moveClock('P3DT1M');
    await api.runJob('timers');
    expect(await order.refund()).toMatchObject({ status: 'COMPLETED', attempts: 5 });
    expect(await ledgerTypes(order.orderId, order.buyer)).toEqual(['HOLD', 'REFUND']);
    await api.expectEscrowBalanced(order.orderId, order.buyer);
  });

  it('lets an admin mark a FAILED refund paid by hand, once; a refund that is not FAILED is refused', async () => {
    const { api } = local;
    const order = await cancelledOrder();
    const admin = await api.actor('admin');
    const early = await api.post(`/v1/admin/refunds/${order.refundId}/retry`, admin, { markPaid: true, reference: 'wire-2026-0042' });
    expect(problemOf(early)).toMatchObject({ status: 409, code: 'REFUND_NOT_FAILED' });
    await failNextRefundAttempts(4);
    await sweepFourAttempts();
    expect((await order.refund()).status).toBe('FAILED');

    const paid = await api.post<AdminRefundBody>(`/v1/admin/refunds/${order.refundId}/retry`, admin, { markPaid: true, reference: 'wire-2026-0042' });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'COMPLETED', paidManually: { reference: 'wire-2026-0042', by: admin.userId } });
    expect(problemOf(await api.post(`/v1/admin/refunds/${order.refundId}/retry`, admin, {}))).toMatchObject({ status: 409, code: 'REFUND_NOT_FAILED' });
    expect((await failedQueue(admin)).map((refund) => refund.refundId)).not.toContain(order.refundId);
    expect(await ledgerTypes(order.orderId, order.buyer)).toEqual(['HOLD', 'REFUND']);
    await api.expectEscrowBalanced(order.orderId, order.buyer);
  });

  it('answers 404 REFUND_NOT_FOUND to a retry of a refund that does not exist', async () => {
    const { api } = local;
    const admin = await api.actor('admin');
    expect(problemOf(await api.post('/v1/admin/refunds/rfd_01ARZ3NDEKTSV4RRFFQ69G5FAV/retry', admin, {}))).toMatchObject({ status: 404, code: 'REFUND_NOT_FOUND' });
  });

  it('keeps escrow balanced and each refund in the ledger once when cancel/ship races meet refunds failing at random', async () => {
    const { api } = local;
    const orders = await Promise.all(Array.from({ length: 6 }, () => api.placedOrder()));
    // Some of the refunds' attempts fail, which ones depends on the order the sweeps reach them.
    await failNextRefundAttempts(1 + Math.floor(Math.random() * 8));
    await Promise.all(
      orders.map((order) => Promise.all([api.post(`/v1/orders/${order.orderId}/cancel`, order.buyer, { reason: 'race' }), api.post(`/v1/orders/${order.orderId}/shipment`, order.seller, aShipment())])),
    );
    // Concurrent sweeps reach the same refunds at once.
    await Promise.all([api.runJob('timers'), api.runJob('timers')]);
    for (const wait of ['PT1H1M', 'PT4H1M', 'PT16H1M', 'P3D', 'P3D']) {
      await api.moveClock(wait);
      await Promise.all([api.runJob('timers'), api.runJob('timers')]);
    }
    for (const order of orders) {
      await api.expectEscrowBalanced(order.orderId, order.buyer);
      const types = await ledgerTypes(order.orderId, order.buyer);
      expect(types.filter((type) => type === 'REFUND').length).toBeLessThanOrEqual(1);
      const view = await api.get<{ status: string; cancellation: { refundId: string } | null }>(`/v1/orders/${order.orderId}`, order.buyer);
      if (view.body.status === 'CANCELLED') expect(['COMPLETED', 'FAILED']).toContain((await api.get<RefundBody>(`/v1/refunds/${view.body.cancellation?.refundId}`, order.buyer)).body.status);
    }
  });
});
