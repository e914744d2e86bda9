import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { documentClient } from '../../lambdas/store/client.js';
import { anOrder, uniqueId, useLocalApi, type Actor } from '../support/local-api.js';

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

  it("does not let another buyer's attempt block the reference's owner (single use is checked after verification)", async () => {
    const { api } = local;
    const { seller, productId } = await api.sellerWithListing();
    const owner = await api.actor('buyer');
    const body = anOrder(productId);
    // The owner's payment is authorized, but the order fails (the shop is frozen): the reference is still unused.
    await blockOrders(seller.userId, '2999-01-01T00:00:00.000Z');
    expect((await api.post('/v1/orders', owner, body)).body.code).toBe('SELLER_RESTRICTED');
    await blockOrders(seller.userId, null);
    const thief = await api.actor('buyer');
    expect((await api.post('/v1/orders', thief, { ...anOrder(productId), paymentReference: body.paymentReference })).body.code).toBe('PAYMENT_NOT_VERIFIED');
    const placed = await api.post<{ orderId: string }>('/v1/orders', owner, body);
    expect(placed.status).toBe(201);
    await api.expectEscrowBalanced(placed.body.orderId, owner);
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
